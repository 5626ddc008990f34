"""Following a /cases/ search by email: storing the cleaned query, the email on publication,
the weekly digest, never twice, and the one-click unsubscribe link."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from casebase.accounts import following
from casebase.accounts.models import Delivery, Frequency, Subscription
from casebase.submissions import services
from casebase.submissions.models import Status
from tests.conftest import client_for, make_reader, make_user
from tests.submissions.conftest import build_framework, publishable, submission_in

XSS = "<script>alert(1)</script>"


@pytest.fixture
def world(db):
    build_framework()
    from casebase.organizations.models import Organization

    org = Organization.objects.create(slug="org-a", name="Organization A", kind="industry")
    return {
        "org": org,
        "supporter": make_user("supporter_a", organization=org),
        "editor": make_user("editor", is_staff=True),
    }


def approved(world):
    """A complete working copy (role builder, principle disclosure), approved and ready to publish."""
    return submission_in(
        Status.APPROVED, organization=world["org"], by=world["supporter"], editor=world["editor"]
    )


def publish(world, submission, capture):
    with capture(execute=True):
        services.publish(submission=submission, by=world["editor"], **publishable())


def follow(user, query, frequency=Frequency.IMMEDIATE):
    return client_for(user).post("/accounts/follow/", {"query": query, "frequency": frequency})


def readers_mail() -> list:
    """What went to readers (publishing also tells the supporter and the editors)."""
    staff = {"supporter_a@example.org", "editor@example.org"}
    return [message for message in mail.outbox if not set(message.to) & staff]


def unsubscribe_path(message) -> str:
    return re.search(r"http://testserver(/accounts/unsubscribe/[^/\s]+/)", message.body).group(1)


def test_a_reader_follows_the_cleaned_search(world):
    reader = make_reader("reader")
    response = follow(reader, "PRINCIPLE=x&principle=Disclosure&role=BUILDER&sort=title&page=3&compare=z")
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=reader)
    # Through the filter engine: known keys only, folded to lower case, no sort, page or comparison.
    assert subscription.query == "role=builder&principle=disclosure"
    assert subscription.label == "Stakeholder role: Builder; Principle: Disclosure"
    assert response["Location"] == "/cases/?role=builder&principle=disclosure"
    # Following it again changes how often, not how many.
    follow(reader, "role=builder&principle=disclosure", Frequency.WEEKLY)
    assert Subscription.objects.get(user=reader).frequency == Frequency.WEEKLY


def test_a_search_naming_nothing_or_too_long_is_refused_with_a_reason(world):
    reader = make_reader("reader")
    unknown = follow(reader, f"principle=no-such-thing{XSS}")
    assert unknown.status_code == 400
    page = unknown.content.decode()
    assert "cannot be followed" in page and "No principle matches" in page and XSS not in page
    assert follow(reader, "q=" + "x" * 9000).status_code == 400
    assert follow(reader, "role=builder", frequency="hourly").status_code == 400
    assert not Subscription.objects.exists()


def test_a_hostile_search_is_shown_escaped(world):
    reader = make_reader("reader")
    assert follow(reader, f"q={XSS}").status_code == 302
    subscription = Subscription.objects.get(user=reader)
    page = client_for(reader).get("/accounts/me/").content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    assert subscription.label.startswith("matching “")


def test_the_case_list_offers_the_follow_control_to_each(world):
    reader = make_reader("reader")
    url = "/cases/?role=builder&sort=title"
    as_reader = client_for(reader).get(url).content.decode()
    assert 'action="/accounts/follow/"' in as_reader and 'name="query" value="role=builder"' in as_reader
    assert 'href="/feeds/cases/?role=builder"' in as_reader
    anonymous = Client().get(url).content.decode()
    assert 'action="/accounts/follow/"' not in anonymous
    assert 'href="/accounts/signup/">sign up</a> to follow by email' in anonymous
    assert 'href="/feeds/cases/?role=builder"' in anonymous
    supporter = client_for(world["supporter"]).get(url).content.decode()
    assert 'action="/accounts/follow/"' not in supporter and "sign up" not in supporter


def test_organization_and_recommendation_pages_link_to_following(world, capture_publish):
    case = capture_publish()
    org_page = Client().get(f"/organizations/{world['org'].slug}/").content.decode()
    assert 'href="/cases/?org=org-a#follow"' in org_page
    rec_page = Client().get("/recommendations/builders-1/").content.decode()
    assert 'href="/cases/?rec=builders-1#follow"' in rec_page
    assert case.is_published


@pytest.fixture
def capture_publish(world, django_capture_on_commit_callbacks):
    def run():
        submission = approved(world)
        publish(world, submission, django_capture_on_commit_callbacks)
        submission.case.refresh_from_db()
        return submission.case

    return run


def test_a_matching_publication_mails_each_immediate_follower_once(world, capture_publish):
    matching, other, weekly = make_reader("matching"), make_reader("other"), make_reader("weekly")
    follow(matching, "role=builder&principle=disclosure")
    follow(other, "principle=consent")
    follow(weekly, "role=builder", Frequency.WEEKLY)
    mail.outbox.clear()

    case = capture_publish()

    [message] = readers_mail()
    assert message.to == ["matching@example.org"]
    assert case.title in message.subject and f"/cases/{case.slug}/" in message.body
    path = unsubscribe_path(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The record of what was sent, and announcing it again sends nothing more.
    assert Delivery.objects.filter(case=case).count() == 1
    assert following.notify_followers.call(case_id=case.pk) == 0
    assert len(readers_mail()) == 1


def test_a_revision_published_again_sends_nothing(world, capture_publish, django_capture_on_commit_callbacks):
    reader = make_reader("reader")
    follow(reader, "role=builder")
    case = capture_publish()
    assert len(readers_mail()) == 1
    from casebase.submissions.models import Submission

    submission = services.start_revision(case=case, by=world["editor"])
    for step in ("submit", "claim", "approve"):
        by = world["supporter"] if step == "submit" else world["editor"]
        getattr(services, step)(submission=submission, by=by)
    publish(world, Submission.objects.get(pk=submission.pk), django_capture_on_commit_callbacks)
    assert Submission.objects.get(pk=submission.pk).revision == 2
    assert len(readers_mail()) == 1


def test_the_unsubscribe_link_works_signed_out(world, capture_publish):
    reader = make_reader("reader")
    follow(reader, "role=builder")
    capture_publish()
    path = unsubscribe_path(readers_mail()[0])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and "Stakeholder role: Builder" in page.content.decode()
    assert Subscription.objects.filter(user=reader).exists()  # a GET (a link scanner) changes nothing
    # The form's POST, or a mail client's RFC 8058 one-click POST: no session, no CSRF token.
    done = browser.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Unsubscribed" in done.content.decode()
    assert not Subscription.objects.filter(user=reader).exists()
    # Used again: still a calm answer.
    assert browser.post(path).status_code == 200
    assert browser.get(path).status_code == 404


def test_a_forged_unsubscribe_token_changes_nothing(world):
    reader = make_reader("reader")
    follow(reader, "role=builder")
    subscription = Subscription.objects.get()
    forged = following.signing.dumps(subscription.pk, salt="another-salt")
    for token in (forged, "x" * 300, following.unsubscribe_token(subscription) + "x"):
        assert Client().post(f"/accounts/unsubscribe/{token}/").status_code == 200
        assert Client().get(f"/accounts/unsubscribe/{token}/").status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_nobody_stops_another_readers_follow(world):
    mine, theirs = make_reader("mine"), make_reader("theirs")
    follow(theirs, "role=builder")
    subscription = Subscription.objects.get(user=theirs)
    assert client_for(mine).post(f"/accounts/follow/{subscription.pk}/stop/").status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    assert client_for(theirs).post(f"/accounts/follow/{subscription.pk}/stop/").status_code == 302
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_weekly_follower_gets_one_digest_a_week_and_never_a_case_twice(world, capture_publish):
    reader = make_reader("reader")
    follow(reader, "role=builder", Frequency.WEEKLY)
    first = capture_publish()
    assert readers_mail() == []  # weekly: nothing at publication
    call_command("send_digests", stdout=open("/dev/null", "w"))
    [digest] = readers_mail()
    assert first.title in digest.body and "1 new case" in digest.subject
    assert "List-Unsubscribe" in digest.extra_headers
    # Run again, or after another publication the same week: nothing more this week.
    second = capture_publish()
    call_command("send_digests", stdout=open("/dev/null", "w"))
    assert len(readers_mail()) == 1
    # Next week: only what is new to this follower.
    subscription = Subscription.objects.get(user=reader)
    assert following.send_digest(subscription, now=timezone.now() + timedelta(days=7)) == 1
    latest = readers_mail()[-1]
    assert f"/cases/{second.slug}/" in latest.body and f"/cases/{first.slug}/" not in latest.body
    assert following.send_digest(subscription, now=timezone.now() + timedelta(days=14)) == 0


def test_the_constraints_refuse_a_second_send(world, capture_publish):
    reader = make_reader("reader")
    follow(reader, "role=creator")
    subscription = Subscription.objects.get()
    case = capture_publish()
    Delivery.objects.create(subscription=subscription, case=case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(subscription=subscription, case=case)
    Delivery.objects.create(subscription=subscription, period="2026-W49")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(subscription=subscription, period="2026-W49")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(subscription=subscription)  # neither a case nor a period


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_announcements_send_one_email():
    world = {}
    build_framework()
    from casebase.organizations.models import Organization

    world["org"] = Organization.objects.create(slug="org-a", name="Organization A", kind="industry")
    world["supporter"] = make_user("supporter_a", organization=world["org"])
    world["editor"] = make_user("editor", is_staff=True)
    submission = approved(world)
    services.publish(submission=submission, by=world["editor"], **publishable())  # committed: autocommit
    case_id = submission.case_id
    # The follow begins after the publication's own announcement, so the race below is the first.
    reader = make_reader("reader")
    follow(reader, "role=builder")
    mail.outbox.clear()
    barrier, results, errors = threading.Barrier(2), [], []

    def announce():
        try:
            barrier.wait()
            results.append(following.notify_followers.call(case_id=case_id))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=announce) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [0, 1]
    assert len(readers_mail()) == 1
    assert Delivery.objects.filter(case_id=case_id).count() == 1
