"""Mentoring resources: links and documents members suggest and the committee approves."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from .people import User
from .values import every_word_in

RESOURCE_EXTENSIONS = ["pdf", "pptx", "ppt", "docx", "doc", "xlsx", "txt", "odt", "odp"]


RESOURCE_MAX_BYTES = 10 * 1024 * 1024


def validate_resource_size(file) -> None:
    if file.size > RESOURCE_MAX_BYTES:
        raise ValidationError(
            f"This file is {file.size / (1024 * 1024):.1f} MB: a resource file can be at most "
            f"{RESOURCE_MAX_BYTES // (1024 * 1024)} MB. Share a link to a larger file instead."
        )


def validate_resource_extension(file) -> None:
    # The name as the storage will save it, which is the name checked again later and
    # the one members download: " .pdf" is saved as ".pdf", a name with no extension.
    try:
        name = get_valid_filename(Path(file.name).name)
    except SuspiciousFileOperation:  # "." or ".."
        name = ""
    extension = Path(name).suffix.lower().removeprefix(".")
    if extension not in RESOURCE_EXTENSIONS:
        kind = f"“.{extension}” files" if extension else "Files without an extension"
        raise ValidationError(
            f"{kind} cannot be uploaded. Upload a PDF, Word, PowerPoint, Excel, OpenDocument or text file "
            f"({', '.join(RESOURCE_EXTENSIONS)}), or share a link instead."
        )


def normalize_tags(text: str) -> str:
    """ "Orientation,  Ethics, orientation" -> "orientation, ethics": lower case, no duplicates, in order."""
    tags = []
    for tag in (t.strip().lower() for t in text.split(",")):
        if tag and tag not in tags:
            tags.append(tag)
    return ", ".join(tags)


NEEDS_LINK_OR_FILE = "Give a link or upload a file: a resource needs one of them."


class ResourceStatus(models.TextChoices):
    SUGGESTED = "suggested", "Waiting for review"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ResourceQuerySet(models.QuerySet):
    def approved(self) -> ResourceQuerySet:
        """What every member sees: approved resources, newest approval first."""
        return self.filter(status=ResourceStatus.APPROVED).order_by(
            models.F("reviewed_at").desc(nulls_last=True), "-pk"
        )

    def pending(self) -> ResourceQuerySet:
        """Suggestions waiting for the committee, oldest first: first come, first reviewed."""
        return self.filter(status=ResourceStatus.SUGGESTED).select_related("suggested_by").order_by("created_at", "pk")

    def recently_decided(self) -> ResourceQuerySet:
        return (
            self.exclude(status=ResourceStatus.SUGGESTED)
            .select_related("suggested_by", "reviewed_by")
            .order_by(models.F("reviewed_at").desc(nulls_last=True), "-pk")
        )

    def unapproved_suggestions_of(self, member: User, declined_days: int = 60) -> ResourceQuerySet:
        """What `member` suggested that members do not see (yet): waiting, or declined lately (with the reason)."""
        since = timezone.now() - dt.timedelta(days=declined_days)
        return self.filter(
            Q(status=ResourceStatus.SUGGESTED) | Q(status=ResourceStatus.DECLINED, reviewed_at__gte=since),
            suggested_by=member,
        ).order_by("-created_at", "-pk")

    def search(self, text: str) -> ResourceQuerySet:
        """Every word must appear in the title, the description or the tags."""
        return every_word_in(self, text, ("title", "description", "tags"))

    def tagged(self, tag: str) -> ResourceQuerySet:
        if "\x00" in tag:
            return self.none()  # no tag holds a NUL (forms refuse it), and PostgreSQL refuses it in a query
        # Tags are stored normalized as "a, b, c": match one whole tag, not a part of one.
        return self.filter(tags__iregex=rf"(^|, ){re.escape(tag.strip().lower())}(,|$)")

    def tag_names(self) -> list[str]:
        """Every tag these resources carry, sorted: one query, whatever the number of resources."""
        return sorted({t for tags in self.values_list("tags", flat=True) for t in tags.split(", ") if t})


class Resource(models.Model):
    """A link or a document for mentors and mentees: suggested by a member, approved by the committee.

    Files are never served from MEDIA_URL: `members:resource-file` hands them to
    signed-in members only.
    """

    title = models.CharField(max_length=200)
    description = models.CharField(max_length=500, help_text="One or two sentences: what it is and who it helps.")
    url = models.URLField("link", max_length=500, blank=True, help_text="A web page, video or shared document.")
    file = models.FileField(
        upload_to="resources/%Y/",
        blank=True,
        validators=[validate_resource_extension, validate_resource_size],
        help_text="Or upload a document: PDF, Word, PowerPoint, Excel, OpenDocument or text, at most 10 MB.",
    )
    tags = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated, for example “orientation, goals, e-mentoring”."
    )
    status = models.CharField(max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.SUGGESTED)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_resources",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_resources",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""),
                name="resource_has_link_or_file",
                violation_error_message=NEEDS_LINK_OR_FILE,
            ),
        ]
        indexes = [models.Index(fields=["status", "-reviewed_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.url and not self.file:
            # On the link field: forms show it there, and then skip the constraint that says the same.
            raise ValidationError({"url": NEEDS_LINK_OR_FILE})
        self.tags = normalize_tags(self.tags)

    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(", ") if t]

    @property
    def filename(self) -> str:
        return Path(self.file.name).name if self.file else ""

    def file_url(self) -> str:
        return reverse("members:resource-file", args=[self.pk]) if self.file else ""

    def is_visible_to(self, user: User) -> bool:
        """Approved resources are for every signed-in member; others for the committee and who suggested them."""
        if self.status == ResourceStatus.APPROVED:
            return True
        return user.runs_program or (user.pk is not None and self.suggested_by_id == user.pk)
