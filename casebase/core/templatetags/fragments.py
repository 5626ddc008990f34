"""Fragments of published content, rendered once per content version and reused.

    {% load fragments %}
    {% published_fragment "case-chips" case.pk %}…{% endpublished_fragment %}

A case's card (its byline, summary and tag chips) is the same on every list,
search, organization page and home page it appears on until the content
changes: a page that misses the page cache (a new filter combination, a search,
another page of results) still finds most of its cards rendered. The key holds
the content version (casebase.core.pagecache), so any publish, edit or
unpublish makes every fragment unused, as it does every cached page, and the
deployed release, so new templates never show old fragments. The version is
the one the request started under (pinned by the page-cache middleware before
the view reads a record), so a fragment is never older than its key says.
FRAGMENT_CACHE_SECONDS sets the lifetime (0: render every time, as in
development), shortened like the page cache's in per-process local memory.

Only what depends on the published records alone may go inside: nothing of
the request, the reader or the page's parameters. The cache's lifetime bounds
memory only.
"""

from django import template
from django.conf import settings
from django.core.cache import cache

from casebase.core import pagecache

register = template.Library()


def _seconds() -> int:
    return pagecache.seconds(settings.FRAGMENT_CACHE_SECONDS)


def _key(name: str, version: int, vary: str) -> str:
    return f"fragment:{pagecache.release()}:{name}:{version}:{vary}"


def prefetch(request, wanted: list[tuple[str, object]]) -> set[tuple[str, object]]:
    """Read these fragments, each a (name, the one value it varies on), in one round trip, for
    the page's fragments to find; return those not rendered yet.

    A view uses it to read only what the missing fragments need (a list page attaches tags only
    to the cases whose tag chips are not rendered yet), then calls store() after rendering."""
    if not _seconds():
        return set(wanted)
    version = pagecache.request_version(request)
    keys = {_key(name, version, str(value)): (name, value) for name, value in wanted}
    found = cache.get_many(list(keys))
    request._fragments = getattr(request, "_fragments", {}) | found
    # Looked up and missing: rendered without asking the cache again, and kept by store().
    request._fragments_missing = getattr(request, "_fragments_missing", set()) | (keys.keys() - found.keys())
    request._fragments_new = getattr(request, "_fragments_new", {})
    return {pair for key, pair in keys.items() if key not in found}


def store(request) -> None:
    """Keep the fragments the page rendered since prefetch(), in one round trip."""
    new = getattr(request, "_fragments_new", None)
    if new:
        cache.set_many(new, _seconds())
        new.clear()


class PublishedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        ttl = _seconds()
        if not ttl:
            return self.nodelist.render(context)
        request = context.get("request")
        vary = ":".join(str(var.resolve(context)) for var in self.vary_on)
        key = _key(self.name.resolve(context), pagecache.request_version(request), vary)
        html = getattr(request, "_fragments", {}).get(key)
        if html is None and key not in getattr(request, "_fragments_missing", ()):
            html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            new = getattr(request, "_fragments_new", None)
            if new is not None:
                new[key] = html  # a view that prefetched stores them all at once
            else:
                cache.set(key, html, ttl)
        return html


@register.tag
def published_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name and at least one value to vary on")
    nodelist = parser.parse(("endpublished_fragment",))
    parser.delete_first_token()
    return PublishedFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
