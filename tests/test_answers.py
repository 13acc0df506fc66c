"""The mail server's answers in plain words (issue 15, item 10): the committee reads whose
problem it is, never a Python exception. Each case is the text the outbox keeps for an
exception smtplib or the socket raises."""

import smtplib
import socket
import ssl

import pytest

from outbox.answers import UNKNOWN, in_plain_words


def kept(error: Exception) -> str:
    """What `email_send` writes into `last_error` for this exception."""
    return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            smtplib.SMTPRecipientsRefused(
                {"gone@example.org": (550, b"5.1.1 <gone@example.org>: mailbox unavailable")}
            ),
            "The recipient's mail server says this mailbox does not exist: check the address.",
        ),
        (
            smtplib.SMTPRecipientsRefused({"x@example.org": (553, b"5.1.3 Bad recipient address syntax")}),
            "The recipient's mail server says this mailbox does not exist: check the address.",
        ),
        (
            smtplib.SMTPRecipientsRefused({"x@example.org": (552, b"5.2.2 Mailbox full")}),
            "The recipient's mailbox is full.",
        ),
        (
            smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.7.1 Message rejected as spam")}),
            "The recipient's mail server refused the email as a matter of its policy (it may take it for spam).",
        ),
        (
            smtplib.SMTPRecipientsRefused({"x@example.org": (450, b"4.2.1 Try again later")}),
            "The recipient's mail server asked us to try again later.",
        ),
        (
            smtplib.SMTPRecipientsRefused({"x@example.org": (554, b"Transaction failed")}),
            "The recipient's mail server refused the email.",
        ),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "mentoring@arlib.example"),
            "Our mail server refused our sender address: an operator should check DEFAULT_FROM_EMAIL.",
        ),
        (
            smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
            "Our mail server refused our login: an operator should check the user and password in EMAIL_URL.",
        ),
        (
            smtplib.SMTPDataError(451, b"4.3.0 Local error in processing"),
            "The mail server asked us to try again later.",
        ),
        (smtplib.SMTPDataError(552, b"5.3.4 Message too big"), "The mail server refused the email as too large."),
        (
            smtplib.SMTPConnectError(421, b"Too many connections"),
            "The mail server was busy and asked us to try again later.",
        ),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            "The mail server closed the connection before it took the email.",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "Our mail server cannot be reached: it refused the connection (is it running? is EMAIL_URL right?).",
        ),
        (TimeoutError("timed out"), "Our mail server did not answer in time."),
        (TimeoutError("timed out"), "Our mail server did not answer in time."),
        (
            socket.gaierror(-2, "Name or service not known"),
            "Our mail server's name cannot be found: an operator should check EMAIL_URL.",
        ),
        (
            ssl.SSLCertVerificationError(1, "certificate verify failed"),
            "A secure connection to our mail server could not be made.",
        ),
        (OSError(101, "Network is unreachable"), "Our mail server cannot be reached (a network error)."),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else None,
)
def test_each_answer_is_a_sentence_for_the_committee(error, said):
    assert in_plain_words(kept(error)) == said


def test_an_answer_nobody_foresaw_says_the_details_are_for_site_admins():
    assert in_plain_words("KeyError: 'x'") == UNKNOWN
    assert in_plain_words("") == UNKNOWN
