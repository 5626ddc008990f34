"""Fill in and send an HTML form the way a browser would, from the page's own markup.

The hostile-input suite uses this for the supporter's form and for every admin
form: it reads the fields a page offers (so new fields are covered without
changing the tests), puts a payload in every free-text field, and sends the rest
as the page had them.
"""

from dataclasses import dataclass, field

from tests.security.xss import parse_html

FREE_TEXT_INPUTS = {"text", "search", ""}
SENT_AS_IS = {"hidden", "email", "url", "number", "date", "datetime-local", "time", "tel", "password"}


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]]  # (name, value) in document order, as a browser sends them
    text_fields: list[str] = field(default_factory=list)  # names of free-text fields
    textareas: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    options: dict[str, list[str]] = field(default_factory=dict)  # select name -> option values

    def data(self, overrides: dict[str, str] | None = None) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        overrides = overrides or {}
        for name, value in self.fields:
            out.setdefault(name, []).append(overrides.get(name, value))
        return out


def _forms(document):
    return [f for f in document.iter("form") if (f.get("method") or "get").lower() == "post"]


def read_form(html: str, page_url: str, pick=None) -> Form:
    """The page's main POST form (the one with the most fields, unless ``pick`` chooses)."""
    document = parse_html(html)
    forms = _forms(document)
    assert forms, f"no POST form on {page_url}"
    element = pick(forms) if pick else max(forms, key=lambda f: len(list(f.iter())))
    action = element.get("action") or page_url
    fields, text_fields, textareas, required, options = [], [], set(), set(), {}
    for el in element.iter():
        name = el.get("name")
        if not name or el.get("disabled") is not None:
            continue
        if el.get("required") is not None:
            required.add(name)
        if el.tag == "input":
            kind = (el.get("type") or "").lower()
            if kind in ("checkbox", "radio"):
                if el.get("checked") is not None:
                    fields.append((name, el.get("value", "on")))
            elif kind in FREE_TEXT_INPUTS:
                fields.append((name, el.get("value", "")))
                text_fields.append(name)
            elif kind in SENT_AS_IS:
                fields.append((name, el.get("value", "")))
        elif el.tag == "textarea":
            fields.append((name, el.text or ""))
            text_fields.append(name)
            textareas.add(name)
        elif el.tag == "select":
            choices = list(el.iter("option"))
            options[name] = [o.get("value", o.text or "") for o in choices]
            chosen = [o for o in choices if o.get("selected") is not None]
            if not chosen and choices and el.get("multiple") is None:
                chosen = [choices[0]]
            for option in chosen:
                fields.append((name, option.get("value", option.text or "")))
    return Form(action, fields, text_fields, textareas, required, options)


def invalid_fields(html: str) -> set[str]:
    """Fields a re-rendered form marks invalid (Django sets aria-invalid on them)."""
    document = parse_html(html)
    return {el.get("name") for el in document.iter() if el.get("aria-invalid") == "true" and el.get("name")}
