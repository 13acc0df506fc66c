"""Mentoring resources: a member's suggestion, the committee's addition and review."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ..models import (
    Resource,
    ResourceStatus,
    User,
    nul_refused,
)

log = logging.getLogger(__name__)


class ResourceError(Exception):
    """A resource the rules refuse; the message is for the member or the committee."""


class ResourceAlreadyDecided(ResourceError):
    """The suggestion was decided this very way already (a button pressed twice): nothing was changed."""


def _may_review(user: User) -> bool:
    return user.runs_program


@transaction.atomic
def resource_suggest(
    *,
    by: User,
    title: str,
    description: str,
    url: str = "",
    file: File | None = None,
    tags: str = "",
) -> Resource:
    """A member suggests a resource for the committee to review. The committee's own
    additions need no review: they are approved at once, by the one who added them."""
    resource = Resource(title=title, description=description, url=url, file=file or "", tags=tags, suggested_by=by)
    if _may_review(by):
        resource.status = ResourceStatus.APPROVED
        resource.reviewed_by = by
        resource.reviewed_at = timezone.now()
    try:
        resource.full_clean()
    except ValidationError as e:
        raise ResourceError(" ".join(e.messages)) from None
    resource.save()
    log.info("resource %s %s by %s", resource.pk, resource.status, by.pk)
    return resource


@transaction.atomic
def resource_decide(*, resource: Resource, approve: bool, by: User, reason: str = "") -> Resource:
    """Approve or decline a suggested resource. A suggestion somebody has decided
    meanwhile (a stale review page) is refused and stays as it is."""
    if not _may_review(by):
        raise ResourceError("Only the Mentoring Committee reviews resources.")
    if why := nul_refused(reason):  # the review page posts the reason as it is
        raise ResourceError(why)
    resource = Resource.objects.select_for_update().filter(pk=resource.pk).first()
    if resource is None:
        raise ResourceError("This suggestion no longer exists.")
    wanted = ResourceStatus.APPROVED if approve else ResourceStatus.DECLINED
    if resource.status == wanted:
        raise ResourceAlreadyDecided(
            f"“{resource.title}” is {resource.get_status_display().lower()} already"
            f"{f' (by {resource.reviewed_by})' if resource.reviewed_by else ''}: nothing was changed."
        )
    if resource.status != ResourceStatus.SUGGESTED:
        raise ResourceError(
            f"“{resource.title}” was already {resource.get_status_display().lower()}"
            f"{f' by {resource.reviewed_by}' if resource.reviewed_by else ''}: nothing was changed."
        )
    resource.status = wanted
    resource.reviewed_by = by
    resource.reviewed_at = timezone.now()
    resource.decline_reason = "" if approve else reason.strip()
    resource.save(update_fields=["status", "reviewed_by", "reviewed_at", "decline_reason"])
    log.info("resource %s %s by %s", resource.pk, resource.status, by.pk)
    return resource


@dataclass(frozen=True)
class Decisions:
    """What resources_decide did: the suggestions decided now, those decided this way already
    (the button pressed twice), and why the others were left as they are."""

    decided: list[Resource]
    already: list[Resource]
    refused: list[str]


@transaction.atomic
def resources_decide(*, resource_ids: Iterable[int], approve: bool, by: User, reason: str = "") -> Decisions:
    """Approve or decline several suggestions in one step, each as `resource_decide` would:
    one decided the other way meanwhile (another committee member, a stale page) is left as
    it is, and named."""
    if not _may_review(by):
        raise ResourceError("Only the Mentoring Committee reviews resources.")
    if why := nul_refused(reason):  # the review page posts the reason as it is
        raise ResourceError(why)
    decided, already, refused = [], [], []
    for resource in Resource.objects.filter(pk__in=list(resource_ids)).order_by("pk"):
        try:
            decided.append(resource_decide(resource=resource, approve=approve, by=by, reason=reason))
        except ResourceAlreadyDecided:
            already.append(resource)
        except ResourceError as e:
            refused.append(str(e))
    return Decisions(decided=decided, already=already, refused=refused)
