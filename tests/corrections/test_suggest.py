"""Suggesting a correction: from every kind of page, by anyone, within limits, and safely."""

from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model

from casebase.cases.models import CaseStudy
from casebase.corrections import services
from casebase.corrections.models import Suggestion
from casebase.framework.models import Recommendation
from tests.conftest import client_for, make_user
from tests.security.test_hostile_input import nonce_of
from tests.security.xss import PAYLOADS, script_injection_problems

pytestmark = pytest.mark.django_db
NEW = "/corrections/new/"


def link_on(html: str) -> str:
    """The first "Suggest a correction" link of a page, unescaped."""
    import html as html_lib
    import re

    found = re.search(r'<a href="(/corrections/new/\?[^"]+)"[^>]*>Suggest a correction</a>', html)
    assert found, "the page links to the suggestion form"
    return html_lib.unescape(found.group(1))


def test_every_kind_of_page_links_to_the_form_with_its_facts(anon_client, casebase_data):
    case = CaseStudy.objects.get(slug="microsoft-linkedin")
    form = anon_client.get(link_on(anon_client.get(case.get_absolute_url()).text))
    assert form.status_code == 200
    keys = [key for key, _ in form.context["form"].fields["field"].choices]
    # Its title and summary, and each role, principle, co-author credit and coding it shows.
    assert {"title", "summary", "role:builder", "principle:disclosure", "credit:linkedin"} <= set(keys)
    assert {k for k in keys if k.startswith("coding:")} == {
        f"coding:{a.recommendation.key}:{a.voice}" for a in case.applications.shown()
    }
    # The summary's own link chooses the summary.
    summary_link = [
        line for line in anon_client.get(case.get_absolute_url()).text.splitlines() if "field=summary" in line
    ]
    assert (
        summary_link
        and anon_client.get(link_on(summary_link[0])).context["form"]["field"].value() == "summary"
    )

    rec = Recommendation.objects.filter(edition__is_current=True).first()
    form = anon_client.get(link_on(anon_client.get(rec.get_absolute_url()).text))
    assert form.status_code == 200 and form.context["form"]["field"].value() == "text"
    assert form.context["page"].record == rec

    for path in ("/analysis/gaps/", "/analysis/", "/analysis/matrix/?role=builder"):
        form = anon_client.get(link_on(anon_client.get(path).text))
        assert form.status_code == 200, path
        assert form.context["page"].kind == "analysis" and "figure" in form.context["form"].fields
        assert form.context["page"].path == path


def test_anonymous_suggestion_is_stored_and_thanked(anon_client, casebase_data, suggest_post):
    response = anon_client.post(NEW, suggest_post())
    assert response.status_code == 302 and response["Location"].startswith("/corrections/thanks/")
    suggestion = Suggestion.objects.get()
    adobe = CaseStudy.objects.get(slug="adobe")
    assert (suggestion.target, suggestion.target_pk, suggestion.field) == ("case", adobe.pk, "summary")
    assert suggestion.case == adobe and suggestion.current_value == adobe.summary
    assert suggestion.credit == "Rita Reader" and suggestion.email == "reader@example.net"
    assert suggestion.status == Suggestion.Status.OPEN and suggestion.submitted_by is None
    thanks = anon_client.get(response["Location"])
    assert thanks.status_code == 200 and 'href="/cases/adobe/"' in thanks.text


def test_a_signed_in_user_suggests_the_same_way(supporter_a, casebase_data, suggest_post):
    reader = make_user("reader")  # a signed-in account that is neither supporter nor editor
    for user in (supporter_a, reader):
        response = client_for(user).post(NEW, suggest_post(email="", wants_credit=None, credit_name=""))
        assert response.status_code == 302
    assert set(Suggestion.objects.values_list("submitted_by__username", flat=True)) == {
        "supporter_a",
        "reader",
    }
    assert not Suggestion.objects.filter(wants_credit=True).exists()


def test_an_analysis_suggestion_says_which_figure(anon_client, casebase_data, suggest_post):
    missing = anon_client.post(NEW, suggest_post(page="/analysis/gaps/", field="figure"))
    assert missing.status_code == 422 and "Say which figure" in missing.text
    response = anon_client.post(NEW, suggest_post(page="/analysis/gaps/", field="figure", figure="Row 3"))
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.target, suggestion.figure, suggestion.case) == ("analysis-page", "Row 3", None)


def test_draft_or_unknown_pages_are_refused(anon_client, casebase_data, suggest_post):
    CaseStudy.objects.filter(slug="adobe").update(is_published=False)
    for page, status in (
        ("/cases/adobe/", 404),  # not published: nobody may point at it
        ("/cases/no-such-case/", 404),
        ("/submit/", 404),  # a page of ours, but not one of facts
        ("https://evil.example/cases/google/", 400),
        ("//evil.example/", 400),
        ("", 400),
        ("/cases/" + "x" * 400 + "/", 400),
    ):
        assert anon_client.get(NEW, {"page": page}).status_code == status, page
        assert anon_client.post(NEW, suggest_post(page=page)).status_code == status, page
    assert not Suggestion.objects.exists()
    # What was typed for a page gone meanwhile is shown back.
    gone = anon_client.post(NEW, suggest_post(problem="Kept <b>words</b>"))
    assert gone.status_code == 404 and "Kept &lt;b&gt;words&lt;/b&gt;" in gone.text
    # A long set of filters on an analysis page is dropped rather than refused.
    long_query = "/analysis/matrix/?" + "&".join(f"role=r{n}" for n in range(100))
    assert anon_client.get(NEW, {"page": long_query}).context["page"].path == "/analysis/matrix/"


def test_honeypot_is_thanked_and_dropped(anon_client, casebase_data, suggest_post):
    response = anon_client.post(NEW, suggest_post(website="https://cheap-pills.example"))
    assert response.status_code == 302 and response["Location"].startswith("/corrections/thanks/")
    assert not Suggestion.objects.exists()


def test_throttled_per_connection_and_per_address(anon_client, casebase_data, suggest_post, monkeypatch):
    monkeypatch.setattr(services, "LIMIT", replace(services.LIMIT, per_client=3, per_address=2))
    # The address's limit: the third from one address is refused, typed text kept.
    for n in range(2):
        assert anon_client.post(NEW, suggest_post(problem=f"Mistake {n}")).status_code == 302
    refused = anon_client.post(NEW, suggest_post(problem="Mistake that waits"))
    assert refused.status_code == 429 and "Too many suggestions" in refused.text
    assert "Mistake that waits" in refused.text and "Rita Reader" in refused.text
    # The connection's limit, whatever address is given (or none).
    assert anon_client.post(NEW, suggest_post(email="")).status_code == 429
    assert Suggestion.objects.count() == 2
    # Another connection is not affected by this one's count.
    other = client_for(None)
    response = other.post(NEW, suggest_post(email="other@example.net"), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302 and Suggestion.objects.count() == 3


def test_bad_input_gets_clear_messages_and_keeps_what_was_typed(anon_client, casebase_data, suggest_post):
    long = "x" * 2001
    response = anon_client.post(
        NEW,
        suggest_post(problem=long, source_url="javascript:alert(1)", email="not-an-address", field="nope"),
    )
    assert response.status_code == 422
    text = response.text
    assert "Ensure this value has at most 2000 characters (it has 2001)" in text
    assert "Enter a valid URL" in text or "http:// or https://" in text
    assert "Enter a valid email address" in text
    assert "Select a valid choice" in text
    assert long in text and "not-an-address" in text and "Rita Reader" in text  # nothing lost
    assert anon_client.post(NEW, suggest_post(source_url="ftp://example.org/x")).status_code == 422
    credit = anon_client.post(NEW, suggest_post(credit_name=""))
    assert credit.status_code == 422 and "Give the name to credit" in credit.text
    huge = anon_client.post(NEW, suggest_post(problem="y" * 200_000))
    assert huge.status_code == 422 and "at most 2000 characters" in huge.text
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("payload", PAYLOADS[:12] + PAYLOADS[20:26], ids=range(18))
def test_hostile_input_is_shown_escaped_everywhere(payload, casebase_data, editor_client, suggest_post):
    anon = client_for(None)
    data = suggest_post(problem=payload, credit_name=payload, figure=payload)
    # Echoed back on a validation error (the address is refused) ...
    echoed = anon.post(NEW, data | {"email": payload + "@", "source_url": payload})
    assert echoed.status_code == 422
    assert not script_injection_problems(echoed.text, nonce_of(echoed))
    for page in (
        anon.get(NEW, {"page": "/cases/" + payload, "field": payload}),
        anon.get(NEW, {"page": payload}),
    ):
        assert page.status_code in (400, 404)
        assert not script_injection_problems(page.text, nonce_of(page))
    # ... and stored, then shown to editors and, once accepted, to everyone.
    assert anon.post(NEW, data).status_code == 302
    figure = anon.post(
        NEW, suggest_post(page="/analysis/gaps/", field="figure", figure=payload, problem=payload)
    )
    assert figure.status_code == 302
    suggestion, on_analysis = Suggestion.objects.order_by("pk")
    pages = [editor_client.get("/review/quality/"), editor_client.get(suggestion.get_absolute_url())]
    pages.append(editor_client.get(on_analysis.get_absolute_url()))
    editor = get_user_model().objects.get(username="editor")
    services.accept(suggestion=suggestion, editor=editor, new_value=payload, reason=payload)
    services.accept(suggestion=on_analysis, editor=editor, new_value=payload, reason=payload)
    pages += [
        anon.get("/changes/"),
        anon.get("/cases/adobe/"),
        editor_client.get(suggestion.get_absolute_url()),
    ]
    for page in pages:
        assert page.status_code == 200
        assert not script_injection_problems(page.text, nonce_of(page)), page.request["PATH_INFO"]
