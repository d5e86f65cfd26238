"""The independent check over every built page (reglament.htmlsafe.findings): what it finds, and that it reads
markup as a browser does — the same elements and attributes Chromium's DOM has, for markup written to confuse a
parser (stray ``<`` in a tag, encoded schemes, foreign content, ``<template>``)."""

from __future__ import annotations

import pytest

from reglament.htmlsafe import findings

PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body>{}</body></html>"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<p onclick="alert(1)">x</p>', "<p> event attribute onclick='alert(1)'"),
        ("<DIV ONMOUSEOVER=go()>x</DIV>", "<div> event attribute onmouseover='go()'"),
        ('<svg><circle onload="x()"/></svg>', "<circle> event attribute onload='x()'"),
        ('<a href="javascript:alert(1)">x</a>', "<a> script-capable URL href='javascript:alert(1)'"),
        ('<a href="JaVaScRiPt:go()">x</a>', "<a> script-capable URL href='JaVaScRiPt:go()'"),
        # the browser drops tabs and newlines inside a URL and control characters around it
        ('<a href="java&#x09;script:go()">x</a>', "<a> script-capable URL href='java\\tscript:go()'"),
        ('<a href="&#x01; javascript:go()">x</a>', "<a> script-capable URL href='\\x01 javascript:go()'"),
        ('<a href="jav&#10;ascript:go()">x</a>', "<a> script-capable URL href='jav\\nascript:go()'"),
        ('<form><button formaction="https://e.org">x</button></form>', "<button> attribute formaction"),
        ('<svg><a xlink:href="javascript:go()">x</a></svg>', "<a> script-capable URL xlink:href='javascript:go()'"),
        ("<a href=\"vbscript:msgbox('x')\">x</a>", "<a> script-capable URL href=\"vbscript:msgbox('x')\""),
        ('<a href="data:text/html,<b>x</b>">x</a>', "<a> script-capable URL href='data:text/html,<b>x</b>'"),
        ('<p style="color: red">x</p>', "<p> style 'color: red'"),
        ('<iframe src="https://e.org"></iframe>', "<iframe> is not allowed"),
        ('<object data="x.swf"></object>', "<object> is not allowed"),
        ('<base href="https://e.org/">', "<base> is not allowed"),
        ("<noscript><p>x</p></noscript>", "<noscript> is not allowed"),
        ('<meta http-equiv="Refresh" content="0;url=https://e.org">', "<meta> refresh"),
        ('<iframe srcdoc="<b>x</b>"></iframe>', "<iframe> attribute srcdoc"),
        # a stray "<" inside a tag: the browser reads `<img` and `onerror` as attributes of the link
        ('<a href="/x" <img src=x onerror=alert(1)>y</a>', "<a> event attribute onerror='alert(1)'"),
        # a template's content is outside the document tree, but it is markup a script can clone into the page
        ("<template><p><img src=x onerror=alert(1)></p></template>", "<img> event attribute onerror='alert(1)'"),
        ("<template><template><b onclick=go()>x</b></template></template>", "<b> event attribute onclick='go()'"),
    ],
)
def test_finds_what_a_browser_would_run(markup, expected):
    found = findings(PAGE.format(markup))
    assert any(f.endswith(expected) for f in found), found


@pytest.mark.parametrize(
    "markup",
    [
        '<p style="width: 50%; text-align: center">x</p>',
        '<img src="data:image/png;base64,AAAA" alt="">',
        '<a href="/glossary/#term-zayavka" title="onclick=alert(1)">ссылка</a>',  # text, not an attribute
        "<p>onclick=alert(1) javascript:go()</p>",
        '<a href="https://e.org/javascript:go()">x</a>',  # a path, not a scheme
        # in MathML's text element a <style> is HTML's raw text: no <img> element exists there
        "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
        '<textarea><img src=x onerror="alert(1)"></textarea>',
        "<!-- <img src=x onerror=alert(1)> -->",
    ],
)
def test_leaves_what_a_browser_would_not_run(markup):
    assert findings(PAGE.format(markup)) == []


def test_scripts_are_the_themes_on_a_site_page_and_never_in_a_print_source():
    page = PAGE.format('<script src="assets/app.js"></script>')
    assert findings(page) == []
    assert [f.split(": ", 1)[1] for f in findings(page, allow_scripts=False)] == ["<script> is not allowed"]


def test_a_finding_names_the_line_of_its_tag():
    page = "<html><body>\n<p>ok</p>\n<p onclick=a()>x</p>\n<p>\n<a href='javascript:b()'>y</a></p>\n</body></html>"
    assert findings(page) == [
        "line 3: <p> event attribute onclick='a()'",
        "line 5: <a> script-capable URL href='javascript:b()'",
    ]


def test_every_finding_of_a_page_is_reported():
    page = PAGE.format("<p onclick=a()>x</p>" * 3 + "<iframe></iframe><a href='javascript:x'>y</a>")
    assert len(findings(page)) == 5


#: markup written to make a parser see other elements or attributes than a browser does
CONFUSING = [
    '<a href="/x" <img src=x onerror=alert(1)>y</a>',
    "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<textarea><img src=x onerror="alert(1)"></textarea><p title="</textarea><b onclick=a()>">x</p>',
    "<title><img src=x onerror=alert(1)></title>",
    "<table><tr><td><b onclick=a()>x</td></tr></table><select><option><i onclick=b()>y</i></select>",
    '<div/onclick="a()">x</div>',
    "<p a='x' onclick=\"b()\"\nonmouseover=c()>x</p>",
    "<!--> <img src=x onerror=alert(1)> -->",
    "<![CDATA[ <img src=x onerror=alert(1)> ]]>",
    '<a href="ja&Tab;vascript:go()">x</a>',
    "<template><img src=x onerror=alert(1)></template>",
]

#: the page's elements with an event attribute, as Chromium's DOM has them (templates' content included)
_EVENT_ELEMENTS = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.attributes) if (a.name.toLowerCase().startsWith('on')) found.push(el.localName + ' ' + a.name);
      if (el.localName === 'template') walk(el.content);
    }
  };
  walk(document);
  return found;
}"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_the_audit_sees_the_event_attributes_chromium_sees(browser):
    """Differential: for each confusing markup, the elements the audit reports an event attribute on are exactly
    the ones Chromium's parser built with one (scripts off in the page: nothing runs, the DOM is only read)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for markup in CONFUSING:
            page.set_content(PAGE.format(markup))
            seen = sorted(page.evaluate(_EVENT_ELEMENTS))
            ours = sorted(
                f.split(": <", 1)[1].split("> event attribute ")[0]
                + " "
                + f.split(" event attribute ")[1].split("=")[0]
                for f in findings(PAGE.format(markup))
                if " event attribute " in f
            )
            assert ours == seen, (markup, ours, seen)
    finally:
        context.close()
