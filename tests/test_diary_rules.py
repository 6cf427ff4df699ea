"""The pain diary's hand-over rules live in one place, the browser's
static/js/diary-rules.js; their tests (tests/js/) run under Node's own test
runner, and this runs them with the rest of the suite."""

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).resolve().parent / "js"


def test_the_diary_rules_pass_their_node_tests():
    if shutil.which("node") is None:
        pytest.fail("Node.js (20 or later) is needed to test static/js/diary-rules.js.")
    result = subprocess.run(
        ["node", "--test", *sorted(str(path) for path in JS_TESTS.glob("*.test.js"))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
