import pytest

from tests.deploy.servers import deployment
from tests.live_site import manage

CONTENT_EDITOR = """
from django.contrib.auth.models import Group, User
editor = User.objects.create_user("deploy-editor", password="pw-for-tests-only", is_staff=True)
editor.groups.add(Group.objects.get(name="Content editors"))
"""


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
    ) as site:
        manage("shell", "-c", CONTENT_EDITOR, env=site.env)
        yield site
