"""The program's own words: the association's and the program's names, and who signs
its emails — what every page and email reads instead of writing "ArLA".

Today they are the ArLA preset's values; the committee's *Program* settings (issue 13)
keep them in the database behind this same function. Ask `program()`, never write a
name into a template or a message.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    association_name: str = "Arkansas Library Association"
    association_short_name: str = "ArLA"
    program_name: str = "ArLA Mentoring Program"
    committee_name: str = "Mentoring Committee"
    conference_name: str = "ArLA Annual Conference"
    email_sender_name: str = "ArLA Mentoring"


def program() -> Program:
    """The program's settings as they are now."""
    return Program()


def program_context(request) -> dict:
    """Template context processor: `program` on every page."""
    return {"program": program()}
