"""The audit that remembers tags it has judged (:class:`reglament.htmlsafe._RememberingAuditor`, behind
:func:`reglament.htmlsafe.findings`) reports exactly what the plain ``html.parser`` audit reports, line for line,
however the documents before it primed its memory: tags split over lines, tags inside scripts, styles and
comments, entities in attribute values, unterminated tags, the same tag text in different states."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reglament.htmlsafe import _Auditor, _RememberingAuditor, findings

PIECES = [
    '<a href="x">',
    "<a href='javascript:alert(1)'>",
    '<a href="&#106;avascript:alert(2)">',
    "<a href=java&#x73;cript:x>",
    '<a\nhref="javascript:y"\n>',
    "</a>",
    "</a >",
    "</ a>",
    "</>",
    "</script>",
    "</style>",
    "</title>",
    "<script>",
    "<script src=x>",
    "<style>",
    "<title>",
    "<textarea>",
    '<div onclick="alert(3)">',
    "<div ONCLICK=alert(4)>",
    '<div class="ok">',
    "<div/onmouseover=x>",
    '<div style="width: 10%">',
    '<div style="color: red">',
    "<span style='left:1px;'/>",
    "<img src=x onerror=alert(5) />",
    '<img src="data:image/png;base64,AA">',
    "<iframe src=x>",
    '<meta http-equiv="refresh" content="0">',
    '<meta http-equiv="&#82;efresh">',
    "<meta charset=utf-8>",
    "<form formaction=x>",
    '<iframe srcdoc="<b>">',
    "<!-- <div onclick=x> -->",
    "<!--",
    "-->",
    "<!doctype html>",
    "<![CDATA[ <a onclick=x> ]]>",
    "<?pi <a onclick=x> ?>",
    '<a title="x>y" onclick=z>',
    "<a title='",
    "'>",
    '"',
    ">",
    "<",
    "<a",
    ' onclick="q"',
    "&amp;",
    "&#60;a onclick=x&#62;",
    "&",
    "text",
    "текст",
    "\n",
    " ",
    "/",
    "=",
]


def _reference(document: str, *, allow_scripts: bool) -> list[str]:
    auditor = _Auditor(allow_scripts=allow_scripts)
    auditor.feed(document)
    auditor.close()
    return auditor.found


documents = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, min_size=1, max_size=6), st.booleans())
def test_the_remembering_audit_reports_what_the_plain_audit_reports(batch, allow_scripts):
    for document in batch:  # the memory is shared across documents (and examples): each primes the next
        assert findings(document, allow_scripts=allow_scripts) == _reference(document, allow_scripts=allow_scripts)


def test_a_remembered_tag_is_reported_again_with_its_own_line():
    document = '<p>\n<a href="javascript:x">a</a>\n\n<a href="javascript:x">b</a>'
    assert findings(document) == [
        "line 2: <a> script-capable URL href='javascript:x'",
        "line 4: <a> script-capable URL href='javascript:x'",
    ]
    assert findings(document) == findings(document)  # and again, all from memory


def test_tag_text_inside_a_script_is_not_taken_for_a_tag():
    tag = '<div onclick="x">'
    assert findings(tag) == ["line 1: <div> event attribute onclick='x'"]  # remembered as unsafe
    assert findings(f"<script>var s = '{tag}';</script>") == []
    assert findings(f"<style>{tag}</style><p>") == []


def test_the_memory_is_bounded(monkeypatch):
    from reglament import htmlsafe

    monkeypatch.setattr(htmlsafe, "_REMEMBERED_TAGS", 0)
    monkeypatch.setattr(_RememberingAuditor, "_start", {True: {}, False: {}})
    monkeypatch.setattr(_RememberingAuditor, "_end", set())
    assert findings("<a href=x></a><b onclick=y>") == ["line 1: <b> event attribute onclick='y'"]
    assert _RememberingAuditor._start == {True: {}, False: {}} and _RememberingAuditor._end == set()
