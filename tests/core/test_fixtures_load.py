from django.core.management import call_command

from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Recommendation
from casebase.organizations.models import Organization


def test_real_data_loads_with_confidence_kept(casebase_data):
    assert Organization.objects.filter(is_supporter=True).count() == 18
    assert CaseStudy.objects.published().count() == 19
    assert CaseStudy.objects.filter(cohort__slug="2024-03").count() == 11
    assert CaseStudy.objects.filter(cohort__slug="2024-11").count() == 5
    assert CaseStudy.objects.filter(cohort__slug="2025").count() == 3
    # Only one official number is established: 20.
    numbered = Recommendation.objects.exclude(official_number=None)
    assert list(numbered.values_list("official_number", flat=True)) == [20]
    # Unconfirmed facts are flagged, not shown as fact.
    adobe = CaseStudy.objects.get(slug="adobe")
    assert adobe.confidence_flag == "inferred"
    assert adobe.is_stub
    witness = CaseStudy.objects.get(slug="witness")
    assert witness.summary == "" and witness.is_stub
    bbc = CaseStudy.objects.get(slug="bbc")
    assert bbc.confidence_flag == "" and not bbc.is_stub
    assert {t.slug for t in bbc.roles.all()} == {"creator", "distributor-first-party"}
    assert bbc.tag_snapshot["roles"] == ["creator", "distributor-first-party"]


def test_reload_is_idempotent(casebase_data):
    before = (CaseStudy.objects.count(), Application.objects.count(), Recommendation.objects.count())
    call_command("load_casebase", verbosity=0, stdout=open("/dev/null", "w"))
    after = (CaseStudy.objects.count(), Application.objects.count(), Recommendation.objects.count())
    assert before == after


def test_markdown_is_rendered_on_save_and_sanitised(casebase_data):
    rec = Recommendation.objects.get(key="builders-1")
    rec.text = "Be **clear**. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    rec.save()
    assert "<strong>clear</strong>" in rec.text_html
    assert "<script" not in rec.text_html
    assert "javascript:" not in rec.text_html
    assert "onerror" not in rec.text_html
