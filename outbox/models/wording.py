"""The committee's wording of each kind of email, and its switches.

A wording is a list of versions that never change: saving writes the next version, and
every email points at the version it was rendered from, so an edit never rewrites an
email already written. A version for one cycle overrides the program's for that cycle's
emails. "Restore the default" writes a version with no words of its own: the program's
then follows the shipped wording again, a cycle's the program's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .emails import EmailKind


class EmailTemplateQuerySet(models.QuerySet):
    def of(self, kind: str, cycle_id: int | None) -> EmailTemplateQuerySet:
        """The versions of one wording (the program's when `cycle_id` is None), newest first."""
        rows = self.filter(kind=kind)
        rows = rows.filter(cycle__isnull=True) if cycle_id is None else rows.filter(cycle_id=cycle_id)
        return rows.select_related("saved_by").order_by("-version")

    def newest(self) -> EmailTemplateQuerySet:
        """The newest version of each wording (each kind's program's, and each cycle's own)."""
        newer = EmailTemplate.objects.filter(kind=OuterRef("kind"), version__gt=OuterRef("version"))
        return self.filter(
            Q(cycle__isnull=True) & ~Exists(newer.filter(cycle__isnull=True))
            | Q(cycle__isnull=False) & ~Exists(newer.filter(cycle=OuterRef("cycle")))
        )

    def newest_of_cycles(self) -> EmailTemplateQuerySet:
        """The newest version of each cycle's own wording: `newest` for the cycles' rows alone,
        with one subquery instead of its two (the editor asks it on every page it shows)."""
        newer = EmailTemplate.objects.filter(
            kind=OuterRef("kind"), cycle=OuterRef("cycle"), version__gt=OuterRef("version")
        )
        return self.filter(cycle__isnull=False).filter(~Exists(newer))

    def latest_of(self, kind: str, cycle_id: int | None) -> EmailTemplate | None:
        return self.of(kind, cycle_id).first()

    def in_use(
        self, kind: str, cycle_id: int | None, *, versions: list[EmailTemplate] | None = None
    ) -> EmailTemplate | None:
        """The version an email of `kind` about cycle `cycle_id` is rendered from: the cycle's
        own newest version, else the program's newest; None: the shipped wording. A version
        that restored the default is returned as such (it says who restored it, and when).

        `versions`: the wording's own versions, newest first (`of`), when the caller has read
        them already (the editor's history): the program's newest is their first, and so is a
        cycle's, unless the cycle has none in use of its own."""
        if versions is not None:
            newest_own = versions[0] if versions else None
            if cycle_id is None or (newest_own is not None and not newest_own.follows_default):
                return newest_own
            return self.in_use(kind, None)
        # One query: the newest version of the program's wording and of the cycle's.
        where = Q(cycle__isnull=True) if cycle_id is None else Q(cycle__isnull=True) | Q(cycle_id=cycle_id)
        newest = {row.cycle_id: row for row in self.filter(kind=kind).filter(where).newest().select_related("saved_by")}
        own = newest.get(cycle_id) if cycle_id is not None else None
        if own is not None and not own.follows_default:
            return own
        return newest.get(None)


class EmailTemplate(models.Model):
    """One version of the committee's wording of a kind of email: subject and body with
    placeholders (`outbox.placeholders`). Never changed once written."""

    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    # A version for one cycle only ("this year's orientation letter"); empty: the program's.
    cycle = models.ForeignKey("members.Cycle", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField()
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # "Restore the default": no words of its own. The program's wording then follows the
    # shipped one (whatever a release improves in it); a cycle's follows the program's.
    follows_default = models.BooleanField(default=False)
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EmailTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "cycle", "-version"]
        constraints = [
            # One number per version of a wording, even when two committee members save at once.
            models.UniqueConstraint(
                fields=["kind", "version"],
                condition=Q(cycle__isnull=True),
                name="one_program_wording_version",
                violation_error_message="This email's wording has a version with this number already.",
            ),
            models.UniqueConstraint(
                fields=["kind", "cycle", "version"],
                condition=Q(cycle__isnull=False),
                name="one_cycle_wording_version",
                violation_error_message="This email's wording for the cycle has a version with this number already.",
            ),
        ]

    def __str__(self) -> str:
        where = f" for {self.cycle}" if self.cycle_id else ""
        return f"{self.get_kind_display()}{where}, version {self.version}"

    def description(self) -> str:
        """Which words this version stands for, who saved it and when, for the committee."""
        by = f" by {self.saved_by}" if self.saved_by_id else ""
        when = f"{by} on {timezone.localtime(self.saved_at):%b %-d, %Y}"
        if self.follows_default:
            follows = f"the program's wording (for {self.cycle})" if self.cycle_id else "the shipped wording"
            return f"Version {self.version}: {follows}, restored{when}."
        where = f" for {self.cycle}" if self.cycle_id else ""
        return f"Version {self.version} of the committee's wording{where}, saved{when}."


class KindSetting(models.Model):
    """The program's switches for one kind of email: whether an optional kind is sent at
    all, and which of its placeholders the committee turned off (e.g. why a pair was
    matched). No row: everything on."""

    kind = models.CharField(max_length=20, choices=EmailKind.choices, unique=True)
    sending = models.BooleanField(default=True)
    hidden_placeholders = models.JSONField(default=list, blank=True)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'sent' if self.sending else 'switched off'}"

    @classmethod
    def of(cls, kind: str) -> KindSetting:
        """The kind's switches, as a row that may not be saved yet (no row: all on)."""
        return cls.objects.filter(kind=kind).first() or cls(kind=kind)
