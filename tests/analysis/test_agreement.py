"""/analysis/agreement/: where two voices coded the same case, how far they agree."""

import pytest

from casebase.analysis.agreement import cohen_kappa
from casebase.cases.models import Application, CaseStudy
from casebase.framework.models import Recommendation

pytestmark = pytest.mark.django_db


def test_cohen_kappa_on_a_worked_example():
    # 50 items: both yes 20, a yes b no 5, a no b yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    kappa, observed, expected = cohen_kappa(pairs)
    assert (round(kappa, 6), observed, expected) == (0.4, 0.7, 0.5)
    assert cohen_kappa([]) == (None, None, None)
    assert cohen_kappa([("y", "y")] * 3)[0] is None  # chance agreement 1: undefined, not 1 or 0


def code(slug, key, status, voice, grade="confirmed"):
    return Application.objects.create(
        case=CaseStudy.objects.get(slug=slug),
        recommendation=Recommendation.objects.get(key=key, edition__is_current=True),
        status=status,
        voice=voice,
        grade=grade,
        justification="Coded for the agreement test.",
    )


def test_agreement_per_recommendation_and_overall(client, casebase_data):
    # The editors coded bbc and openai already; the organizations code the same pairs.
    editors = {
        (a.case.slug, a.recommendation.key): a.status
        for a in Application.objects.select_related("case", "recommendation")
    }
    code("bbc", "creators-3", editors[("bbc", "creators-3")], "supporter")  # agrees
    code("bbc", "distributors-5", "partial", "supporter")  # differs (editors: implemented)
    openai_key = next(key for slug, key in editors if slug == "openai")
    code("openai", openai_key, editors[("openai", openai_key)], "supporter")
    response = client.get("/analysis/agreement/?a=supporter&b=editors")
    result = response.context["result"]
    assert result.pairs == 3
    rows = {row.key: row for row in result.recommendations}
    assert (rows["creators-3"].both, rows["creators-3"].same) == (1, 1)
    assert (rows["distributors-5"].both, rows["distributors-5"].same) == (1, 0)
    assert rows["distributors-5"].differ[0][0][0] == "bbc"
    pairs = [
        (editors[("bbc", "creators-3")],) * 2,
        ("partial", "implemented"),
        (editors[("openai", openai_key)],) * 2,
    ]
    assert result.kappa == cohen_kappa(pairs)[0]
    assert "coded by both" in response.text and "/analysis/matrix/bbc/distributors-5/" in response.text


def test_agreement_honours_the_evidence_setting_and_filters(client, casebase_data):
    code("bbc", "creators-3", "implemented", "supporter")
    # The editors' codings are inferred: with confirmed evidence only, nothing is coded by both.
    assert client.get("/analysis/agreement/?a=supporter&b=editors").context["result"].pairs == 1
    assert (
        client.get("/analysis/agreement/?a=supporter&b=editors&evidence=confirmed").context["result"].pairs
        == 0
    )
    assert (
        client.get("/analysis/agreement/?a=supporter&b=editors&cohort=2024-11").context["result"].pairs == 0
    )


def test_the_same_voice_twice_or_nonsense_is_a_clear_message(client, casebase_data):
    response = client.get("/analysis/agreement/?a=pai&b=pai")
    assert response.status_code == 200 and "Choose two different voices" in response.text
    response = client.get("/analysis/agreement/?a=<script>&b=" + "x" * 5000)
    assert response.status_code == 200 and "<script>" not in response.text
