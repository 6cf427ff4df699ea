"""Staff sessions end after STAFF_IDLE_TIMEOUT_MINUTES without activity in
the admin, so an unattended front-desk screen does not stay signed in to
patients' requests. Only admin requests are timed and touch the session:
public pages, cached or not, never start setting cookies because of it."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

LAST_ACTIVITY_SESSION_KEY = "staff_last_activity"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: reading the user reads the session, and a public
        # page that read it would vary by cookie and could not be cached.
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/" + settings.ADMIN_URL)
            and user is not None
            and user.is_authenticated
            and user.is_staff
        ):
            now = int(time.time())
            last_activity = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            idle_limit = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
            if last_activity is not None and now - last_activity > idle_limit:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.STAFF_IDLE_TIMEOUT_MINUTES} minutes "
                    "without activity. Please sign in again.",
                )
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)
