import pytest

from tests.deploy.clients import add_content_editor
from tests.deploy.servers import deployment


@pytest.fixture(scope="module")
def deployed_site(tmp_path_factory):
    """nginx (deploy/nginx/clinic.conf) in front of two gunicorn instances and
    one worker, sharing the test database, Redis and media: one per module,
    as it takes seconds to start. Yields a tests.deploy.servers.Deployment."""
    with deployment(
        tmp_path_factory.mktemp("deployment"),
        CONSULTATION_RATE_LIMIT="4/h",
        # Every racing patient reaches the last step with the same time.
        BOOKING_HOLD_MINUTES="0",
        # As deployed: each worker keeps its database connection between requests.
        DB_CONN_MAX_AGE="60",
    ) as site:
        add_content_editor(site.env)
        yield site
