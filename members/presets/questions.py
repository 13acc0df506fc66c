"""A preset's `[[questions]]`: the program's default opt-in questions.

They become the program's default questions (CycleQuestion rows without a cycle), which
every new cycle starts with a copy of; a cycle taking opt-ins that asks no question of its
own yet gets them too. Loading the same preset twice changes nothing; another preset's
questions replace the defaults (a cycle's own questions, and their answers, stay).
"""

from __future__ import annotations

from ..models import Cycle, CycleQuestion, User
from ..models.questions import PRESET_KINDS, Audience, clean_choices
from ..services import questions as services
from .files import PresetError

KEYS = {"audience", "kind", "text", "help_text", "choices", "required", "match_on"}


def question_values(data: dict) -> list[dict]:
    """[[questions]] as the question service's fields, or PresetError saying which is wrong."""
    out = []
    for n, entry in enumerate(data.get("questions", []), start=1):
        where = f"[[questions]] #{n}"
        if not isinstance(entry, dict):
            raise PresetError(f"{where}: write each question as a table of keys.")
        if unknown := sorted(set(entry) - KEYS):
            raise PresetError(f"{where} has unknown keys {', '.join(unknown)}.")
        kind = PRESET_KINDS.get(str(entry.get("kind", "")))
        if kind is None:
            raise PresetError(f"{where}: kind is one of {', '.join(sorted(PRESET_KINDS))}.")
        audience = str(entry.get("audience", Audience.BOTH))
        if audience not in Audience.values:
            raise PresetError(f"{where}: audience is one of {', '.join(Audience.values)}.")
        out.append(
            {
                "text": str(entry.get("text", "")).strip(),
                "help_text": str(entry.get("help_text", "")).strip(),
                "kind": kind.value,
                "audience": audience,
                "choices": clean_choices([str(c) for c in entry.get("choices", [])]),
                "required": bool(entry.get("required", False)),
                "match_on": bool(entry.get("match_on", False)),
            }
        )
    return out


def _as_loaded(q: CycleQuestion) -> dict:
    return {name: getattr(q, name) for name in services.EDITABLE}


def load_questions(data: dict, *, name: str, by: User | None) -> list[str]:
    wanted = question_values(data)
    defaults = list(CycleQuestion.objects.defaults().order_by("order", "pk"))
    report = []
    if [_as_loaded(q) for q in defaults] == wanted:
        report.append(f"Opt-in questions: the program's {len(wanted)} default questions are unchanged.")
    else:
        # The defaults are nobody's answers (members answer a cycle's copies): replaced whole.
        CycleQuestion.objects.defaults().delete()
        for n, fields in enumerate(wanted, start=1):
            try:
                services.question_add(cycle=None, **fields)
            except services.QuestionError as e:
                raise PresetError(f"The {name} preset's question #{n} is refused, nothing is changed — {e}") from None
        report.append(f"Opt-in questions: the program's default questions are now the preset's {len(wanted)}.")
    for cycle in Cycle.objects.open_for_optins().order_by("pk"):
        if started := services.questions_start(cycle=cycle):
            report.append(f"The {cycle.name} cycle, taking opt-ins, now asks them ({len(started)} questions).")
    return report
