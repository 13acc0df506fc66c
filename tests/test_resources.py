"""Mentoring resources: members suggest, the committee approves or declines, everybody reads."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from members.models import Resource, ResourceStatus
from members.services import resources as resource_services
from pairs.models import Pair

from .factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads land in pytest's temporary folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name="mentoring-goals.pdf", content=b"%PDF-1.4 goals worksheet", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def suggestion(**overrides):
    data = {
        "title": "Setting goals with your mentee",
        "description": "A one-page worksheet for the first meeting.",
        "url": "https://example.org/goals-worksheet",
        "tags": "goals, first meeting",
    }
    data.update(overrides)
    return data


def approved(title="ALA Code of Ethics", *, days_ago=0, tags="ethics", **fields):
    fields.setdefault("url", "https://www.ala.org/tools/ethics")
    return Resource.objects.create(
        title=title,
        description=fields.pop("description", f"About {title.lower()}."),
        tags=tags,
        status=ResourceStatus.APPROVED,
        reviewed_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


def suggested(by, title="Ten questions for a first meeting", **fields):
    fields.setdefault("url", "https://example.org/ten-questions")
    return Resource.objects.create(title=title, description="Icebreakers.", suggested_by=by, **fields)


# --- Suggesting ------------------------------------------------------------------------------


def test_member_suggests_a_link_is_thanked_and_sees_it_waiting_on_the_list(client_for, member):
    client = client_for(member)

    response = client.post(reverse("members:resource-suggest"), suggestion(), follow=True)

    assert "Thank you: the committee will review it." in response.text
    resource = Resource.objects.get()
    assert (resource.status, resource.suggested_by, resource.reviewed_by) == ("suggested", member, None)
    assert resource.tags == "goals, first meeting"
    page = response.text
    assert "Your suggestions" in page and "Waiting for review" in page
    assert "Setting goals with your mentee" in page
    assert "0 resources" in page  # not on the list of approved resources yet


def test_member_suggests_a_file_and_it_is_kept_under_resources_of_the_year(client_for, member, media_root):
    client_for(member).post(reverse("members:resource-suggest"), suggestion(url="", file=upload()))

    resource = Resource.objects.get()
    assert resource.file.name.startswith(f"resources/{timezone.now():%Y}/mentoring-goals")
    assert (media_root / resource.file.name).read_bytes() == b"%PDF-1.4 goals worksheet"


def test_suggestion_without_a_link_or_a_file_is_refused_and_nothing_is_saved(client_for, member):
    response = client_for(member).post(reverse("members:resource-suggest"), suggestion(url=""))

    assert response.status_code == 200
    assert "Give a link or upload a file: a resource needs one of them." in response.text
    assert not Resource.objects.exists()


def test_file_over_10_mb_is_refused_with_the_limit_in_the_message(client_for, member, media_root):
    big = upload("handbook.pdf", b"x" * (10 * MB + 1))

    response = client_for(member).post(reverse("members:resource-suggest"), suggestion(url="", file=big))

    assert "a resource file can be at most 10 MB" in response.text
    assert "Share a link to a larger file instead." in response.text
    assert not Resource.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.pdf"))


def test_file_of_exactly_10_mb_is_accepted(client_for, member):
    client_for(member).post(
        reverse("members:resource-suggest"), suggestion(url="", file=upload("handbook.pdf", b"x" * (10 * MB)))
    )

    assert Resource.objects.get().file.size == 10 * MB


# " .pdf" is saved as ".pdf" (the storage strips the space): a name without an extension,
# which the form once let through and the model then refused (found by tests/test_fuzz.py).
@pytest.mark.parametrize("name", ["page.html", "tool.exe", "slides.key", "photo.jpg", "no-extension", " .pdf", ".pdf"])
def test_file_of_a_type_not_allowed_is_refused_with_the_allowed_types(client_for, member, name):
    response = client_for(member).post(
        reverse("members:resource-suggest"), suggestion(url="", file=upload(name, b"<script>1</script>", "text/html"))
    )

    assert "cannot be uploaded. Upload a PDF, Word, PowerPoint, Excel, OpenDocument or text file" in response.text
    assert "pdf, pptx, ppt, docx, doc, xlsx, txt, odt, odp" in response.text
    assert not Resource.objects.exists()


@pytest.mark.parametrize("name", ["a.pdf", "b.pptx", "c.PPT", "d.docx", "e.doc", "f.xlsx", "g.txt", "h.odt", "i.odp"])
def test_each_allowed_type_of_file_is_accepted(client_for, member, name):
    client_for(member).post(reverse("members:resource-suggest"), suggestion(url="", file=upload(name, b"content")))

    assert Resource.objects.get().filename == name


def test_tags_are_tidied_lower_case_and_without_duplicates(client_for, member):
    client_for(member).post(
        reverse("members:resource-suggest"), suggestion(tags=" Goals,first meeting ,, goals, E-Mentoring ")
    )

    assert Resource.objects.get().tag_list() == ["goals", "first meeting", "e-mentoring"]


def test_committee_adds_a_resource_and_it_is_on_the_list_at_once(client_for, committee, member):
    response = client_for(committee).post(reverse("members:resource-suggest"), suggestion(), follow=True)

    assert "“Setting goals with your mentee” is on the resource list." in response.text
    resource = Resource.objects.get()
    assert (resource.status, resource.reviewed_by) == ("approved", committee)
    assert resource.reviewed_at is not None
    assert "Setting goals with your mentee" in client_for(member).get(reverse("members:resource-list")).text


def test_suggest_page_says_add_for_the_committee_and_suggest_for_members(client_for, member, committee):
    assert "Suggest a resource" in client_for(member).get(reverse("members:resource-suggest")).text
    assert "Add a resource" in client_for(committee).get(reverse("members:resource-suggest")).text


def test_a_resource_needs_a_link_or_a_file_in_the_model_and_in_the_database():
    resource = Resource(title="Nothing to open", description="Neither link nor file.")
    with pytest.raises(ValidationError) as e:
        resource.full_clean()
    assert e.value.message_dict["url"] == ["Give a link or upload a file: a resource needs one of them."]

    with pytest.raises(IntegrityError):
        Resource.objects.create(title="Nothing to open", description="Neither link nor file.")


# --- Reviewing -------------------------------------------------------------------------------


def test_committee_sees_pending_suggestions_with_who_suggested_them(client_for, committee, member):
    suggested(member)
    approved("Already on the list")

    page = client_for(committee).get(reverse("members:resource-review")).text

    assert "Ten questions for a first meeting" in page and "Mina Member" in page
    assert 'aria-label="Approve Ten questions for a first meeting"' in page
    assert 'aria-label="Approve Already on the list"' not in page


def test_committee_approves_a_suggestion_and_every_member_sees_it(client_for, committee, member, stranger):
    resource = suggested(member)

    response = client_for(committee).post(
        reverse("members:resource-decide", args=[resource.pk]), {"action": "approve"}, follow=True
    )

    assert "“Ten questions for a first meeting” is approved: every member sees it now." in response.text
    resource.refresh_from_db()
    assert (resource.status, resource.reviewed_by) == ("approved", committee)
    assert "Ten questions for a first meeting" in client_for(stranger).get(reverse("members:resource-list")).text


def test_committee_declines_with_a_reason_and_the_member_sees_the_reason(client_for, committee, member, stranger):
    resource = suggested(member)

    response = client_for(committee).post(
        reverse("members:resource-decide", args=[resource.pk]),
        {"action": "decline", "reason": "The link needs a paid subscription."},
        follow=True,
    )

    assert "“Ten questions for a first meeting” is declined." in response.text
    resource.refresh_from_db()
    assert (resource.status, resource.decline_reason) == ("declined", "The link needs a paid subscription.")
    mine = client_for(member).get(reverse("members:resource-list")).text
    assert "Declined" in mine and "The link needs a paid subscription." in mine
    assert "Ten questions for a first meeting" not in client_for(stranger).get(reverse("members:resource-list")).text


@pytest.mark.parametrize("many", [False, True], ids=["one", "ticked"])
def test_a_reason_with_a_nul_is_refused_and_changes_nothing(client_for, committee, member, many):
    """The reason is posted as it is, not through a form: a NUL (no text; PostgreSQL refuses it
    in a string) was a server error."""
    resource = suggested(member)
    url, data = reverse("members:resource-decide", args=[resource.pk]), {}
    if many:
        url, data = reverse("members:resource-decide-many"), {"resource": [resource.pk]}

    response = client_for(committee).post(url, {**data, "action": "decline", "reason": "Paid\x00"}, follow=True)

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.text
    resource.refresh_from_db()
    assert (resource.status, resource.decline_reason) == ("suggested", "")


def test_deciding_a_suggestion_decided_meanwhile_is_refused_and_changes_nothing(client_for, committee, member):
    resource = suggested(member)
    resource_services.resource_decide(resource=resource, approve=False, by=committee, reason="Out of date.")

    # A second committee member's review page still shows the suggestion.
    response = client_for(committee).post(
        reverse("members:resource-decide", args=[resource.pk]), {"action": "approve"}, follow=True
    )

    assert "“Ten questions for a first meeting” was already declined by Carol Committee: nothing was changed." in (
        response.text
    )
    resource.refresh_from_db()
    assert (resource.status, resource.decline_reason) == ("declined", "Out of date.")


def test_a_decision_without_approve_or_decline_changes_nothing(client_for, committee, member):
    resource = suggested(member)

    response = client_for(committee).post(
        reverse("members:resource-decide", args=[resource.pk]), {"action": "close"}, follow=True
    )

    assert "Choose whether to approve or to decline the suggestion." in response.text
    assert Resource.objects.get().status == "suggested"


def test_member_cannot_approve_their_own_suggestion(client_for, member):
    resource = suggested(member)

    response = client_for(member).post(reverse("members:resource-decide", args=[resource.pk]), {"action": "approve"})

    assert response.status_code == 403
    assert Resource.objects.get().status == "suggested"
    with pytest.raises(resource_services.ResourceError):
        resource_services.resource_decide(resource=resource, approve=True, by=member)


# --- Reading ---------------------------------------------------------------------------------


def test_member_sees_approved_resources_newest_first_with_their_tags(client_for, member):
    approved("Older", days_ago=5, tags="orientation, slides")
    approved("Newer", days_ago=1, tags="ethics")

    page = client_for(member).get(reverse("members:resource-list")).text

    assert page.index("Newer") < page.index("Older")
    assert 'href="?tag=slides"' in page and 'href="?tag=ethics"' in page
    assert "2 resources" in page


def test_member_does_not_see_others_suggestions_or_declined_ones(client_for, member, stranger, committee):
    suggested(stranger, title="Stranger's pending idea")
    declined = suggested(stranger, title="Stranger's declined idea")
    resource_services.resource_decide(resource=declined, approve=False, by=committee)

    page = client_for(member).get(reverse("members:resource-list")).text

    assert "Stranger's pending idea" not in page and "Stranger's declined idea" not in page
    assert "Your suggestions" not in page


def test_member_searches_resources_by_words_of_the_title_description_or_tags(client_for, member):
    approved("ALA Code of Ethics", tags="ethics")
    approved("E-mentoring tips", description="Meeting by video and email.", tags="e-mentoring")
    client = client_for(member)

    by_description = client.get(reverse("members:resource-list"), {"q": "video"}).text
    by_tag = client.get(reverse("members:resource-list"), {"q": "ethics"}).text

    assert "E-mentoring tips" in by_description and "ALA Code of Ethics" not in by_description
    assert "ALA Code of Ethics" in by_tag and "E-mentoring tips" not in by_tag


def test_member_filters_by_a_whole_tag(client_for, member):
    approved("Goal worksheet", tags="goals, worksheets")
    approved("Goal setting video", tags="goal setting")

    page = client_for(member).get(reverse("members:resource-list"), {"tag": "Goals"}).text

    assert "Goal worksheet" in page and "Goal setting video" not in page
    assert "1 resource tagged “goals”" in page
    assert '<option value="goal setting">' in page  # every tag is offered in the filter


def test_resource_list_is_paginated(client_for, member):
    for i in range(25):
        approved(f"Resource number {i:02d}", days_ago=i)
    client = client_for(member)

    first = client.get(reverse("members:resource-list")).text
    second = client.get(reverse("members:resource-list"), {"page": 2}).text

    assert "Resource number 00" in first and "Resource number 19" in first and "Resource number 20" not in first
    assert "Resource number 20" in second and "Resource number 24" in second and "Page 2 of 2" in second


# --- Files -----------------------------------------------------------------------------------


def slides():
    return SimpleUploadedFile("orientation.pdf", b"%PDF-1.4 slides")


def test_member_downloads_an_approved_resource_file(client_for, member):
    resource = approved("Orientation slides", url="", file=slides())

    response = client_for(member).get(reverse("members:resource-file", args=[resource.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"
    assert response["Content-Disposition"] == 'attachment; filename="orientation.pdf"'
    assert response["Content-Type"] == "application/pdf"


def test_visitor_is_sent_to_log_in_for_a_file(client):
    resource = approved("Orientation slides", url="", file=slides())

    response = client.get(reverse("members:resource-file", args=[resource.pk]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_file_of_a_suggestion_is_for_the_committee_and_who_suggested_it(client_for, member, stranger, committee):
    resource = suggested(member, url="", file=slides())
    url = reverse("members:resource-file", args=[resource.pk])

    assert client_for(stranger).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200
    assert client_for(committee).get(url).status_code == 200

    resource_services.resource_decide(resource=resource, approve=False, by=committee)
    assert client_for(stranger).get(url).status_code == 404


def test_a_resource_without_a_file_or_with_its_file_gone_answers_404(client_for, member):
    link_only = approved("Link only")
    gone = approved("Gone", url="", file=slides())
    gone.file.storage.delete(gone.file.name)
    client = client_for(member)

    assert client.get(reverse("members:resource-file", args=[link_only.pk])).status_code == 404
    assert client.get(reverse("members:resource-file", args=[gone.pk])).status_code == 404


def test_files_are_not_served_from_the_media_url(client_for, member, settings):
    resource = approved("Orientation slides", url="", file=slides())

    assert client_for(member).get(settings.MEDIA_URL + resource.file.name).status_code == 404


# --- The pair page, the navigation, the admin, the demo data -----------------------------------


def test_pair_page_lists_the_five_newest_approved_resources(client_for, cycle, seasoned_member, member):
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role="mentor", status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
    )
    for i in range(6):
        approved(f"Approved resource {i}", days_ago=i)
    suggested(member, title="Still waiting")

    page = client_for(member).get(reverse("pairs:pair-detail", args=[pair.pk])).text

    assert all(f"Approved resource {i}" in page for i in range(5))
    assert "Approved resource 5" not in page and "Still waiting" not in page
    assert reverse("members:resource-list") in page
    assert Pair.objects.count() == 1


def test_navigation_has_resources_for_members_and_the_review_for_the_committee(client_for, member, committee):
    member_page = client_for(member).get(reverse("members:profile")).text
    committee_page = client_for(committee).get(reverse("members:profile")).text

    assert ">Resources</a>" in member_page and "Resources to review" not in member_page
    assert "Resources to review" in committee_page


def test_approving_in_the_admin_records_who_reviewed(client_for, site_admin, member):
    # The committee's own admin rights are in tests/test_authorization.py (COMMITTEE_ADMIN).
    resource = suggested(member)
    client = client_for(site_admin)
    assert client.get(reverse("admin:members_resource_changelist"), {"q": "questions"}).status_code == 200

    response = client.post(
        reverse("admin:members_resource_change", args=[resource.pk]),
        {
            "title": resource.title,
            "description": resource.description,
            "url": resource.url,
            "tags": "",
            "status": "approved",
            "suggested_by": member.pk,
            "reviewed_by": "",
            "reviewed_at_0": "",
            "reviewed_at_1": "",
            "decline_reason": "",
        },
    )

    assert response.status_code == 302, response.text
    resource.refresh_from_db()
    assert (resource.status, resource.reviewed_by) == ("approved", site_admin)
    assert resource.reviewed_at is not None


def test_seed_demo_lists_four_approved_resources_once():
    call_command("seed_demo", "--members", "0")
    call_command("seed_demo", "--members", "0")

    resources = Resource.objects.approved()
    assert resources.count() == 4
    assert set(resources.values_list("title", flat=True)) == {
        "Mentoring orientation slides",
        "ALA Code of Ethics",
        "LLAMA Mentoring FAQ for the mentee",
        "E-mentoring tips",
    }
    assert resources.filter(url="https://www.ala.org/tools/ethics").exists()
