"""A member's own data: what the site holds, the download, and deleting the account."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from members.program import program

from ..models import (
    Pair,
)
from ..services import privacy


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Any signed-in member: what the site holds about me, the download, and the way to delete my account."""
    return render(request, "pairs/my_data.html")


@login_required
@never_cache
def my_data_download(request: HttpRequest) -> HttpResponse:
    """Any signed-in member: everything the site holds about me, as a JSON file (my own data only)."""
    response = JsonResponse(
        privacy.member_data(user=request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{program().file_prefix}-my-data-{timezone.localdate()}.json"'
    )
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Any signed-in member but a site admin: delete my own account, after typing my password again."""
    user = request.user
    error = ""
    if request.method == "POST" and not user.is_superuser:
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            error = "Too many attempts: wait a minute, then try again. Nothing was deleted."
        elif not user.check_password(request.POST.get("password", "")):
            error = "That is not your password. Nothing was deleted."
        else:
            try:
                privacy.account_delete(user=user)
            except privacy.PrivacyError as e:
                messages.error(request, str(e))
                return redirect("pairs:my-data")
            logout(request)
            messages.success(
                request, "Your account is deleted and your personal data erased. Thank you for taking part."
            )
            return redirect("members:program")
    elif request.method == "POST":
        messages.error(request, "A site admin's account cannot be deleted from this page.")
        return redirect("pairs:my-data")
    active_pairs = list(Pair.objects.involving(user).active().with_people())
    return render(
        request,
        "pairs/account_delete.html",
        {"error": error, "others": [p.other_side(user) for p in active_pairs]},
    )
