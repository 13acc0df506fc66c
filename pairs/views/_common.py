"""What the pairs' pages share: finding the pair a user may see, the cycle asked for, the timeline."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Min, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from members.models import Cycle
from members.program import program
from outbox.models import Email, EmailKind, EmailState

from ..models import (
    CheckIn,
    Evaluation,
    EvaluationKind,
    OrientationAttendance,
    Pair,
)
from ..timeline import milestones


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _visible_pair(request: HttpRequest, pk: int) -> Pair:
    """The pair if the user may see it at all (member, liaison, committee), else 404."""
    return get_object_or_404(Pair.objects.with_people().visible_to(request.user), pk=pk)


def _own_pair(request: HttpRequest, pk: int, *, liaison: bool = False) -> Pair:
    """The pair if the user is its mentor or mentee; 403 for its liaison and the committee, 404 for others.
    Asked of the pair's two members first: that query needs neither the liaisons' nor the
    committee's rights (visible_to), which only the refusal asks for. `liaison`: with the
    liaison's row too, for a page that names them."""
    user = request.user
    pairs = Pair.objects.with_people() if liaison else Pair.objects.with_sides()
    try:
        return pairs.get(Q(mentor__member=user) | Q(mentee__member=user), pk=pk)
    except Pair.DoesNotExist:
        _visible_pair(request, pk)  # 404 for whoever may not see the pair at all
        raise PermissionDenied("Only the mentor and the mentee of this pair can do that.") from None


def _selected_cycle(request: HttpRequest, *, prefer: str = "running") -> tuple[list[Cycle], Cycle | None]:
    """The cycles, and the one asked for in the address or the default (Cycle.objects.chosen)."""
    return Cycle.objects.chosen(request.GET.get("cycle"), prefer=prefer)


def pair_milestones(pair: Pair, today=None, *, for_the_pair: bool = False):
    """The pair's timeline; `for_the_pair`: as its mentor and mentee read it (timeline.milestones)."""
    today = today or timezone.localdate()
    checkins = CheckIn.objects.filter(pair=pair).aggregate(
        first=Min("met_on"), after_midpoint=Min("met_on", filter=Q(met_on__gte=pair.midpoint_on))
    )
    intro = Email.objects.filter(pair=pair, kind__in=[EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE])
    intro_states = list(intro.values_list("state", "sent_at"))
    intro_sent = (
        max(timezone.localtime(s).date() for _, s in intro_states)
        if intro_states and all(state == EmailState.SENT for state, _ in intro_states)
        else None
    )
    # The first goal and both sides' orientation marks in one query, so that the
    # orientation adds nothing to the pair page's query count.
    came = OrientationAttendance.objects.filter(cycle_id=pair.cycle_id, attended=True)
    facts = (
        Pair.objects.filter(pk=pair.pk)
        .annotate(
            first_goal_at=Min("goals__created_at"),
            mentor_came=Exists(came.filter(member_id=pair.mentor.member_id)),
            mentee_came=Exists(came.filter(member_id=pair.mentee.member_id)),
        )
        .values("first_goal_at", "mentor_came", "mentee_came")
        .get()
    )
    first_goal = facts["first_goal_at"]
    closing = list(
        Evaluation.objects.filter(pair=pair, kind=EvaluationKind.CLOSING).values_list("submitted_at", flat=True)
    )
    return milestones(
        created_on=timezone.localtime(pair.created_at).date(),
        orientation_on=pair.cycle.starts_on,
        orientation_done_on=pair.cycle.starts_on if facts["mentor_came"] and facts["mentee_came"] else None,
        starts_on=pair.starts_on,
        midpoint_on=pair.midpoint_on,
        ends_on=pair.ends_on,
        introduction_sent_on=intro_sent,
        first_checkin_on=checkins["first"],
        first_goal_on=timezone.localtime(first_goal).date() if first_goal else None,
        midpoint_checkin_on=checkins["after_midpoint"],
        evaluation_done_on=timezone.localtime(max(closing)).date() if len(closing) == 2 else None,
        ended_on=timezone.localtime(pair.ended_at).date() if pair.ended_at else None,
        today=today,
        orientation=orientation_milestone(),
        for_the_pair=for_the_pair,
        first_contact_on=pair.first_contact_on,
        first_contact_due_on=pair.first_contact_due_on,
    )


def orientation_milestone() -> str:
    """The orientation as a pair's timeline names it, from the program's settings."""
    settings = program()
    return f"{settings.orientation_name} at the {settings.conference_name}"
