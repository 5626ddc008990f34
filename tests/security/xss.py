"""Hostile payloads, and the checks that a rendered page neither runs them nor breaks.

Every payload that would run script calls ``alert``/``confirm``/``prompt`` or
``print``, which a browser turns into a dialog (the ``page`` fixture fails a test
on any dialog). The server-side checks parse the page with html5lib, as a
browser would, and look for anything that could run: script elements, event
handler attributes, script URLs, embedded documents.
"""

import functools
import re
import xml.etree.ElementTree as ET

import html5lib

PAYLOADS = [
    # Script elements.
    "<script>alert(1)</script>",
    "<SCRIPT>alert(2)</SCRIPT>",
    "<script src=//evil.example/x.js></script>",
    "<scr<script>ipt>alert(3)</scr</script>ipt>",
    '"><script>alert(4)</script>',
    "'><script>alert(5)</script>",
    "</textarea><script>alert(6)</script>",
    "</title><script>alert(7)</script>",
    "<script>/*</script><script>*/alert(8)</script>",
    "<!--<script>-->alert(9)<!--</script>-->",
    # Event handlers.
    "<img src=x onerror=alert(10)>",
    "<img src=x onerror='alert(11)'//",
    '<body onload="alert(12)">',
    "<div onmouseover=alert(13)>hover</div>",
    "<input autofocus onfocus=alert(14)>",
    "<details open ontoggle=alert(15)>",
    "<video><source onerror=alert(16)></video>",
    "<marquee onstart=alert(17)>",
    '" onmouseover="alert(18)" x="',
    "' onfocus='alert(19)' autofocus x='",
    # javascript:, data: and other URL schemes.
    '<a href="javascript:alert(20)">link</a>',
    '<a href="JaVaScRiPt:alert(21)">link</a>',
    '<a href="  javascript:alert(22)">link</a>',
    '<a href="java&#x09;script:alert(23)">link</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(24)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgyNSk8L3NjcmlwdD4=">link</a>',
    '<iframe src="javascript:alert(26)"></iframe>',
    '<iframe srcdoc="<script>alert(27)</script>"></iframe>',
    '<object data="javascript:alert(28)"></object>',
    '<embed src="data:image/svg+xml,<svg onload=alert(29)>">',
    '<form action="javascript:alert(30)"><button>go</button></form>',
    '<a href="vbscript:msgbox(31)">link</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(32)">',
    '<base href="javascript:alert(33)//">',
    # SVG and MathML.
    "<svg onload=alert(34)>",
    "<svg><script>alert(35)</script></svg>",
    '<svg><a xlink:href="javascript:alert(36)"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(37) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(38)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(39)></style></mglyph></table></mtext></math>",
    '<math href="javascript:alert(40)">click</math>',
    "<svg><foreignObject><iframe srcdoc='<script>alert(41)</script>'></iframe></foreignObject></svg>",
    # Markdown links and images.
    "[click](javascript:alert(42))",
    "[click](JAVASCRIPT:alert(43))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCg0NCk8L3NjcmlwdD4=)",
    '![img](x" onerror="alert(45))',
    "![img](javascript:alert(46))",
    "[click][ref]\n\n[ref]: javascript:alert(47)",
    "<javascript:alert(48)>",
    '[a](https://example.org "title\\" onmouseover=\\"alert(49)")',
    "[x](<javascript:alert(50)>)",
    # Entity encodings.
    "&lt;script&gt;alert(51)&lt;/script&gt;",
    "&#60;script&#62;alert(52)&#60;/script&#62;",
    "\\u003cscript\\u003ealert(53)\\u003c/script\\u003e",
    "%3Cscript%3Ealert(54)%3C/script%3E",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(55)>",
    # Broken nesting and parser confusion.
    "<div><p><b>unclosed <i>nesting",
    "</div></div></main></body></html><script>alert(57)</script>",
    "<table><tr><td><script>alert(58)</script>",
    "<style>*{background:url('javascript:alert(59)')}</style><p>styled</p>",
    '<noscript><p title="</noscript><img src=x onerror=alert(60)>"></noscript>',
    "<template><script>alert(61)</script></template>",
    "<![CDATA[<script>alert(62)</script>]]>",
    "<textarea><script>alert(63)</script>",
    "<select><option><style></option></select><img src=x onerror=alert(64)></style>",
    "``<script>alert(65)</script>``\n\n    <script>alert(66)</script>",
    '<p style="background:url(javascript:alert(67))">x</p>',
    "{{ request.user }} {% csrf_token %} ${alert(68)} #{alert(69)}",
]

# Not markup, but hard on every layer between the browser and the database.
AWKWARD_TEXT = [
    "Robert'); DROP TABLE cases_casestudy;--",
    "' OR '1'='1' --",
    '" OR ""="',
    "1; SELECT pg_sleep(10)",
    "%' AND 1=0 UNION SELECT NULL--",
    "\\'; \\\\ \\x00",
    "Ünïcödé — 日本語 — עברית — العربية — 🏳️‍🌈👩🏽‍💻 — \u200b\u200d\ufeff",
    "\u202eevil\u202c right-to-left override",
    "ｆｕｌｌｗｉｄｔｈ ＜script＞",
]

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "to"}
EMBEDDING_TAGS = {"iframe", "frame", "object", "embed", "base", "applet"}


def parse_html(text: str) -> ET.Element:
    return parse_with_errors(text)[0]


@functools.lru_cache(maxsize=16)
def parse_with_errors(text: str) -> tuple[ET.Element, tuple[str, ...]]:
    """The page's tree and its HTML5 parse errors, from one parse. html5lib is pure Python: a large
    page takes as long to parse as to render, and a check often reads the same page twice (its
    scripts and its errors, then its form), so the last few pages' parses are kept. Callers only
    read the tree."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    document = parser.parse(text)
    return document, tuple(_described_errors(parser, text))


def _described_errors(parser, text: str) -> list[str]:
    """The parse errors, each with its place in the page: none means every tag opened is closed
    where it should be."""
    lines = text.splitlines()
    errors = []
    for (line, col), code, data in parser.errors:
        context = lines[line - 1][max(0, col - 60) : col + 20] if 0 < line <= len(lines) else ""
        errors.append(f"line {line}:{col} {code} {data or ''}: ...{context}...")
    return errors


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _normalise_url(value: str) -> str:
    # Browsers ignore ASCII whitespace and control characters inside a scheme.
    return re.sub(r"[\x00-\x20]", "", value).lower()


def script_injection_problems(text: str, nonce: str | None = None) -> list[str]:
    """What in this page could run script that we did not put there."""
    problems = []
    for element in parse_html(text).iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        if tag == "script":
            if element.get("src", "").startswith("/") and not element.get("src", "").startswith("//"):
                continue
            if nonce is None or element.get("nonce") != nonce:
                problems.append(f"<script> without our nonce: {(element.text or '')[:80]!r}")
        if tag in EMBEDDING_TAGS:
            problems.append(f"<{tag}> element")
        if tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            attribute = (
                _local(name) if "}" not in name else "xlink:href" if name.endswith("}href") else _local(name)
            )
            if attribute.startswith("on"):
                problems.append(f"<{tag} {attribute}=...> event handler")
            if attribute == "srcdoc":
                problems.append(f"<{tag} srcdoc>")
            if attribute in URL_ATTRIBUTES and _normalise_url(value).startswith(DANGEROUS_SCHEMES):
                problems.append(f"<{tag} {attribute}={value[:60]!r}>")
            if attribute == "style" and ("javascript:" in value.lower() or "expression(" in value.lower()):
                problems.append(f"<{tag} style={value[:60]!r}>")
    return problems
