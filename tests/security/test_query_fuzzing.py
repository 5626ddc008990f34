"""Every public URL with random and malformed query parameters: never a server error.

The URLs come from the authorization table (``urlmap.REGISTRY``), so a new
public page is fuzzed as soon as it has its permission decision.
"""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization import url_for
from tests.security.urlmap import REGISTRY, Outcome
from tests.security.xss import AWKWARD_TEXT, PAYLOADS

PUBLIC_URLS = sorted(name for name, rule in REGISTRY.items() if rule.expect["anonymous"] == Outcome.OK)

# Parameter names the site reads somewhere, and some it does not.
KNOWN_KEYS = [
    "role", "principle", "org", "cohort", "rec", "tag", "clause", "q", "format", "page", "page_size", "sort",
    "order", "ordering", "edition", "status", "case", "cases", "a", "b", "ext", "limit", "offset",
    "search", "next", "modality", "disclosure", "completeness", "year", "from", "to", "view", "section",
]  # fmt: skip
NASTY_VALUES = [
    "", " ", "0", "-1", "1e309", "99999999999999999999999999", "NaN", "null", "true", "[]", "{}",
    "csv", "json", "xml", "../../etc/passwd", "\x00", "a\x00b", "%00", "\ud7ff", "\uffff", "x" * 5000,
    "',\"", "\\", "*", "%", "_", "1 OR 1=1", "🏳️‍🌈", "\u202e", "<>", "&amp;", "//evil.example",
    *AWKWARD_TEXT,
    *PAYLOADS[:10],
]  # fmt: skip
# Characters that survive URL encoding (no lone surrogates), NUL and controls included.
text_values = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
values = st.one_of(st.sampled_from(NASTY_VALUES), text_values, st.integers().map(str))
keys = st.one_of(st.sampled_from(KNOWN_KEYS), text_values.filter(bool))
query_lists = st.lists(st.tuples(keys, values), max_size=6)
# Query strings no form would send: broken percent escapes, invalid UTF-8, stray separators.
raw_queries = st.one_of(
    st.binary(max_size=80).map(lambda b: quote(b, safe="=&%+;")),
    st.lists(st.sampled_from(["%", "%%", "%zz", "%FF", "%C0%AF", "%ED%A0%80", "=", "&", ";", "+", "[]", "q", "page"]))
    .map("".join),
)  # fmt: skip

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def assert_no_server_error(client, url, query):
    response = client.generic("GET", url, QUERY_STRING=query)
    assert response.status_code < 500, f"{url}?{query[:300]} -> {response.status_code}"


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_public_url_with_random_parameters(name, world):
    url = url_for(name, REGISTRY[name], world).split("?")[0]
    client = world.clients["anonymous"]

    @FUZZ
    @given(params=query_lists)
    def with_params(params):
        assert_no_server_error(client, url, urlencode(params))

    @FUZZ
    @given(query=raw_queries)
    def with_raw_query(query):
        assert_no_server_error(client, url, query)

    with_params()
    with_raw_query()
