"""The one place markdown becomes HTML.

Markdown is rendered once, when a record is saved, and the result is sanitised
with nh3 so templates may output the stored HTML without escaping. No template
marks user text safe anywhere else.
"""

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# Only ordinary web and mail links survive; javascript:, data: and the like are dropped.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Render markdown to sanitised HTML. Headings start at h2: pages own the h1."""
    if not text:
        return ""
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    # Twice: removing a disallowed element keeps its children, which can leave
    # nesting no parser would build (<p><p></p></p> from a <p> inside <noscript>).
    # The second pass re-parses that output into well-formed HTML.
    return _clean(_clean(html))


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


class MarkdownModelMixin:
    """Models list ``MARKDOWN_FIELDS = {"body": "body_html"}``; save() renders them."""

    MARKDOWN_FIELDS: dict[str, str] = {}

    def render_markdown_fields(self) -> None:
        for source, target in self.MARKDOWN_FIELDS.items():
            setattr(self, target, render_markdown(getattr(self, source)))

    def save(self, *args, **kwargs):
        self.render_markdown_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {t for s, t in self.MARKDOWN_FIELDS.items() if s in update_fields}
            kwargs["update_fields"] = set(update_fields) | extra
        super().save(*args, **kwargs)
