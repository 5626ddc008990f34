"""Reader accounts: sign-up with a confirmed address, sign-in, my account, deleting it all."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client

from casebase.accounts import readers
from casebase.accounts.models import Reader, Subscription
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-long-reader-passphrase-9"


def sign_up(client, email, **extra):
    data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "website": ""} | extra
    return client.post("/accounts/signup/", data)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/signup/confirm/[^/\s]+/)", message.body).group(1)


@pytest.mark.django_db
def test_a_reader_signs_up_confirms_and_then_signs_in():
    browser = Client()
    response = sign_up(browser, "Ada@Example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    user = get_user_model().objects.get(email="Ada@example.org")
    assert not user.is_active and user.reader.confirmed_at is None
    assert not hasattr(user, "membership") and not user.is_staff
    [message] = mail.outbox
    assert message.to == ["Ada@example.org"] and "Confirm" in message.subject

    # Until the address is confirmed, the account cannot sign in.
    refused = browser.post("/accounts/login/", {"username": "Ada@example.org", "password": NEW_PASSWORD})
    assert refused.status_code == 200 and "do not match an account" in refused.content.decode()

    confirmed = browser.get(link_in(message))
    assert confirmed.status_code == 302 and confirmed["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.is_active and user.reader.confirmed_at is not None
    signed_in = browser.post("/accounts/login/", {"username": "Ada@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/accounts/me/"
    page = browser.get("/accounts/me/").content.decode()
    assert "Ada@example.org" in page and "Delete my account" in page
    # The link works once more harmlessly (already confirmed), and the header offers the account.
    assert browser.get(link_in(message)).status_code == 302
    assert 'href="/accounts/me/">My account' in browser.get("/").content.decode()


@pytest.mark.django_db
def test_a_forged_expired_or_stale_confirmation_link_is_refused():
    sign_up(Client(), "bea@example.org")
    user = get_user_model().objects.get(email="bea@example.org")
    good = link_in(mail.outbox[0])
    token = good.rsplit("/", 2)[1]
    assert Client().get(f"/accounts/signup/confirm/{token}x/").status_code == 410
    assert Client().get(f"/accounts/signup/confirm/{'a' * 600}/").status_code == 410
    forged = signing.dumps({"u": user.pk, "e": user.email}, salt="another-salt")
    assert Client().get(f"/accounts/signup/confirm/{forged}/").status_code == 410
    # An address changed since the link was sent: the link no longer confirms anything.
    get_user_model().objects.filter(pk=user.pk).update(email="other@example.org")
    assert Client().get(good).status_code == 410
    get_user_model().objects.filter(pk=user.pk).update(email="bea@example.org")
    # Expired: older than three days.
    original = readers.CONFIRM_MAX_AGE
    try:
        readers.CONFIRM_MAX_AGE = -1
        assert Client().get(good).status_code == 410
    finally:
        readers.CONFIRM_MAX_AGE = original
    user.refresh_from_db()
    assert not user.is_active
    assert Client().get(good).status_code == 302
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.django_db
def test_signing_up_with_a_known_address_answers_the_same_and_tells_its_owner(supporter_a):
    response = sign_up(Client(), "supporter_a@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    assert get_user_model().objects.filter(email__iexact="supporter_a@example.org").count() == 1
    assert not Reader.objects.exists()
    [message] = mail.outbox
    assert message.to == ["supporter_a@example.org"] and "already have an account" in message.subject


@pytest.mark.django_db
def test_signing_up_again_before_confirming_sends_the_link_again():
    sign_up(Client(), "cy@example.org")
    sign_up(Client(), "cy@example.org")
    assert get_user_model().objects.filter(email="cy@example.org").count() == 1
    assert len(mail.outbox) == 2 and all("Confirm" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_the_honeypot_answers_like_a_sign_up_and_does_nothing():
    page = Client().get("/accounts/signup/").content.decode()
    assert 'class="honeypot" aria-hidden="true"' in page and 'name="website"' in page
    response = sign_up(Client(), "bot@example.org", website="http://spam.example")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    assert not get_user_model().objects.filter(email="bot@example.org").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_sign_ups_are_throttled_per_address():
    for _ in range(readers.LIMIT.per_address):
        assert sign_up(Client(), "dee@example.org").status_code == 302
    refused = sign_up(Client(), "DEE@example.org")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many sign-ups" in page and 'value="DEE@example.org"' in page


@pytest.mark.django_db
def test_sign_ups_are_throttled_per_connection():
    for n in range(readers.LIMIT.per_client):
        assert sign_up(Client(), f"person{n}@example.org").status_code == 302
    assert sign_up(Client(), "one.more@example.org").status_code == 429
    assert not get_user_model().objects.filter(email="one.more@example.org").exists()


@pytest.mark.django_db
def test_a_sign_up_with_problems_keeps_the_address_and_says_what_is_wrong():
    response = sign_up(Client(), "eve@example.org", password2="something-else-entirely")
    assert response.status_code == 422
    page = response.content.decode()
    assert "The two passwords differ" in page and 'value="eve@example.org"' in page
    weak = sign_up(Client(), "eve@example.org", password1="12345678", password2="12345678")
    assert weak.status_code == 422 and "too common" in weak.content.decode()
    assert not get_user_model().objects.filter(email="eve@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value",
    [
        ("email", "<script>alert(1)</script>@example.org"),
        ("email", "a" * 300 + "@example.org"),
        ("password1", "p" * 129),
        ("website", "w" * 201),
    ],
)
def test_hostile_sign_up_input_gets_a_clear_answer_and_never_runs(field, value):
    data = {"email": "ok@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "website": ""}
    data[field] = value
    response = Client().post("/accounts/signup/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "There is a problem" in page
    assert not get_user_model().objects.filter(reader__isnull=False).exists()


@pytest.mark.django_db
def test_my_account_is_for_readers_only(reader_client, supporter_a_client, editor_client):
    assert reader_client.get("/accounts/me/").status_code == 200
    assert supporter_a_client.get("/accounts/me/").status_code == 403
    assert editor_client.get("/accounts/me/").status_code == 403
    anonymous = Client().get("/accounts/me/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_reader_can_do_nothing_a_supporter_or_editor_can(reader_client):
    assert reader_client.get("/submit/").status_code == 403
    assert reader_client.get("/review/").status_code == 403
    assert reader_client.get("/accounts/invite/").status_code == 403
    assert reader_client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_deleting_my_account_asks_for_the_password_then_removes_everything(reader, reader_client):
    Subscription.objects.create(user=reader, query="principle=consent", label="Principle: Consent")
    page = reader_client.get("/accounts/me/delete/")
    assert page.status_code == 200 and "1 search you follow" in page.content.decode()
    wrong = reader_client.post("/accounts/me/delete/", {"password": "not-it"})
    assert wrong.status_code == 422 and "That is not your password" in wrong.content.decode()
    assert get_user_model().objects.filter(pk=reader.pk).exists()
    done = reader_client.post("/accounts/me/delete/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    assert not get_user_model().objects.filter(pk=reader.pk).exists()
    assert not Reader.objects.exists() and not Subscription.objects.exists()
    # Signed out: the account page now asks to sign in.
    assert reader_client.get("/accounts/me/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_supporter_cannot_delete_their_account_here(supporter_a, supporter_a_client):
    assert supporter_a_client.post("/accounts/me/delete/", {"password": PASSWORD}).status_code == 403
    assert get_user_model().objects.filter(pk=supporter_a.pk).exists()


@pytest.mark.django_db
def test_a_reader_resets_a_forgotten_password(reader):
    assert Client().post("/accounts/password-reset/", {"email": "reader@example.org"}).status_code == 302
    [message] = mail.outbox
    assert message.to == ["reader@example.org"] and "/accounts/password-reset/" in message.body
