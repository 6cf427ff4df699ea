"""Installs come from lock files (`make lock`, `make upgrade`): every
package pinned to one version with its hashes, and every dependency that
pyproject.toml names is in the lock it belongs to."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parent.parent
LOCKS = {
    None: "requirements.txt",
    "test": "requirements-test.txt",
    "bench": "requirements-bench.txt",
}


def pins(lock_name):
    """{package: (version, number of hashes)} as the lock file has them."""
    text = (PROJECT / lock_name).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    found = {}
    for entry in entries:
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry)
        if match:
            name = canonicalize_name(match.group(1))
            found[name] = (match.group(2), entry.count("--hash=sha256:"))
    return found


def declared(extra):
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(name).name) for name in names}


@pytest.mark.parametrize("extra", list(LOCKS))
def test_every_package_in_a_lock_is_pinned_with_hashes(extra):
    locked = pins(LOCKS[extra])
    assert locked
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


@pytest.mark.parametrize("extra", list(LOCKS))
def test_every_declared_dependency_is_locked(extra):
    missing = (declared(None) | (declared(extra) if extra else set())) - set(pins(LOCKS[extra]))
    assert missing == set(), "run `make lock` after changing pyproject.toml"


@pytest.mark.parametrize("extra", ["test", "bench"])
def test_the_test_and_bench_locks_keep_the_sites_own_versions(extra):
    site = pins(LOCKS[None])
    extended = pins(LOCKS[extra])
    assert {name: extended[name][0] for name in site} == {
        name: version for name, (version, _) in site.items()
    }
