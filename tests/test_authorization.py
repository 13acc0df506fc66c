"""Who may use which page: one row per URL name, one answer per role.

Every URL the site serves must have a row here (the last test fails otherwise),
so each new page states who may use it. Owner-only pages are probed with an object
that belongs to somebody else: everyone gets 404 there; the owner's own access is
tested with the feature.
"""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from matching.models import Proposal
from members.models import Cycle, Resource, ResourceStatus
from pairs.models import CheckIn, Email, Evaluation, Goal, Pair

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db

OK = 200
LOGIN = "login"  # 302 to the login page
AWAY = "away"  # 302 somewhere else (e.g. a logged-in user opening the signup page)
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405  # POST-only actions answer GET so; their POST is proven below
ROLES = ("visitor", "member", "committee", "site_admin")

#                                               visitor    member     committee  site_admin
TABLE = {
    "members:program":                          (OK,       OK,        OK,        OK),
    "members:program-mentor":                   (OK,       OK,        OK,        OK),
    "members:program-mentee":                   (OK,       OK,        OK,        OK),
    "members:profile":                          (LOGIN,    OK,        OK,        OK),
    "members:profile-edit":                     (LOGIN,    OK,        OK,        OK),
    "members:membership-join":                  (LOGIN,    AWAY,      AWAY,      AWAY),
    "members:membership-renew":                 (LOGIN,    OK,        OK,        OK),
    "members:enrollment-create":                (LOGIN,    OK,        OK,        OK),
    "members:enrollment-edit":                  (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "members:enrollment-withdraw":              (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "members:enrollment-list":                  (LOGIN,    FORBIDDEN, OK,        OK),
    "members:cycle-list":                       (LOGIN,    FORBIDDEN, OK,        OK),
    "members:cycle-create":                     (LOGIN,    FORBIDDEN, OK,        OK),
    "members:cycle-edit":                       (LOGIN,    FORBIDDEN, OK,        OK),
    "members:cycle-toggle":                     (LOGIN,    FORBIDDEN, OK,        OK),
    "members:resource-list":                    (LOGIN,    OK,        OK,        OK),
    "members:resource-suggest":                 (LOGIN,    OK,        OK,        OK),
    "members:resource-file":                    (LOGIN,    OK,        OK,        OK),
    "members:resource-review":                  (LOGIN,    FORBIDDEN, OK,        OK),
    "members:resource-decide":                  (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "matching:home":                            (LOGIN,    FORBIDDEN, AWAY,      AWAY),
    "matching:dashboard":                       (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:weights":                         (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "matching:suggestions":                     (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:pair":                            (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:proposal":                        (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:proposal-solve":                  (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "matching:proposal-edit":                   (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "matching:proposal-confirm":                (LOGIN,    FORBIDDEN, AWAY,      AWAY),
    "matching:proposal-discard":                (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "matching:health-home":                     (LOGIN,    FORBIDDEN, AWAY,      AWAY),
    "matching:health":                          (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:export":                          (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:import":                          (LOGIN,    FORBIDDEN, OK,        OK),
    "matching:import-confirm":                  (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "matching:import-template":                 (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:pair-list":                          (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:pair-create":                        (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:pair-mine":                          (LOGIN,    OK,        OK,        OK),
    "pairs:email-list":                         (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:email-resend":                       (LOGIN,    FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED),
    "pairs:evaluation-summary":                 (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:orientation":                        (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:my-data":                            (LOGIN,    OK,        OK,        OK),
    "pairs:my-data-download":                   (LOGIN,    OK,        OK,        OK),
    "pairs:account-delete":                     (LOGIN,    OK,        OK,        OK),
    "pairs:pair-detail":                        (LOGIN,    NOT_FOUND, OK,        OK),
    "pairs:pair-calendar":                      (LOGIN,    NOT_FOUND, OK,        OK),
    "pairs:pair-end":                           (LOGIN,    FORBIDDEN, OK,        OK),
    "pairs:checkin-create":                     (LOGIN,    NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "pairs:goal-create":                        (LOGIN,    NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "pairs:goal-edit":                          (LOGIN,    NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "pairs:pair-report":                        (LOGIN,    NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "pairs:evaluation":                         (LOGIN,    NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "health":                                   (OK,       OK,        OK,        OK),
    "account_login":                            (OK,       AWAY,      AWAY,      AWAY),
    "account_logout":                           (AWAY,     OK,        OK,        OK),
    "account_inactive":                         (OK,       OK,        OK,        OK),
    "account_signup":                           (OK,       AWAY,      AWAY,      AWAY),
    "account_reauthenticate":                   (LOGIN,    OK,        OK,        OK),
    "account_email":                            (LOGIN,    OK,        OK,        OK),
    "account_email_verification_sent":          (OK,       OK,        OK,        OK),
    "account_change_password":                  (LOGIN,    OK,        OK,        OK),
    "account_set_password":                     (LOGIN,    AWAY,      AWAY,      AWAY),
    "account_reset_password":                   (OK,       OK,        OK,        OK),
    "account_confirm_login_code":               (LOGIN,    AWAY,      AWAY,      AWAY),
    "account_confirm_email":                    (OK,       OK,        OK,        OK),
    "account_reset_password_from_key_done":     (OK,       OK,        OK,        OK),
    "account_reset_password_from_key":          (OK,       OK,        OK,        OK),
    "account_reset_password_done":              (OK,       OK,        OK,        OK),
}  # fmt: skip

# Arguments for URLs that need them: somebody else's objects, or keys that do not exist.
ARGS = {
    "members:enrollment-edit": lambda o: {"pk": o.enrollment.pk},
    "members:enrollment-withdraw": lambda o: {"pk": o.enrollment.pk},
    "members:cycle-edit": lambda o: {"pk": o.enrollment.cycle_id},
    **{
        f"matching:{name}": lambda o: {"cycle_id": o.enrollment.cycle_id}
        for name in (
            "dashboard",
            "weights",
            "proposal",
            "proposal-solve",
            "proposal-edit",
            "proposal-confirm",
            "proposal-discard",
            "health",
        )
    },
    "matching:export": lambda o: {"cycle_id": o.enrollment.cycle_id, "what": "pairs", "fmt": "csv"},
    "matching:suggestions": lambda o: {"cycle_id": o.enrollment.cycle_id, "pk": o.enrollment.pk},
    "matching:pair": lambda o: {
        "cycle_id": o.enrollment.cycle_id,
        "pk": o.enrollment.pk,
        "mentor_pk": o.pair.mentor_id,
    },
    "members:cycle-toggle": lambda o: {"pk": o.enrollment.cycle_id},
    # An approved resource with a file, suggested by nobody among the personas.
    "members:resource-file": lambda o: {"pk": o.resource.pk},
    "members:resource-decide": lambda o: {"pk": o.suggestion.pk},
    "account_confirm_email": lambda o: {"key": "not-a-real-key"},
    "account_reset_password_from_key": lambda o: {"uidb36": "zz", "key": "not-a-real-key"},
    "pairs:email-resend": lambda o: {"pk": o.email.pk},
    "pairs:goal-edit": lambda o: {"pk": o.pair.pk, "goal_pk": o.goal.pk},
    **{
        f"pairs:{name}": lambda o: {"pk": o.pair.pk}
        for name in (
            "pair-detail",
            "pair-calendar",
            "pair-end",
            "checkin-create",
            "goal-create",
            "pair-report",
            "evaluation",
        )
    },
}

# The Django admin guards itself: staff only, then model permissions. Checked below
# for every admin URL that takes no argument.
ADMIN_NAMESPACE = "admin:"
# What the Mentoring Committee group may see in the admin (members/migrations/0002).
COMMITTEE_ADMIN = {
    "members_cycle",
    "members_enrollment",
    "members_user",
    "pairs_pair",
    "pairs_email",
    "pairs_evaluation",
    "members_resource",
}


def all_url_names():
    def walk(resolver, namespace=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield namespace + p.name

    return set(walk(get_resolver()))


@pytest.fixture
def personas(member, committee, site_admin):
    return {"visitor": None, "member": member, "committee": committee, "site_admin": site_admin}


def answer(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("account_login")) else AWAY
    return response.status_code


CASES = [(name, role, expected) for name, row in TABLE.items() for role, expected in zip(ROLES, row, strict=True)]


@pytest.fixture
def others(cycle, settings, tmp_path):
    """Objects that belong to none of the personas."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pair = PairFactory(cycle=cycle)
    resource = Resource(
        title="Orientation slides", description="The fall conference's slides.", status=ResourceStatus.APPROVED
    )
    resource.file.save("orientation.pdf", ContentFile(b"%PDF-1.4 slides"))
    return SimpleNamespace(
        enrollment=EnrollmentFactory(cycle=cycle),
        pair=pair,
        resource=resource,
        suggestion=Resource.objects.create(
            title="Their suggestion", description="Waiting for review.", url="https://example.org/theirs"
        ),
        goal=Goal.objects.create(pair=pair, title="Their goal"),
        email=Email.objects.create(
            kind="intro_mentor", key="k", to="x@example.org", subject="s", body_text="b", state="failed"
        ),
    )


HIJACK = {
    "goals": "hijacked",
    "title": "hijacked",
    "met_on": "2020-01-01",
    "mode": "email",
    "reason": "hijacked",
    "overall": "1",
    "relationship": "1",
    "goals_met": "1",
    "name": "hijacked",
    "action": "close",
}


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_each_role_gets_the_expected_answer(client_for, personas, others, name, role, expected):
    url = reverse(name, kwargs=ARGS[name](others) if name in ARGS else None)
    client = client_for(personas[role])

    assert answer(client.get(url)) == expected, f"GET {url} as {role}"
    if expected in (LOGIN, FORBIDDEN, NOT_FOUND):
        # A refused reader is refused as a writer too, and nothing changes.
        assert answer(client.post(url, HIJACK)) == expected, f"POST {url} as {role}"
        others.enrollment.refresh_from_db()
        assert others.enrollment.goals != "hijacked" and others.enrollment.status == "waiting"
        assert not CheckIn.objects.exists() and not Evaluation.objects.exists() and not Proposal.objects.exists()
        assert list(Goal.objects.values_list("title", flat=True)) == ["Their goal"]
        assert Pair.objects.get().status == "active" and Email.objects.get(pk=others.email.pk).state == "failed"
        cycle = Cycle.objects.get(pk=others.enrollment.cycle_id)
        assert cycle.is_open and cycle.name != "hijacked" and Cycle.objects.count() == 1
        assert Resource.objects.get(pk=others.suggestion.pk).status == ResourceStatus.SUGGESTED
        assert Resource.objects.count() == 2


def admin_urls():
    urls = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "admin":
            for p in pattern.url_patterns:
                if isinstance(p, URLPattern) and p.name and not p.pattern.converters and "(?P" not in str(p.pattern):
                    urls.append(f"admin:{p.name}")
    return sorted(urls)


@pytest.mark.parametrize("name", [n for n in admin_urls() if n.endswith("_changelist")] + ["admin:index"])
def test_admin_is_for_staff_and_the_committee_sees_its_models_only(client_for, personas, name):
    url = reverse(name)
    login_url = reverse("admin:login")
    for role in ("visitor", "member"):
        response = client_for(personas[role]).get(url)
        assert response.status_code == 302 and response["Location"].startswith(login_url), role
    committee_expected = (
        200 if name == "admin:index" or name[6:].removesuffix("_changelist") in COMMITTEE_ADMIN else 403
    )
    assert client_for(personas["committee"]).get(url).status_code == committee_expected
    assert client_for(personas["site_admin"]).get(url).status_code == 200


def test_every_url_of_the_site_has_a_row():
    missing = {n for n in all_url_names() if n not in TABLE and not n.startswith(ADMIN_NAMESPACE)}

    assert not missing, f"Add these URL names to TABLE, saying who may use them: {sorted(missing)}"
