"""The one place a value typed into an address (or a form's free text) is made safe to use.

Every page, export and API call that reads a query parameter cleans it here:
control characters (NUL included, which PostgreSQL refuses) become spaces,
whitespace collapses, the value is cut to a budget, and keys (slugs, keys,
choices) are folded to lower case. Nothing downstream needs to check again.
"""

from collections.abc import Mapping

# A value longer than this is no slug, key or choice of ours.
MAX_VALUE_LENGTH = 100
# Values of one repeatable parameter; more are ignored (and the page says so).
MAX_VALUES = 20


def clean_text(value, limit: int = MAX_VALUE_LENGTH) -> str:
    """Printable characters only, whitespace collapsed, at most ``limit`` characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or ""))
    return " ".join(text.split())[:limit].strip()


def clean_key(value, limit: int = MAX_VALUE_LENGTH) -> str:
    """A slug, key or choice as typed: cleaned like text, then lower case."""
    return clean_text(value, limit).lower()


def values_of(params: Mapping, name: str) -> list[str]:
    """Every value of ``name`` in a QueryDict, or in a plain dict of lists or strings."""
    if hasattr(params, "getlist"):
        return params.getlist(name)
    raw = params.get(name, [])
    return [raw] if isinstance(raw, str) else list(raw)


def clean_keys(values, limit: int = MAX_VALUES) -> tuple[list[str], bool]:
    """Distinct cleaned keys in the order given, at most ``limit``; and whether some were cut."""
    out: list[str] = []
    for raw in values:
        value = clean_key(raw)
        if value and value not in out:
            out.append(value)
    return out[:limit], len(out) > limit
