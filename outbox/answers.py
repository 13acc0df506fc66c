"""The mail server's answers in plain words, for the committee.

A row keeps the answer as Python gave it (`Email.last_error`: "SMTPRecipientsRefused:
{'…': (550, b'5.1.1 …')}"), which only site admins read. The committee reads a sentence
made from it: the SMTP reply code (RFC 5321) and, when given, the enhanced status code
(RFC 3463: 5.1.1 no such mailbox, 5.2.2 mailbox full, 5.7.x refused by policy) say whose
problem it is — the recipient's address, their server, or ours — and whether trying
again can help.
"""

from __future__ import annotations

import re

_TYPE = re.compile(r"^(\w+): ?")
_CODE = re.compile(r"\((\d{3}),")
_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")

UNKNOWN = "The email could not be sent (the details are for site admins)."


def _recipient_refused(code: int, enhanced: tuple[str, str, str] | None) -> str:
    if enhanced and enhanced[1:] == ("2", "2") or code == 552:
        return "The recipient's mailbox is full."
    if enhanced and enhanced[1] == "7":
        return "The recipient's mail server refused the email as a matter of its policy (it may take it for spam)."
    if code in (550, 551, 553) or enhanced and enhanced[1] == "1":
        return "The recipient's mail server says this mailbox does not exist: check the address."
    if 400 <= code < 500:
        return "The recipient's mail server asked us to try again later."
    return "The recipient's mail server refused the email."


def _message_refused(code: int, enhanced: tuple[str, str, str] | None) -> str:
    if 400 <= code < 500:
        return "The mail server asked us to try again later."
    if code == 552 or enhanced and enhanced[1:] == ("3", "4"):
        return "The mail server refused the email as too large."
    if enhanced and enhanced[1] == "7":
        return "The mail server refused the email as a matter of its policy (it may take it for spam)."
    return "The mail server refused the email."


def in_plain_words(raw: str) -> str:
    """A sentence for the committee about the mail server's answer `raw` ("Type: message")."""
    match = _TYPE.match(raw)
    kind = match.group(1) if match else ""
    code_match = _CODE.search(raw)
    code = int(code_match.group(1)) if code_match else 0
    enhanced_match = _ENHANCED.search(raw)
    enhanced = enhanced_match.groups() if enhanced_match else None
    if kind == "SMTPRecipientsRefused":
        return _recipient_refused(code, enhanced)
    if kind == "SMTPSenderRefused":
        return "Our mail server refused our sender address: an operator should check DEFAULT_FROM_EMAIL."
    if kind == "SMTPAuthenticationError":
        return "Our mail server refused our login: an operator should check the user and password in EMAIL_URL."
    if kind == "SMTPDataError":
        return _message_refused(code, enhanced)
    if kind == "SMTPConnectError" or code == 421:
        return "The mail server was busy and asked us to try again later."
    if kind == "SMTPServerDisconnected":
        return "The mail server closed the connection before it took the email."
    if kind == "SMTPNotSupportedError":
        return "Our mail server does not offer what EMAIL_URL asks of it (such as a secure connection)."
    if kind == "ConnectionRefusedError":
        return "Our mail server cannot be reached: it refused the connection (is it running? is EMAIL_URL right?)."
    if kind in ("TimeoutError", "timeout"):
        return "Our mail server did not answer in time."
    if kind == "gaierror":
        return "Our mail server's name cannot be found: an operator should check EMAIL_URL."
    if kind.startswith("SSL"):
        return "A secure connection to our mail server could not be made."
    if code:
        return _message_refused(code, enhanced)
    if kind.endswith("Error") and "Errno" in raw:
        return "Our mail server cannot be reached (a network error)."
    return UNKNOWN
