"""A member of the association: the account, the profile and the membership term; the
Mentoring Committee's group and its permissions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..program import program
from .values import Area, LibraryType, MembershipCategory, validate_areas, validate_one_line, validate_region

COMMITTEE_GROUP = "Mentoring Committee"


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


def person_label(first_name: str, last_name: str, email: str) -> str:
    """How the site names a member (str(user)): the full name, else the address; for rows read
    as columns too."""
    return f"{first_name} {last_name}".strip() or email


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
    # A code of the program's regions (its settings name them): no fixed choices here, so
    # that an association lists its own, and a code stays valid when its region is renamed.
    region = models.CharField(max_length=16, blank=True, validators=[validate_region])
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
        # The lists of members (the admin's, 50 a page) read the first rows of this order off
        # the index, where PostgreSQL sorted every member for each page (14 ms at 10,000).
        indexes = [models.Index(fields=["last_name", "first_name", "email"], name="user_name_order")]
        # The committee's role, as a permission (DESIGN.md: roles are groups and permissions):
        # the Mentoring Committee's group holds it, site admins hold every permission.
        permissions = [("run_program", "Can run the mentoring program (the committee's pages)")]

    def __str__(self) -> str:
        return person_label(self.first_name, self.last_name, self.email)

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

    def get_region_display(self) -> str:
        """The region as the program's settings name it now."""
        return program().region_name(self.region) if self.region else ""

    def profile_shown(self) -> dict:
        """The profile as a person reads it, by the fields' names in words ("years_of_library_experience"):
        choices by their labels, responsibility areas by theirs."""
        shown = {}
        for name in PROFILE_FIELDS:
            field = self._meta.get_field(name)
            if name == "responsibilities":
                value = self.responsibility_labels()
            elif field.choices or name == "region":
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
    "members.add_cyclequestion",
    "members.change_cyclequestion",
    "members.view_cyclequestion",
    "members.view_answer",
    "pairs.add_pair",
    "pairs.change_pair",
    "pairs.view_pair",
    "pairs.view_evaluation",
    "pairs.view_goal",
    "pairs.view_survey",
    "pairs.view_surveyquestion",
    "outbox.view_email",
    "outbox.change_email",
    "outbox.view_emailtemplate",
    "outbox.add_emailtemplate",
    "matching.add_titleterm",
    "matching.change_titleterm",
    "matching.delete_titleterm",
    "matching.view_titleterm",
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
