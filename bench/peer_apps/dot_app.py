"""django-oauth-toolkit 3.x peer serving all three benchmarked paths: ``client_credentials``
and ``refresh_token`` at ``POST /o/token/`` (HTTP Basic), and an authenticated resource read
at ``GET /me`` (DOT's ``protected_resource``: the bearer token is looked up in the database
with its user). One file: settings, URLconf, WSGI app and set-up. Written for this benchmark.

    DOT_DB=/tmp/x.sqlite3 python dot_app.py setup
    DOT_DB=/tmp/x.sqlite3 gunicorn -w 2 -b 127.0.0.1:PORT dot_app:application

DOT tokens are opaque and stored (SQLite here, like /work/shared/bench-peers'
django-oauth-toolkit peer, with the same client and secret). DOT lets only password or
authorization-code applications refresh, so the refresh grant uses a second, password-grant
application with the same secret, one user and one refresh token made by ``setup``
(``REFRESH_TOKEN``). ``ROTATE_REFRESH_TOKEN`` is off, as in Gatehouse, so the bench replays
one value; DOT then rewrites the refresh token's access-token row on every refresh (one
write per grant, which Gatehouse does not do). Replaying one refresh token concurrently
races in DOT itself: its token view re-reads the row it just wrote by checksum, and a
concurrent refresh may have overwritten it, so a few per cent of the requests get HTTP 500
(``AccessToken.DoesNotExist``); the bench reports them as non-2xx.

Environment: ``DOT_DB`` (SQLite file), ``DOT_HASH_SECRET`` = 1 (DOT's default: secrets
stored as PBKDF2 hashes) or 0 (plain text).
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

import django
from django.conf import settings

CLIENT_ID = "bench-client"
REFRESH_CLIENT_ID = "bench-refresh-client"
CLIENT_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
REFRESH_TOKEN = "bench-refresh-0123456789abcdef0123456789abcdef"

settings.configure(
    DEBUG=False,
    SECRET_KEY="dot-peer-benchmark-only-not-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"],
    MIDDLEWARE=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DOT_DB", "/tmp/dot-peer.sqlite3"),
            # BEGIN IMMEDIATE (Django 5.1+), as Gatehouse does: without it concurrent refreshes
            # fail with "database is locked" when a read transaction upgrades to a write
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    },
    USE_TZ=True,
    # server errors (e.g. SQLite lock timeouts under load) go to the peer's log file
    LOGGING={
        "version": 1,
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
    },
    OAUTH2_PROVIDER={
        "SCOPES": {"read": "Read", "write": "Write"},
        "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
        "ROTATE_REFRESH_TOKEN": False,
    },
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from oauth2_provider.decorators import protected_resource  # noqa: E402


@protected_resource()
def me(request: HttpRequest) -> JsonResponse:
    user = request.resource_owner
    return JsonResponse({"username": user.username, "id": user.pk})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("me", me),
]

application = get_wsgi_application()


def setup() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, RefreshToken, get_application_model

    call_command("migrate", verbosity=0)
    app_model = get_application_model()
    hashed = os.environ.get("DOT_HASH_SECRET", "1") == "1"
    app_model.objects.filter(client_id__in=[CLIENT_ID, REFRESH_CLIENT_ID]).delete()
    for client_id, grant in (
        (CLIENT_ID, app_model.GRANT_CLIENT_CREDENTIALS),
        (REFRESH_CLIENT_ID, app_model.GRANT_PASSWORD),
    ):
        app_model.objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=CLIENT_SECRET,
            hash_client_secret=hashed,
            client_type=app_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=grant,
        )
    user, _ = get_user_model().objects.get_or_create(username="bench-user")
    refresh_app = app_model.objects.get(client_id=REFRESH_CLIENT_ID)
    access = AccessToken.objects.create(
        user=user,
        application=refresh_app,
        token="bench-initial-access-token",
        expires=timezone.now() + timedelta(seconds=600),
        scope="read",
    )
    RefreshToken.objects.create(
        user=user, application=refresh_app, token=REFRESH_TOKEN, access_token=access
    )
    print(f"clients {CLIENT_ID}, {REFRESH_CLIENT_ID} and one refresh token ready")


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    setup()
