"""The presets' `[[surveys]]`: the program's default surveys, and the surveys of the cycle taking
opt-ins (registered with members.presets.loading in PairsConfig.ready).

Idempotent: a second run changes nothing. A question is the same question when its words and
kind are: its help text, audience, required and order follow the preset; a question the
preset no longer has leaves the survey (archived when somebody answered it, else deleted); an
answered question whose choices the preset changes is archived and written again, so that its
answers keep meaning what they meant.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import Audience, Cycle, QuestionKind, User
from members.models.questions import PRESET_KINDS
from members.presets.files import PresetError

from .models import Survey, SurveyKind, SurveyQuestion
from .services.surveys import DEFAULT_TITLES

SURVEY_KEYS = {"kind", "title", "intro", "questions", "opens_after_months", "is_on"}
QUESTION_KEYS = {"audience", "kind", "text", "help_text", "choices", "required"}


def _questions(name: str, survey: dict) -> list[dict]:
    out = []
    for i, q in enumerate(survey.get("questions", []), start=1):
        where = f"[[surveys]] {survey['kind']}, question {i}"
        if unknown := sorted(set(q) - QUESTION_KEYS):
            raise PresetError(f"The {name} preset's {where} has unknown keys {', '.join(unknown)}.")
        kind = PRESET_KINDS.get(str(q.get("kind", "")))
        if kind is None:
            raise PresetError(f"The {name} preset's {where}: no such kind “{q.get('kind')}”.")
        audience = str(q.get("audience", Audience.BOTH))
        if audience not in Audience.values:
            raise PresetError(f"The {name} preset's {where}: audience is mentee, mentor or both.")
        out.append(
            {
                "text": str(q.get("text", "")).strip(),
                "kind": QuestionKind(kind).value,
                "help_text": str(q.get("help_text", "")),
                "choices": [str(c) for c in q.get("choices", [])],
                "required": bool(q.get("required", False)),
                "audience": audience,
                "order": i,
            }
        )
    return out


def _apply(name: str, survey: Survey, wanted: list[dict]) -> tuple[int, int, int]:
    """Make `survey`'s live questions the preset's `wanted`: (added, changed, taken out)."""
    added = changed = removed = 0
    have = {(q.text, q.kind): q for q in survey.questions.live().order_by("order", "pk")}
    for w in wanted:
        q = have.pop((w["text"], w["kind"]), None)
        if q is not None and q.choices != w["choices"] and q.answers.exists():
            q.archived_at = timezone.now()
            q.save(update_fields=["archived_at"])
            q = None
        if q is None:
            q = SurveyQuestion(survey=survey)
            added += 1
        elif any(getattr(q, k) != v for k, v in w.items()):
            changed += 1
        else:
            continue
        for k, v in w.items():
            setattr(q, k, v)
        try:
            q.full_clean(exclude=["survey", "archived_at"])
        except ValidationError as e:
            problem = " ".join(e.messages)
            raise PresetError(f"The {name} preset's survey question “{w['text']}” is refused: {problem}") from None
        q.save()
    for q in have.values():
        removed += 1
        if q.answers.exists():
            q.archived_at = timezone.now()
            q.save(update_fields=["archived_at"])
        else:
            q.delete()
    return added, changed, removed


def load_surveys(data: dict, *, name: str, by: User | None) -> list[str]:
    """[[surveys]]: the program's default surveys, and the open cycle's own (a new cycle follows the defaults)."""
    surveys = data.get("surveys", [])
    seen = set()
    parsed = []
    for s in surveys:
        kind = s.get("kind")
        if kind not in SurveyKind.values or kind in seen:
            raise PresetError(f"The {name} preset's [[surveys]]: each of midpoint, closing, exit at most once.")
        if unknown := sorted(set(s) - SURVEY_KEYS):
            raise PresetError(f"The {name} preset's [[surveys]] {kind} has unknown keys {', '.join(unknown)}.")
        seen.add(kind)
        parsed.append((s, _questions(name, s)))
    targets: list[Cycle | None] = [None, *Cycle.objects.open_for_optins()]
    report = []
    for cycle in targets:
        where = f"{cycle.name}'s" if cycle else "The program's default"
        for s, wanted in parsed:
            survey = Survey.objects.filter(cycle=cycle, kind=s["kind"]).first() or Survey(cycle=cycle, kind=s["kind"])
            fields = {
                "title": str(s.get("title") or DEFAULT_TITLES[s["kind"]]),
                "intro": str(s.get("intro", "")).strip(),
                "is_on": bool(s.get("is_on", True)),
                "opens_after_months": s.get("opens_after_months") if s["kind"] == SurveyKind.MIDPOINT else None,
            }
            fresh = survey.pk is None
            edited = fresh or any(getattr(survey, k) != v for k, v in fields.items())
            for k, v in fields.items():
                setattr(survey, k, v)
            if edited:
                survey.save()
            added, changed, removed = _apply(name, survey, wanted)
            if fresh or edited or added or changed or removed:
                report.append(
                    f"{where} {SurveyKind(s['kind']).label.lower()} “{survey.title}”: {len(wanted)} questions "
                    f"({added} added, {changed} changed, {removed} taken out)."
                )
    if not report:
        report.append("Surveys: as the preset has them already.")
    return report
