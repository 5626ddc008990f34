"""Sign-in asks for the email address the invitations speak of, and still takes user names."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD


def test_the_sign_in_form_asks_for_the_email_address(db):
    page = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">Email address</label>' in page
    assert ">Username<" not in page


@pytest.mark.parametrize("typed", ["supporter_a", "supporter_a@example.org", "SUPPORTER_A@example.org"])
def test_members_sign_in_with_their_address_or_their_user_name(supporter_a, typed):
    response = Client().post("/accounts/login/", {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/submit/"


def test_a_wrong_password_speaks_of_the_email_address(supporter_a):
    response = Client().post("/accounts/login/", {"username": "supporter_a@example.org", "password": "wrong"})
    assert "That email address and password do not match an account." in response.content.decode()
