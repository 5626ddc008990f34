"""Sign-in, sign-out, lockout, password reset and invitations."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.tasks.signals import task_enqueued
from django.test import Client
from django.utils import timezone

from casebase.accounts import services
from casebase.accounts.models import Invitation, Membership
from tests.conftest import PASSWORD


@pytest.fixture
def enqueued():
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append(task_result.task.name)

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona,landing",
    [("supporter_a", "/submit/"), ("editor", "/review/"), ("admin_user", "/review/")],
)
def test_sign_in_lands_on_the_role_home(persona, landing, request):
    user = request.getfixturevalue(persona)
    response = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == landing


@pytest.mark.django_db
def test_sign_out_is_a_post(supporter_a_client):
    assert supporter_a_client.get("/accounts/logout/").status_code == 405
    assert supporter_a_client.get("/submit/").status_code == 200
    assert supporter_a_client.post("/accounts/logout/").status_code == 302
    assert supporter_a_client.get("/submit/").status_code == 302


@pytest.mark.django_db
def test_repeated_failures_lock_out_with_a_clear_message(supporter_a, settings):
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = browser.post("/accounts/login/", {"username": "supporter_a", "password": "wrong"})
        assert response.status_code == 200
        assert "Signing in did not work" in response.content.decode()
    response = browser.post("/accounts/login/", {"username": "supporter_a", "password": "wrong"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is paused for this account" in page
    assert "reset it by email" in page
    assert "try again in 15 minutes" in page
    # Even the right password is refused while locked out.
    response = browser.post("/accounts/login/", {"username": "supporter_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session


BALANCER = "10.0.0.2"  # every request reaches gunicorn from the load balancer


def through_balancer(client_address: str) -> Client:
    """A browser at ``client_address`` behind the load balancer (one trusted proxy)."""
    return Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=client_address)


def sign_in(browser: Client, username: str, password: str) -> int:
    return browser.post("/accounts/login/", {"username": username, "password": password}).status_code


@pytest.mark.django_db
def test_behind_the_balancer_one_clients_guesses_do_not_lock_out_another(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = through_balancer("203.0.113.9")
    statuses = [sign_in(guesser, "editor", "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    # A spoofed entry to the left of the balancer's is the client's own word, never trusted.
    spoofing = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert sign_in(spoofing, "editor", "wrong") == 429
    # The editor, at another address behind the same balancer, signs in.
    assert sign_in(through_balancer("198.51.100.7"), "editor", PASSWORD) == 302


@pytest.mark.django_db
def test_one_address_guessing_across_many_user_names_is_locked(supporter_a, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_IP_FAILURE_LIMIT = 12
    sprayer = through_balancer("203.0.113.50")
    statuses = [sign_in(sprayer, f"user{n}", "Summer2025!") for n in range(12)]
    assert statuses[:-1] == [200] * 11, "no pair reached its own limit"
    assert statuses[-1] == 429
    assert sign_in(sprayer, "supporter_a", PASSWORD) == 429, "the address is paused for every account"
    assert AccessAttempt.objects.filter(ip_address="203.0.113.50").count() == 12
    # Others behind the same balancer are not.
    assert sign_in(through_balancer("198.51.100.8"), "supporter_a", PASSWORD) == 302


@pytest.mark.django_db
def test_someone_elses_guesses_lock_an_account_no_longer_than_the_cooling_period(editor, settings):
    """Sharing the editor's address (one office, or a wrong proxy count), a guesser who keeps
    guessing during the lockout does not keep the editor out past the cooling period."""
    from axes.models import AccessAttempt

    def minutes_pass(minutes):
        for attempt in AccessAttempt.objects.all():
            attempt.attempt_time -= timedelta(minutes=minutes)
            attempt.save(update_fields=["attempt_time"])

    guesser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, "editor", "wrong")
    minutes_pass(10)
    assert [sign_in(guesser, "editor", "wrong") for _ in range(3)] == [429] * 3
    assert sign_in(Client(), "editor", PASSWORD) == 429
    minutes_pass(6)  # 16 minutes after the lockout began, 6 after the last guess
    assert sign_in(Client(), "editor", PASSWORD) == 302


@pytest.mark.django_db
def test_password_reset_email_goes_through_a_task(supporter_a, enqueued, django_capture_on_commit_callbacks):
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/accounts/password-reset/", {"email": "supporter_a@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert enqueued == ["send_reset_links"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["supporter_a@example.org"]
    assert message.subject == "Reset your Casebase password"
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body).group(1)
    response = browser.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    response = browser.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase-9", "new_password2": "a-brand-new-passphrase-9"},
    )
    assert response["Location"] == "/accounts/password-reset/done/"
    supporter_a.refresh_from_db()
    assert supporter_a.check_password("a-brand-new-passphrase-9")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302, "the page does not reveal whether the address exists"
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(
    supporter_a, enqueued, django_capture_on_commit_callbacks
):
    """Whether an address has an account shows neither in the answer nor in the work done
    before it: the lookup and the email are one task, enqueued once the response is sent."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from casebase.accounts.views import PasswordResetView

    view = PasswordResetView.as_view()

    def ask(email):
        enqueued.clear()
        request = RequestFactory().post("/accounts/password-reset/", {"email": email})
        request._dont_enforce_csrf_checks = True
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                response = view(request)
        before_response = list(enqueued)
        enqueued.clear()
        response.close()  # what the server does once the answer is sent
        return response, [q["sql"] for q in queries], before_response, list(enqueued)

    known = ask("supporter_a@example.org")
    unknown = ask("nobody@example.org")
    assert (known[0].status_code, known[0]["Location"]) == (302, "/accounts/password-reset/sent/")
    assert (unknown[0].status_code, unknown[0]["Location"]) == (302, "/accounts/password-reset/sent/")
    assert known[1] == unknown[1], "the same queries before the answer"
    assert known[2] == unknown[2] == [], "nothing enqueued before the answer"
    assert known[3] == unknown[3] == ["send_reset_links"]
    assert [m.to for m in mail.outbox] == [["supporter_a@example.org"]]


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["supporter_a@example.org", "nobody@example.org"])
def test_password_reset_is_throttled_per_address_the_same_whether_it_exists(supporter_a, email):
    from casebase.accounts.passwordreset import LIMIT

    answers = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post("/accounts/password-reset/", {"email": email})
        for n in range(LIMIT.per_address + 1)
    ]
    assert [a.status_code for a in answers] == [302] * LIMIT.per_address + [429]
    page = answers[-1].content.decode()
    assert "Too many password reset requests for this address or from this connection." in page
    assert f'value="{email}"' in page, "the form keeps what was typed"
    assert len(mail.outbox) == (LIMIT.per_address if email.startswith("supporter") else 0)


@pytest.mark.django_db
def test_password_reset_is_throttled_per_client_address(db):
    from casebase.accounts.passwordreset import LIMIT

    browser = Client(REMOTE_ADDR="192.0.2.77")
    statuses = [
        browser.post("/accounts/password-reset/", {"email": f"person{n}@example.org"}).status_code
        for n in range(LIMIT.per_client + 1)
    ]
    assert statuses == [302] * LIMIT.per_client + [429]
    # Another client is not affected.
    assert (
        Client(REMOTE_ADDR="192.0.2.78")
        .post("/accounts/password-reset/", {"email": "person0@example.org"})
        .status_code
        == 302
    )


@pytest.mark.django_db
def test_editor_invites_and_the_member_sets_a_password(
    editor_client, org_a, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/accounts/invite/", {"email": "New.Member@Example.org", "organization": org_a.pk}
        )
    assert response.status_code == 302
    assert enqueued == ["send_email"]
    invitation = Invitation.objects.get()
    assert invitation.organization == org_a
    message = mail.outbox[0]
    assert message.to == ["New.Member@example.org"]
    link = re.search(r"http://testserver(/accounts/invite/\S+/)", message.body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_digest, "only a digest of the token is stored"

    browser = Client()
    page = browser.get(link).content.decode()
    assert "Join Organization A on Casebase" in page
    response = browser.post(link, {"password1": "short", "password2": "short", "first_name": "Nia"})
    assert response.status_code == 422
    assert 'value="Nia"' in response.content.decode(), "the form keeps what was typed"
    response = browser.post(
        link, {"password1": "a-long-new-passphrase-7", "password2": "a-long-new-passphrase-7"}
    )
    assert response["Location"] == "/submit/"
    user = get_user_model().objects.get(email="New.Member@example.org")
    assert Membership.objects.get(user=user).organization == org_a
    assert browser.get("/submit/").status_code == 200
    # Single use.
    assert Client().get(link).status_code == 410
    invitation.refresh_from_db()
    assert invitation.accepted_user == user


@pytest.mark.django_db
def test_expired_invitation_does_not_work(editor, org_a):
    invitation = services.invite_member(email="late@example.org", organization=org_a, by=editor)
    token = "known-token"
    Invitation.objects.filter(pk=invitation.pk).update(
        token_digest=services.token_digest(token), expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Client().post(
        f"/accounts/invite/{token}/",
        {"password1": "a-long-new-passphrase-7", "password2": "a-long-new-passphrase-7"},
    )
    assert response.status_code == 410
    assert not get_user_model().objects.filter(email="late@example.org").exists()


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_old_one(editor, org_a, org_b):
    first = services.invite_member(email="twice@example.org", organization=org_a, by=editor)
    services.invite_member(email="twice@example.org", organization=org_b, by=editor)
    first.refresh_from_db()
    assert first.revoked and not first.is_usable


@pytest.mark.django_db
def test_cannot_invite_an_existing_account(editor_client, supporter_a, org_a):
    response = editor_client.post("/accounts/invite/", {"email": supporter_a.email, "organization": org_a.pk})
    assert response.status_code == 422
    assert "already has an account" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_demo_users_command_still_works(org_a):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_demo_users", stdout=out)
    # The sign-in form asks for an email address: the printed logins are addresses.
    assert "email: editor@example.org" in out.getvalue()
    assert "email: supporter@example.org" in out.getvalue()
    supporter = get_user_model().objects.get(username="supporter")
    assert supporter.membership.organization == org_a
    for login in ("supporter@example.org", "supporter"):
        response = Client().post("/accounts/login/", {"username": login, "password": "casebase-demo-2026"})
        assert response["Location"] == "/submit/"
    # The demo reader is a confirmed reader account and nothing more.
    assert "email: reader@example.org" in out.getvalue()
    reader = get_user_model().objects.get(username="reader")
    assert reader.reader.confirmed_at is not None and not reader.is_staff
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "reader@example.org", "password": "casebase-demo-2026"}
    )
    assert response["Location"] == "/accounts/me/"
    assert client.get("/submit/").status_code == 403
