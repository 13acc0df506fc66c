"""Members: accounts with their profile and membership term, program cycles, opt-ins."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

COMMITTEE_GROUP = "Mentoring Committee"


# At most this many words of a search box count: each word is one more filter, and a
# pasted page of text would otherwise keep the database busy for seconds.
SEARCH_WORDS = 10


def search_words(text: str) -> list[str]:
    """The words of a search box, without NUL (PostgreSQL refuses it in any string)."""
    return text.replace("\x00", " ").split()[:SEARCH_WORDS]


def every_word_in(rows: models.QuerySet, text: str, fields: Sequence[str]) -> models.QuerySet:
    """The rows where each word of the search box `text` is in one of `fields` (any case):
    the one search of every list of the site."""
    for word in search_words(text):
        anywhere = Q()
        for field in fields:
            anywhere |= Q(**{f"{field}__icontains": word})
        rows = rows.filter(anywhere)
    return rows


# Line breaks and control characters: C0 (tab, LF, CR...), DEL, C1 (NEL...), and Unicode's
# line and paragraph separators.
_BREAKS_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
ONE_LINE = "Write this on one line: line breaks and control characters are not allowed."


def validate_one_line(value: str) -> None:
    """Names, job titles, institutions and phone numbers are one line: they go into calendar
    files, email subjects and spreadsheets, where a line break starts something else."""
    if _BREAKS_A_LINE.search(value):
        raise ValidationError(ONE_LINE, code="one_line")


def one_line(text: str) -> str:
    """`text` with each run of line breaks and control characters made a space: for what was
    stored before validate_one_line (or by a path that skips it)."""
    return _BREAKS_A_LINE.sub(" ", text).strip()


class LibraryType(models.TextChoices):
    PUBLIC = "public", "Public"
    ACADEMIC = "academic", "Academic"
    SCHOOL = "school", "School"
    SPECIAL = "special", "Special"
    OTHER = "other", "Other"


class Region(models.TextChoices):
    NORTHWEST = "northwest", "Northwest Arkansas"
    NORTHEAST = "northeast", "Northeast Arkansas"
    CENTRAL = "central", "Central Arkansas"
    SOUTHWEST = "southwest", "Southwest Arkansas"
    SOUTHEAST = "southeast", "Southeast Arkansas"
    OUT_OF_STATE = "out_of_state", "Outside Arkansas"


class MembershipCategory(models.TextChoices):
    STUDENT = "student", "Student"
    STAFF = "staff", "Library staff / paraprofessional"
    LIBRARIAN = "librarian", "Librarian / professional"
    RETIRED = "retired", "Retired"
    SUPPORTER = "supporter", "Trustee, friend or supporter"


class Area(models.TextChoices):
    """The controlled list of responsibility areas matching compares."""

    ADMINISTRATION = "administration", "Administration & management"
    ACQUISITIONS = "acquisitions", "Acquisitions & collection development"
    ARCHIVES = "archives", "Archives & special collections"
    CATALOGING = "cataloging", "Cataloging & metadata"
    CIRCULATION = "circulation", "Circulation & access services"
    GOVERNMENT_DOCS = "government_docs", "Government documents"
    INSTRUCTION = "instruction", "Instruction & information literacy"
    INTERLIBRARY_LOAN = "interlibrary_loan", "Interlibrary loan"
    OUTREACH = "outreach", "Outreach & programming"
    REFERENCE = "reference", "Reference"
    SCHOOL_LIBRARY = "school_library", "School library media"
    TECHNOLOGY = "technology", "Technology & systems"
    YOUTH_SERVICES = "youth_services", "Youth & children's services"
    ADVOCACY = "advocacy", "Advocacy & marketing"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    EMAIL = "email", "Email"


def validate_areas(value: list) -> None:
    if not isinstance(value, list) or any(a not in Area.values for a in value):
        raise ValidationError("Choose responsibility areas from the list.")


def validate_meeting_modes(value: list) -> None:
    if not isinstance(value, list) or any(m not in MeetingMode.values for m in value):
        raise ValidationError("Choose ways to meet from the list.")


class UserManager(DjangoUserManager):
    """Email is the login: there are no usernames."""

    use_in_migrations = True

    def _create_user_object(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        return user

    def _create_user(self, email, password, **extra_fields):
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def liaisons(self) -> models.QuerySet:
        """Who may liaise a pair: the active members of the Mentoring Committee — now, not once;
        the rights come with the seat. The rule's one home: pairing, the admin, the pair pages
        and the liaison's emails all ask it."""
        return self.filter(groups__name=COMMITTEE_GROUP, is_active=True)

    def holding_address(self, email: str) -> models.QuerySet[User]:
        """The account an email address names, for signup, password reset and login (at most one).

        The account that verified the address; while none has, the account whose login
        address it is. An address someone added to their own account and never verified
        names nobody else: anyone can type anyone's address there, and it must not block
        the owner's signup nor receive their password reset.
        """
        email = email.strip().lower()
        verified = self.filter(emailaddress__email=email, emailaddress__verified=True)
        return verified if verified.exists() else self.filter(email=email)


# The profile a member keeps (and the membership forms ask for), in the order the forms show it:
# the one list the forms, the services, the data download and account deletion read.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "institution",
    "library_type",
    "region",
    "membership_category",
    "job_title",
    "responsibilities",
    "responsibilities_other",
    "years_experience",
)


class User(AbstractUser):
    """A member of the association: account, profile and membership term in one row.

    The profile lives on the user rather than in a side table so that every page
    and the matching code read one row per person, and no account can exist
    without its profile.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    first_name = models.CharField("first name", max_length=150, blank=True, validators=[validate_one_line])
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[validate_one_line])

    phone = models.CharField(max_length=32, blank=True, validators=[validate_one_line])
    institution = models.CharField(max_length=200, blank=True, validators=[validate_one_line])
    library_type = models.CharField(max_length=16, choices=LibraryType.choices, blank=True)
    region = models.CharField(max_length=16, choices=Region.choices, blank=True)
    membership_category = models.CharField(max_length=16, choices=MembershipCategory.choices, blank=True)
    job_title = models.CharField(max_length=200, blank=True, validators=[validate_one_line])
    responsibilities = models.JSONField(default=list, blank=True, validators=[validate_areas])
    responsibilities_other = models.CharField(
        "other responsibilities", max_length=500, blank=True, help_text="Anything the list does not cover."
    )
    years_experience = models.PositiveSmallIntegerField(
        "years of library experience", null=True, blank=True, validators=[MaxValueValidator(70)]
    )

    # The membership term. A signed-up account with no term has not joined yet.
    member_since = models.DateField("joined", null=True, blank=True)
    renewed_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    # The expiry date the last renewal reminder was sent for: one reminder per term,
    # however often the daily task runs.
    renewal_reminded_for = models.DateField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        # The committee's role, as a permission (DESIGN.md: roles are groups and permissions):
        # the Mentoring Committee's group holds it, site admins hold every permission.
        permissions = [("run_program", "Can run the mentoring program (the committee's pages)")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_absolute_url(self) -> str:
        return reverse("members:profile")

    @property
    def has_joined(self) -> bool:
        return self.member_since is not None

    def is_current_member(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.expires_on is not None and self.expires_on >= on

    def expires_soon(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        days = settings.RENEWAL_REMINDER_DAYS
        return self.expires_on is not None and on <= self.expires_on <= on + dt.timedelta(days=days)

    @property
    def runs_program(self) -> bool:
        """Whether this person may use the committee's pages: the one predicate of "is on the
        committee" (the `members.run_program` permission; templates ask `perms.members.run_program`).
        The permissions are read once per request (members.accounts.AuthenticationBackend)."""
        return self.has_perm("members.run_program")

    @property
    def may_liaise(self) -> bool:
        """Whether `User.objects.liaisons()` holds this user: asked afresh each time (one query)."""
        return User.objects.liaisons().filter(pk=self.pk).exists()

    def responsibility_labels(self) -> list[str]:
        return [Area(a).label for a in self.responsibilities if a in Area.values]

    def profile_shown(self) -> dict:
        """The profile as a person reads it, by the fields' names in words ("years_of_library_experience"):
        choices by their labels, responsibility areas by theirs."""
        shown = {}
        for name in PROFILE_FIELDS:
            field = self._meta.get_field(name)
            if name == "responsibilities":
                value = self.responsibility_labels()
            elif field.choices:
                value = getattr(self, f"get_{name}_display")()
            else:
                value = getattr(self, name)
            shown[str(field.verbose_name).replace(" ", "_")] = value
        return shown

    def profile_erase(self) -> None:
        """Every profile field back to its empty value (account deletion)."""
        for name in PROFILE_FIELDS:
            setattr(self, name, self._meta.get_field(name).get_default())

    def start_term(self, today: dt.date) -> None:
        """Begin (or begin again, after a lapse) a one-year membership term."""
        self.member_since = self.member_since or today
        self.expires_on = _one_year_after(today)
        self.renewed_on = None

    def renew_term(self, today: dt.date) -> None:
        """Add a year: from the current expiry when still current, else from today."""
        base = self.expires_on if self.is_current_member(today) else today
        self.renewed_on = today
        self.expires_on = _one_year_after(base)


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# What the Mentoring Committee's group may do, as "app.action_model" permissions: the site's
# committee pages ask the group's membership, the admin and the Outbox page these. The
# migrations that first granted them keep their own copy (a migration is history).
COMMITTEE_PERMISSIONS = (
    "members.run_program",
    "members.add_cycle",
    "members.change_cycle",
    "members.view_cycle",
    "members.change_enrollment",
    "members.view_enrollment",
    "members.view_user",
    "members.add_resource",
    "members.change_resource",
    "members.delete_resource",
    "members.view_resource",
    "pairs.add_pair",
    "pairs.change_pair",
    "pairs.view_pair",
    "pairs.view_evaluation",
    "pairs.view_goal",
    "outbox.view_email",
    "outbox.change_email",
)


def committee_group() -> Group:
    """The Mentoring Committee's group, made with its permissions when it does not exist
    (a fresh database made without the migrations' data, e.g. after a test's flush)."""
    group, created = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    if created:
        wanted = [name.split(".") for name in COMMITTEE_PERMISSIONS]
        match = Q()
        for app_label, codename in wanted:
            match |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(match))
    return group


class CycleQuerySet(models.QuerySet):
    def open_for_optins(self) -> CycleQuerySet:
        return self.filter(is_open=True)

    def chosen(self, asked: str | None = None, *, prefer: str = "open", today: dt.date | None = None):
        """Every cycle (newest start first, for the page's menu) and the one a page shows: the
        cycle `asked` for (its id, from the address), else by default the cycle taking opt-ins
        ("open": opt-ins, matching, pairing) or the program year under way ("running": the
        newest that has started, for pages about pairs), each falling back on the other and
        then on the newest. The one rule of "which cycle" for every page."""
        cycles = list(self.order_by("-starts_on", "-pk"))
        today = today or timezone.localdate()
        running = next((c for c in cycles if c.starts_on <= today), None)
        is_open = next((c for c in cycles if c.is_open), None)
        default = (is_open or running) if prefer == "open" else (running or is_open)
        chosen = next((c for c in cycles if str(c.pk) == asked), None)
        return cycles, chosen or default or (cycles[0] if cycles else None)


class Cycle(models.Model):
    """One year of the program, from opt-ins through matchmaking to the last pair's end."""

    name = models.CharField(max_length=40, unique=True, help_text='For example "2026–27".')
    optin_opens = models.DateField("opt-ins open")
    optin_closes = models.DateField("opt-ins close")
    matchmaking_starts = models.DateField()
    matchmaking_ends = models.DateField()
    starts_on = models.DateField("program starts", help_text="The fall conference, when the orientation is held.")
    orientation = models.CharField(
        max_length=300, blank=True, help_text="Where and when the orientation at the fall conference takes place."
    )
    default_length_months = models.PositiveSmallIntegerField(
        "default pair length (months)",
        default=10,
        validators=[MinValueValidator(9), MaxValueValidator(12)],
    )
    mentor_min_years = models.PositiveSmallIntegerField(
        "mentors' minimum years of experience",
        default=5,
        help_text="Mentors are seasoned professionals: how many years of library experience that means.",
    )
    is_open = models.BooleanField(
        "open for opt-ins", default=False, help_text="Exactly one cycle at a time can be open for opt-ins."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["is_open"], condition=Q(is_open=True), name="one_cycle_open_for_optins"),
            models.CheckConstraint(
                condition=Q(default_length_months__gte=9, default_length_months__lte=12),
                name="cycle_length_9_to_12_months",
            ),
            models.CheckConstraint(condition=Q(optin_closes__gte=models.F("optin_opens")), name="optin_window_order"),
            models.CheckConstraint(
                condition=Q(matchmaking_ends__gte=models.F("matchmaking_starts")), name="matchmaking_window_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.optin_opens and self.optin_closes and self.optin_closes < self.optin_opens:
            errors["optin_closes"] = "Opt-ins must close after they open."
        if self.matchmaking_starts and self.matchmaking_ends and self.matchmaking_ends < self.matchmaking_starts:
            errors["matchmaking_ends"] = "Matchmaking must end after it starts."
        if self.is_open and Cycle.objects.filter(is_open=True).exclude(pk=self.pk).exists():
            errors["is_open"] = "Another cycle is open for opt-ins; close it first."
        if errors:
            raise ValidationError(errors)

    def optin_window_state(self, today: dt.date | None = None) -> str | None:
        """None when opt-ins are accepted today, else a sentence saying why not."""
        today = today or timezone.localdate()
        if not self.is_open:
            return f"Opt-ins for the {self.name} cycle are closed."
        if today < self.optin_opens:
            return f"Opt-ins for the {self.name} cycle open on {self.optin_opens:%B %-d, %Y}."
        if today > self.optin_closes:
            return f"Opt-ins for the {self.name} cycle closed on {self.optin_closes:%B %-d, %Y}."
        return None


class Role(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"


class EnrollmentStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a match"
    PAIRED = "paired", "Paired"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""  # for the member: a sentence saying why not, and what to do
    short: str = ""  # for the committee's lists: a few words


MENTEE_CATEGORIES = {MembershipCategory.STUDENT, MembershipCategory.STAFF, MembershipCategory.LIBRARIAN}
MENTOR_CATEGORIES = {MembershipCategory.STAFF, MembershipCategory.LIBRARIAN, MembershipCategory.RETIRED}
ELIGIBLE = Eligibility(True)


def eligibility_of(
    *,
    role: str,
    cycle: Cycle,
    expires_on: dt.date | None,
    category: str,
    years: int | None,
    job_title: str,
    today: dt.date,
) -> Eligibility:
    """The one rule of who may take part, on plain values (the opt-in forms ask it of
    one member, matching of thousands of mentor rows at once).

    Mentees are current members who are library staff or students; mentors are
    current members and seasoned professionals (the cycle's experience threshold).
    Everyone needs a job title: matching depends on it.
    """
    if expires_on is None or expires_on < today:
        return Eligibility(
            False, "Only current members can take part: please renew your membership first.", "membership not current"
        )
    if not job_title:
        return Eligibility(
            False, "Please add your job title to your profile first: matching depends on it.", "no job title"
        )
    if role == Role.MENTEE:
        if category not in MENTEE_CATEGORIES:
            return Eligibility(
                False,
                "Mentees are library staff or students; your membership category is not one of them.",
                "membership category cannot be a mentee",
            )
        return ELIGIBLE
    if category not in MENTOR_CATEGORIES:
        return Eligibility(
            False,
            "Mentors are seasoned library professionals; your membership category is not one of them.",
            "membership category cannot mentor",
        )
    years = years or 0
    if years < cycle.mentor_min_years:
        return Eligibility(
            False,
            f"Mentors in the {cycle.name} cycle have at least {cycle.mentor_min_years} years of library "
            f"experience (your profile says {years}).",
            f"{years} years of experience (the cycle asks {cycle.mentor_min_years})",
        )
    return ELIGIBLE


def eligibility(member: User, cycle: Cycle, role: str, today: dt.date | None = None) -> Eligibility:
    """Whether `member` may opt in to `cycle` as `role`, and if not, why (in words)."""
    return eligibility_of(
        role=role,
        cycle=cycle,
        expires_on=member.expires_on,
        category=member.membership_category,
        years=member.years_experience,
        job_title=member.job_title,
        today=today or timezone.localdate(),
    )


# Waiting for a match, or paired: what "still taking part" means, for every page and service.
TAKING_PART = (EnrollmentStatus.WAITING, EnrollmentStatus.PAIRED)


class EnrollmentQuerySet(models.QuerySet):
    def for_cycle(self, cycle: Cycle) -> EnrollmentQuerySet:
        return self.filter(cycle=cycle)

    def mentors(self) -> EnrollmentQuerySet:
        return self.filter(role=Role.MENTOR)

    def mentees(self) -> EnrollmentQuerySet:
        return self.filter(role=Role.MENTEE)

    def active(self) -> EnrollmentQuerySet:
        """Not withdrawn: still taking part in (or finished with) the cycle."""
        return self.exclude(status=EnrollmentStatus.WITHDRAWN)

    def waiting(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.WAITING)

    def taking_part(self) -> EnrollmentQuerySet:
        """Still in the cycle's game: waiting for a match or paired — not withdrawn, not
        completed. A mentor taking part can be offered (and given) another mentee."""
        return self.filter(status__in=TAKING_PART)

    def of_member(self, member: User) -> EnrollmentQuerySet:
        return self.filter(member=member).select_related("cycle").order_by("-cycle__starts_on", "role")

    def with_member(self) -> EnrollmentQuerySet:
        return self.select_related("member", "cycle")

    SORTS = {
        "name": ("member__last_name", "member__first_name"),
        "-name": ("-member__last_name", "-member__first_name"),
        "job": ("job_title",),
        "-job": ("-job_title",),
        "date": ("created_at",),
        "-date": ("-created_at",),
    }

    def sorted_by(self, key: str, default: str = "-date") -> EnrollmentQuerySet:
        """Order by one of SORTS' keys (a column the committee clicked), then by id for stable pages."""
        return self.order_by(*self.SORTS.get(key, self.SORTS[default]), "pk")

    def search(self, text: str) -> EnrollmentQuerySet:
        """Every word must appear in the name, email, job title or institution."""
        return every_word_in(
            self,
            text,
            ("member__first_name", "member__last_name", "member__email", "job_title", "member__institution"),
        )


class Enrollment(models.Model):
    """A member's opt-in to one cycle in one role, frozen as it was at opt-in time."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="enrollments")
    role = models.CharField(max_length=8, choices=Role.choices)
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.WAITING)

    # Snapshot at opt-in time: matching compares what the member said then, even if
    # the profile changes later in the year.
    job_title = models.CharField(max_length=200, validators=[validate_one_line])
    responsibilities = models.JSONField(default=list, blank=True, validators=[validate_areas])
    responsibilities_other = models.CharField(max_length=500, blank=True)

    goals = models.TextField(help_text="What you hope to get from (or give to) the program.")
    interests = models.TextField(blank=True, help_text="Topics you would like to talk about.")
    meeting_modes = models.JSONField(
        "preferred ways to meet", default=list, blank=True, validators=[validate_meeting_modes]
    )
    capacity = models.PositiveSmallIntegerField(
        "how many mentees", default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # The four commitments (9–12 months, ALA Code of Ethics, confidentiality,
    # orientation) are required together; this records when they were accepted.
    commitments_accepted_at = models.DateTimeField()

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "role", "created_at"]
        constraints = [
            # A withdrawn opt-in is reactivated rather than duplicated.
            models.UniqueConstraint(fields=["member", "cycle", "role"], name="one_enrollment_per_member_cycle_role"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=5), name="enrollment_capacity_1_to_5"),
            models.CheckConstraint(
                condition=Q(role="mentor") | Q(capacity=1), name="mentee_enrollment_capacity_is_one"
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "role", "status"]),
            # The committee's list of a cycle's opt-ins, newest first: read a page off the
            # index instead of sorting the whole cycle.
            models.Index(fields=["cycle", "-created_at", "id"], name="enrollment_cycle_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display().lower()}, {self.cycle}"

    @property
    def is_taking_part(self) -> bool:
        return self.status in TAKING_PART

    @property
    def is_editable(self) -> bool:
        """A member may change or withdraw an opt-in until it is matched."""
        return self.status == EnrollmentStatus.WAITING

    @property
    def is_matched(self) -> bool:
        """In a pair, or was until the pair completed: from here on its status is the pairs service's."""
        return self.status in (EnrollmentStatus.PAIRED, EnrollmentStatus.COMPLETED)

    def responsibility_labels(self) -> list[str]:
        return [Area(a).label for a in self.responsibilities if a in Area.values]

    def meeting_mode_labels(self) -> list[str]:
        return [MeetingMode(m).label for m in self.meeting_modes if m in MeetingMode.values]


# --- Mentoring resources ---------------------------------------------------------------

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
