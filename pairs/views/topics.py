"""The committee's discussion topics: a schedule (the program's, or a cycle's own), a topic's
form, deleting one after confirming."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from members.decorators import committee_required
from members.models import Cycle
from outbox.markup import to_html

from ..forms import TopicForm
from ..models import TOPIC_MONTHS, Topic
from ..services import topics as topic_services
from ._common import _posted


def _schedule_url(cycle_id: int | None) -> str:
    url = reverse("pairs:topic-list")
    return f"{url}?cycle={cycle_id}" if cycle_id else url


@committee_required
def topic_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: a schedule of topics, month by month (the program's,
    or a cycle's with the months it takes from the program's)."""
    cycles = list(Cycle.objects.filter(archived_at__isnull=True).order_by("-starts_on", "-pk"))
    cycle = topic_services.cycle_or_none(request.GET.get("cycle"))
    own = {t.month: t for t in Topic.objects.for_cycle(cycle)}
    program_topics = {t.month: t for t in Topic.objects.for_cycle(None)} if cycle else {}
    months = []
    for m in range(1, TOPIC_MONTHS + 1):
        topic = own.get(m)
        inherited = None if topic else program_topics.get(m)
        shown = topic or inherited
        months.append(
            {"month": m, "topic": topic, "inherited": inherited, "html": to_html(shown.text) if shown else ""}
        )
    return render(
        request,
        "pairs/topic_list.html",
        {"cycles": cycles, "cycle": cycle, "months": months, "count": len(own)},
    )


def _topic_form_page(request: HttpRequest, topic: Topic) -> HttpResponse:
    form = TopicForm(_posted(request), instance=topic)
    if request.method == "POST" and form.is_valid():
        try:
            saved = topic_services.topic_save(topic=form.instance, by=request.user)
        except topic_services.TopicAlreadyDone as e:
            messages.info(request, str(e))
            return redirect(_schedule_url(topic.cycle_id))
        except topic_services.TopicError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"Month {saved.month}'s topic “{saved.title}” is saved.")
            return redirect(_schedule_url(saved.cycle_id))
    elif request.method == "POST":
        messages.error(request, "Please correct the errors below: nothing was saved.")
    return render(request, "pairs/topic_form.html", {"form": form, "topic": topic, "cycle": topic.cycle})


@committee_required
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: add a topic to the program's schedule or a cycle's."""
    cycle = topic_services.cycle_or_none(request.GET.get("cycle"))
    month = request.GET.get("month", "")
    topic = Topic(cycle=cycle, month=int(month) if month.isdecimal() and 1 <= int(month) <= TOPIC_MONTHS else None)
    return _topic_form_page(request, topic)


@committee_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, topic_pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: change a topic."""
    return _topic_form_page(request, get_object_or_404(Topic.objects.select_related("cycle"), pk=topic_pk))


@committee_required
@require_http_methods(["GET", "POST"])
def topic_delete(request: HttpRequest, topic_pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: delete a topic, after confirming."""
    if request.method == "POST":
        cycle_id = request.POST.get("cycle", "")
        try:
            topic = topic_services.topic_delete(topic_id=topic_pk)
        except topic_services.TopicAlreadyDone as e:
            messages.info(request, str(e))
            return redirect(_schedule_url(int(cycle_id) if cycle_id.isdecimal() else None))
        messages.success(request, f"Month {topic.month}'s topic “{topic.title}” is deleted.")
        return redirect(_schedule_url(topic.cycle_id))
    topic = get_object_or_404(Topic.objects.select_related("cycle"), pk=topic_pk)
    return render(request, "pairs/topic_delete.html", {"topic": topic, "back": _schedule_url(topic.cycle_id)})
