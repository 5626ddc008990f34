"""Every free-text field of the self-assessment and cycle forms, read from the pages' own markup:
a megabyte gets a clear message on that field (422), unicode and SQL metacharacters are kept."""

import pytest

from casebase.commitments.models import ReportingCycle, SelfAssessment, Statement
from tests.security.forms import invalid_fields, read_form
from tests.security.xss import AWKWARD_TEXT

pytestmark = pytest.mark.django_db
ONE_MEGABYTE = "A" * (1024 * 1024)
URL = "/submit/assessments/2025-review/"


def test_a_megabyte_in_any_assessment_field(cycle, supporter_a_client):
    form = read_form(supporter_a_client.get(URL).content.decode(), URL)
    assert len(form.textareas) == 6  # justification, planned measure, feedback: two rows
    for name in sorted(form.textareas):
        response = supporter_a_client.post(URL, form.data({name: ONE_MEGABYTE, "action": "save"}))
        assert response.status_code in (400, 413, 422), (name, response.status_code)
        if response.status_code == 422:
            body = response.content.decode()
            assert name in invalid_fields(body), name
            assert "at most" in body
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize("text", AWKWARD_TEXT[:6], ids=range(6))
def test_awkward_text_is_kept_exactly(cycle, supporter_a_client, text):
    form = read_form(supporter_a_client.get(URL).content.decode(), URL)
    name = next(n for n in sorted(form.textareas) if n.endswith("-justification"))
    response = supporter_a_client.post(URL, form.data({name: text[:500], "action": "save"}))
    assert response.status_code == 302, invalid_fields(response.content.decode())
    assert Statement.objects.filter(justification=text[:500].strip()).exists()
    assert supporter_a_client.get(URL).status_code == 200


def test_a_megabyte_in_any_cycle_field(cycle, editor_client):
    url = "/review/cycles/"
    form = read_form(editor_client.get(url).content.decode(), url)
    for name in form.text_fields:
        response = editor_client.post(url, form.data({name: ONE_MEGABYTE}))
        assert response.status_code in (400, 413, 422), (name, response.status_code)
    assert ReportingCycle.objects.count() == 1
