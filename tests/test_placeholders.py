"""The committee's wording: plain text with placeholders, nothing else read. A broken one is
refused with where it is; values never become markup; the HTML part is made from the text."""

import pytest

from outbox.kinds import ADDRESS, CONDITION, LINK, LIST, TEXT
from outbox.markup import to_html
from outbox.placeholders import PlaceholderError, check, fill, fill_subject

from .test_markup import ALLOWED_TAGS, elements_of

FORMS = {
    "first_name": TEXT,
    "partner_name": TEXT,
    "phone": TEXT,
    "pair_url": LINK,
    "partner_email": ADDRESS,
    "match_reasons": LIST,
    "if_mentee": CONDITION,
    "if_mentor": CONDITION,
}


def html_of(body: str, values: dict) -> str:
    return to_html(fill(body, forms=FORMS, values=values, markdown=True), keep_line_breaks=True)


# --- Refused, with where -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            "Dear {first_name},\n\nYour mentor is {partner_nam}.",
            "Body, line 3, column 16: “{partner_nam}” is not a placeholder",
        ),
        ("Dear {first_name,\nhello", "Body, line 1, column 6: this “{” is not closed on its line"),
        ("Dear {first_name},\nSee you} soon", "Body, line 2, column 8: a “}” closes nothing"),
        ("Dear {{first_name},\nhi", "Body, line 1, column 18: a “}” closes nothing"),
        ("Hello {pair.mentor.member.email}", "Body, column 7: “{pair.mentor.member.email}” is not a placeholder"),
        (
            "{ first_name }",
            "Body, column 1: “{ first_name }” is not a placeholder of this email. Did you mean {first_name}?",
        ),
        ("{}", "Body, column 1: “{}” is not a placeholder"),
    ],
)
def test_a_broken_or_unknown_placeholder_is_refused_with_its_line_and_column(body, said):
    with pytest.raises(PlaceholderError) as refused:
        check("Subject", body, forms=FORMS)

    assert str(refused.value).startswith(said), str(refused.value)


def test_a_close_misspelling_is_answered_with_the_placeholder_meant():
    with pytest.raises(PlaceholderError, match=r"Did you mean \{partner_name\}\?"):
        check("Hi", "Your mentor is {partner_nme}.", forms=FORMS)


def test_the_subject_is_checked_too_and_takes_no_condition():
    with pytest.raises(PlaceholderError, match="^Subject, column 10: “{nobody}”"):
        check("Meet you {nobody}", "Body", forms=FORMS)
    with pytest.raises(PlaceholderError, match="^Subject: {if_mentee} decides whether a line of the body is sent"):
        check("{if_mentee}Welcome", "Body", forms=FORMS)


def test_a_brace_written_twice_is_a_brace():
    check("Hi", "Write {{like this}} to show braces.", forms=FORMS)

    assert fill("Write {{like this}} to show braces.", forms=FORMS, values={}) == "Write {like this} to show braces.\n"


# --- Filled in ---------------------------------------------------------------------------------------


def test_placeholders_become_their_values_in_the_text_part():
    text = fill(
        "Dear {first_name},\n\nYour page: {pair_url}",
        forms=FORMS,
        values={"first_name": "Mina", "pair_url": "https://m.example/pairs/3/"},
    )

    assert text == "Dear Mina,\n\nYour page: https://m.example/pairs/3/\n"


def test_a_line_whose_placeholder_has_nothing_to_say_is_left_out():
    body = "Email: {partner_email}\nPhone: {phone}\nThanks."

    assert fill(body, forms=FORMS, values={"partner_email": "sam@example.org", "phone": ""}) == (
        "Email: sam@example.org\nThanks.\n"
    )


def test_a_condition_keeps_its_line_only_when_it_holds_and_prints_nothing():
    body = "{if_mentee}You will be matched again.\n{if_mentor}Thank you for mentoring.\nBye."

    assert (
        fill(body, forms=FORMS, values={"if_mentee": True, "if_mentor": False}) == "You will be matched again.\nBye.\n"
    )


def test_a_hidden_placeholder_says_nothing_and_its_line_goes():
    body = "Why:\n{match_reasons}\nBye."

    assert (
        fill(body, forms=FORMS, values={"match_reasons": ["Same region"]}, hidden={"match_reasons"}) == "Why:\nBye.\n"
    )


def test_a_list_on_its_own_line_is_a_bulleted_list_and_inline_one_sentence_after_another():
    reasons = {"match_reasons": ["Same region", "Both work in Cataloging"]}

    own_line = fill("Why:\n{match_reasons}", forms=FORMS, values=reasons)
    inline = fill("Why: {match_reasons}", forms=FORMS, values=reasons)

    assert own_line == "Why:\n- Same region\n- Both work in Cataloging\n"
    assert inline == "Why: Same region. Both work in Cataloging.\n"
    html = html_of("Why:\n{match_reasons}", reasons)
    assert "<ul>\n<li>Same region</li>\n<li>Both work in Cataloging</li>\n</ul>" in html


def test_the_subject_is_one_line_with_its_values():
    assert fill_subject("Meet   your mentor: {partner_name}", forms=FORMS, values={"partner_name": "Sam Senior"}) == (
        "Meet your mentor: Sam Senior"
    )


# --- The HTML part: made from the text, values never markup ----------------------------------------------


def test_the_html_part_has_paragraphs_line_breaks_lists_bold_and_links():
    body = "Dear {first_name},\n\nSee **your pair**:\n{pair_url}\n\n- one\n- two\n\nThank you,\nThe Committee"
    html = html_of(body, {"first_name": "Mina", "pair_url": "https://m.example/pairs/3/"})

    assert "<p>Dear Mina,</p>" in html
    assert (
        '<p>See <strong>your pair</strong>:<br />\n<a href="https://m.example/pairs/3/">https://m.example/pairs/3/</a></p>'
        in html
    )
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<p>Thank you,<br />\nThe Committee</p>" in html


def test_an_address_becomes_a_mailto_link_also_as_a_links_target():
    html = html_of(
        "Write to {partner_email} or [click here]({partner_email}).", {"partner_email": "sam_s*x@example.org"}
    )

    assert html.count('href="mailto:sam_s*x@example.org"') == 2


@pytest.mark.parametrize(
    "name",
    [
        "[Click me](https://evil.example)",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "**Bold** _italic_ `code`",
        "# Heading",
        "https://evil.example/phish",
        "www.evil.example",
        "evil@evil.example",
        "> quoted\n1. listed\n    indented code",
        "&lt;b&gt; &amp;",
        "![x](https://evil.example/pixel.png)",
    ],
)
def test_a_members_own_words_never_become_markup_or_a_link(name):
    html = html_of("Dear {first_name},\n\n- {partner_name}\n\nBye", {"first_name": name, "partner_name": name})

    assert {tag for tag, _ in elements_of(html)} <= {"p", "ul", "li", "br"}, html
    assert "href" not in html
    text_of_first_line = html.split("</p>")[0].removeprefix("<p>")
    assert text_of_first_line.startswith("Dear "), html


def test_nothing_the_committee_types_becomes_other_markup_either():
    html = html_of('<a href="https://evil.example">x</a> [y](javascript:alert(1)) {first_name}', {"first_name": "Mina"})

    elements = elements_of(html)
    assert {tag for tag, _ in elements} <= ALLOWED_TAGS
    assert "&lt;a href=" in html  # the tag typed shows as text
    assert [a["href"] for tag, a in elements if tag == "a"] == ["https://evil.example"]  # the address it holds
    assert "javascript" not in " ".join(a.get("href", "") for _, a in elements)
