"""The sign-in page, with a limit on failed sign-ins.

Django's LoginView checks every password it is sent, so a script could try thousands; the API's
token route is throttled (TOKEN_THROTTLE_RATE), and this page must not be the way around it. Past
LOGIN_FAILURE_RATE failed sign-ins (count, seconds) for one username, or from one client address,
the page answers 429 without checking the password until the period is over. The failures are
counted in the cache (Redis when REDIS_URL is set, so every server process shares them); a
successful sign-in is not counted. When the cache is down or hung the limit is off (a warning is
logged) and sign-in goes on: each look at the cache gives up after CACHE_TIMEOUT. The client address is the one the API's throttles use
(REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)


def _failure_keys(request: HttpRequest, username: str) -> list[str]:
    """The cache keys counting failures for this username and from this client address (hashed:
    a username may hold any character, and the cache's keys may not)."""
    address = BaseThrottle().get_ident(request) or ""  # type: ignore[arg-type]
    return [
        "login-failures:user:" + hashlib.sha256(username.casefold().encode()).hexdigest(),
        "login-failures:address:" + hashlib.sha256(address.encode()).hexdigest(),
    ]


def _too_many(keys: list[str]) -> bool:
    """Whether the username or the address has used up its failures. Fails open when the cache
    is down: the passwords are still checked, only not rate-limited."""
    count, _period = settings.LOGIN_FAILURE_RATE
    try:
        failures = cache.get_many(keys)
    except Exception as exc:
        logger.warning("the sign-in failure limit is off: the cache cannot be read (%s)", exc)
        return False
    return any(int(value) >= count for value in failures.values())


def _count_failure(keys: list[str]) -> None:
    """One more failure for each key; a key's period starts with its first failure."""
    _count, period = settings.LOGIN_FAILURE_RATE
    for key in keys:
        try:
            cache.add(key, 0, timeout=period)
            try:
                cache.incr(key)
            except ValueError:  # the period ended between add and incr
                cache.set(key, 1, timeout=period)
        except Exception as exc:
            # One timeout is enough to know: the other key would wait as long again.
            logger.warning(
                "a failed sign-in was not counted: the cache cannot be written (%s)", exc
            )
            return


def _wait_message() -> str:
    _count, period = settings.LOGIN_FAILURE_RATE
    now = timezone.now()
    # "1 minute", "1 hour"… in the reader's language (Django's own catalogue).
    wait = timeuntil(now + timedelta(seconds=max(period, 60)), now)
    return _(
        "Too many failed sign-ins for this username or from this address. Wait %(wait)s, then "
        "try again."
    ) % {"wait": wait}


class LoginView(auth_views.LoginView):
    """Django's sign-in page (registration/login.html), limited to LOGIN_FAILURE_RATE failures."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        keys = _failure_keys(request, username)
        if _too_many(keys):
            return self._refused(request, username)
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        if form.has_error(NON_FIELD_ERRORS):
            # The password was checked and refused (a blank field is not a guess).
            _count_failure(keys)
        return self.form_invalid(form)

    def _refused(self, request: HttpRequest, username: str) -> HttpResponse:
        """429, with the page's form empty but for the username: the template shows any form
        error as a wrong password, so the reason travels as a message (base.html shows them)."""
        messages.error(request, _wait_message())
        form: BaseForm = self.get_form_class()(request, initial={"username": username})
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        _count, period = settings.LOGIN_FAILURE_RATE
        response["Retry-After"] = str(period)
        return response
