"""The ASGI application: HTTP through Django, WebSockets at /ws/ through Channels.

`make run` serves both (daphne's runserver); in production gunicorn may keep serving HTTP
(workbench.wsgi) while daphne serves this application for /ws/ (see the README)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
# Django first: the routing below imports models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from annotations.consumers import ArticleConsumer, MeConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # The Origin header must name one of ALLOWED_HOSTS: another site's page cannot open a
        # socket with the user's cookie.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter(
                    [
                        path(  # type: ignore[list-item]  # django-stubs types path() for views
                            "ws/articles/<int:article_id>/",
                            ArticleConsumer.as_asgi(),  # type: ignore[arg-type]
                        ),
                        path(  # type: ignore[list-item]
                            "ws/me/",
                            MeConsumer.as_asgi(),  # type: ignore[arg-type]
                        ),
                    ]
                )
            )
        ),
    }
)
