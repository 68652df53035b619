"""Signed-in sessions that end after a period without use.

Django renews a session's expiry only when the session is saved. Saving on
every request would add a database write to every page; instead the session is
touched at most once every ``SESSION_RENEW_SECONDS``, so an idle session ends
within ``SESSION_COOKIE_AGE`` of its last use.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

RENEWED_KEY = "portal:renewed"


def renew(session, now: int) -> None:
    session[RENEWED_KEY] = now


class SessionIdleRenewalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            session = request.session
            now = int(time.time())
            last = session.get(RENEWED_KEY)
            if last is not None and now - last >= settings.SESSION_RENEW_SECONDS:
                renew(session, now)
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="portal.sessions.stamp_login")
def stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        renew(request.session, int(time.time()))
