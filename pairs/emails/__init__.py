"""The emails of a pair's year, as the outbox needs them (`outbox.kinds`), one concept a
module: `kinds` (to whom and when, whether each may be switched off, placeholders, the
shipped wording in `wording/<kind>.txt`), `values` (what the placeholders become for one
occasion, made from the pair), `examples` (real pairs for the committee's preview) and
`news` (what the committee is told about introductions just written).

The services write them (`email_write(kind=…, values=intro_values(pair, "mentor"))`); the
committee rewords them on the site (Committee → Emails). Registered when Django starts
(`PairsConfig.ready`).
"""

from .kinds import register
from .news import introductions_news
from .values import (
    digest_values,
    intro_values,
    partner_left_values,
    side_values,
    thanks_values,
    topic_values,
    unresponsive_values,
)

__all__ = [
    "digest_values",
    "intro_values",
    "introductions_news",
    "partner_left_values",
    "register",
    "side_values",
    "thanks_values",
    "topic_values",
    "unresponsive_values",
]
