"""Local development: the embedded mode with debugging on."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)

# Serve static files straight from the source folders, without collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Eager tasks would log every run at INFO; the portal's own loggers say enough.
LOGGING["loggers"]["celery"]["level"] = "WARNING"  # noqa: F405
