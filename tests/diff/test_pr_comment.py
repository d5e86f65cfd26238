"""The pull-request comment (`diff --format markdown`) against hostile content (issue 12, item 6).

Every content-derived string goes into the comment; the comment is rendered with cmarkgfm (GitHub's own
renderer, unsafe mode: raw HTML kept, as GitHub keeps the tags it allows) and the HTML is parsed: no tag or
attribute beyond what the writer itself emits, and no text GitHub would turn into a ping or an issue link.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from reglament.diagnostics import Diagnostic
from reglament.diff.formats import format_markdown
from reglament.diff.model import (
    Changes,
    FieldChange,
    ImpactReason,
    ItemChange,
    ParagraphChange,
    ParameterChange,
    PartChange,
    RegulationChange,
    RoleImpact,
    Segment,
    Side,
)

PAYLOADS = [
    "name`\n\n<img src=x onerror=alert(1)>\n`tail",
    "<script>alert(1)</script>",
    "@octocat, @github/security: see #123, org/repo#45 and GH-7",
    "[клик](javascript:alert(1)) ![img](http://evil.example/x.png)",
    "</details><details open><summary>подмена</summary>",
    "\r# Заголовок\r\n> цитата\n```\nкод",
    "<!-- незакрытый комментарий",
    "**жирный** | ячейка | ~~зачёркнуто~~ &lt;b&gt; <a href='javascript:x'>ссылка</a>",
    'x" onmouseover="alert(1)',
]

ALLOWED_TAGS = {
    "h3",
    "h4",
    "p",
    "ul",
    "li",
    "strong",
    "em",
    "code",
    "ins",
    "del",
    "details",
    "summary",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "br",
}
#: what GitHub makes a ping or an issue link of, in a text node
PINGS = re.compile(r"(?<![\w@])@[A-Za-z0-9]|(?<![\w&])#\d|\bGH-\d", re.I)


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.texts: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.texts.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def hostile_changes(payload: str) -> Changes:
    para = ParagraphChange(
        "moved",
        2,
        5,
        (Segment("=", payload), Segment("-", payload), Segment("+", payload)),
        "paragraph",
        (payload,),
        (payload, payload),
        1,
        2,
        f"rules/{payload}",
    )
    item = ItemChange(
        payload,
        "clause",
        "changed",
        payload,
        "1.2",
        "1.3",
        "renumbered",
        fields=(
            FieldChange("text", "text", payload, payload + "!", (Segment("=", payload), Segment("+", "!"))),
            FieldChange(payload, "value", payload, payload),
            FieldChange("audience", "list", [payload], [], removed=[payload]),
        ),
        parameters=(ParameterChange("body", 1, 2, payload, "text", payload),),
        text=payload,
    )
    added = ItemChange(payload, "clause", "added", payload, None, "1.4", text=payload)
    part = PartChange(payload, "prose", "changed", payload, "1", "1", items=(item, added), paragraphs=(para,))
    reg = RegulationChange(payload, "changed", payload, (FieldChange("title", "text", payload, payload),), (part,))
    page = PartChange(payload, "page", "added", payload, paragraphs=(para,))
    diag = Diagnostic(payload, 3, 4, "error", "yaml", payload)
    impact = RoleImpact(payload, payload, (ImpactReason("duty", payload, payload, "1.2", "changed"),))
    term = ItemChange(payload, "term", "removed", payload, text=payload)
    return Changes(
        Side(payload, None, payload, (diag,)),
        Side(payload, "0" * 40, None, (diag,)),
        payload,
        terms=(term,),
        roles=(term,),
        regulations=(reg,),
        pages=(page,),
        impact=(impact,),
    )


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("max_chars", [None, 1500])
def test_pr_comment_keeps_hostile_content_as_text(payload, max_chars):
    md = format_markdown(hostile_changes(payload), max_chars=max_chars)
    rendered = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
    parsed = Collect()
    parsed.feed(rendered)
    parsed.close()
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, attrs, md)
        assert attrs in ([], [("open", None)]) and (not attrs or tag == "details"), (tag, attrs)
    assert not parsed.comments
    text = "".join(parsed.texts)
    assert not PINGS.search(text), PINGS.search(text)
    # the content is still there to read, as text (word joiners aside)
    if max_chars is None and payload.startswith("<script>"):
        assert "<script>alert(1)</script>" in text.replace("\u2060", "")


def test_mentions_read_the_same_but_do_not_ping():
    payload = "@octocat, @github/security: see #123"
    md = format_markdown(hostile_changes(payload))
    assert "@octocat" not in md and "#123" not in md
    assert "@\u2060octocat" in md and "#\u2060123" in md
