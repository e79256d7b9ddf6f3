"""The notifications page (`/notifications/`) and the badge every page's menu shows.

The list, marking read and the e-mail choice are annotations.services.notifications's; what is
listed and counted is annotations.selectors_notifications's (blind review holds some back)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from annotations import selectors_notifications
from annotations.models import NotificationSettings
from annotations.services import notifications

PER_PAGE = 30


class EmailForm(forms.Form):
    email = forms.ChoiceField(
        label=gettext_lazy("E-mail me my notifications"),
        choices=NotificationSettings.Email.choices,
    )


class OpenForm(forms.Form):
    notification = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def unread_badge(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the unread count for the menu's badge, counted only when a page shows
    the menu."""
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: selectors_notifications.unread_count(user=request.user)
        ),
        # Where the pages open their socket for the live badge (js/base.js): LIVE_URL, or the
        # page's own address.
        "live_base": settings.LIVE_URL,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    """Newest first; open one (it is marked read), mark all read, choose how to get e-mails."""
    user = request.user
    assert isinstance(user, User)
    email_form = EmailForm(initial={"email": notifications.email_mode(user.pk)})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "open":
            form = OpenForm(request.POST)
            if form.is_valid():
                found = (
                    selectors_notifications.notification_list(user=user)
                    .filter(pk=form.cleaned_data["notification"])
                    .first()
                )
                if found is not None:
                    notifications.notifications_mark_read(user=user, ids=[found.pk])
                    return redirect(notifications.link(found))
            messages.error(request, _("That notification is no longer there."))
            return redirect(reverse("notifications"))
        if action == "read_all":
            marked = notifications.notifications_mark_read(user=user, ids=None)
            messages.success(request, _("All read (%(n)d).") % {"n": marked})
            return redirect(reverse("notifications"))
        if action == "email":
            email_form = EmailForm(request.POST)
            if email_form.is_valid():
                notifications.notification_settings_update(
                    user=user, email=email_form.cleaned_data["email"]
                )
                messages.success(request, _("Your e-mail choice is saved."))
                return redirect(reverse("notifications"))
        else:
            messages.error(request, _("Unknown action."))
    listed = selectors_notifications.notification_list(user=user)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    items = [(n, notifications.describe(n)) for n in page.object_list]
    return render(
        request,
        "annotations/notifications.html",
        {"page": page, "items": items, "email_form": email_form},
        status=400 if request.method == "POST" else 200,
    )
