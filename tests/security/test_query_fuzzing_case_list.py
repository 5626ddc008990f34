"""The case list, the page with the most parameters: each nasty value in each parameter the site
reads, never a server error. (Every other public URL: tests/security/test_query_fuzzing.py.)"""

from urllib.parse import urlencode

import pytest

from tests.security.test_query_fuzzing import KNOWN_KEYS, NASTY_VALUES, assert_no_server_error


@pytest.mark.parametrize("value", NASTY_VALUES, ids=range(len(NASTY_VALUES)))
def test_every_nasty_value_in_every_known_parameter_of_the_case_list(value, world):
    """The case list is the page with the most parameters: each nasty value in each of them."""
    client = world.clients["anonymous"]
    for key in KNOWN_KEYS:
        assert_no_server_error(client, "/cases/", urlencode({key: value}))
