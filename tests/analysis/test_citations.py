import json

from casebase.analysis import citations


def test_case_citation_in_three_formats(client, casebase_data):
    html = client.get("/cases/bbc/").content.decode()
    assert "@misc{" in html and "TY  - ELEC" in html and "&quot;URL&quot;" in html
    bib = client.get("/analysis/cite/cases/bbc.bib").content.decode()
    # PAI's own title (confirmed against its page), and where PAI published the case.
    assert "title = {{How the BBC used face swapping to anonymize interviewees}}" in bib
    assert "Published by Partnership on AI at https://partnershiponai.org/bbc-framework-case-study/" in bib
    assert "author = {{BBC}}" in bib and "year = {2024}" in bib
    assert "url = {http://" in bib and "/cases/bbc/}" in bib and "urldate = {" in bib
    ris = client.get("/analysis/cite/cases/bbc.ris").content.decode()
    assert "AU  - BBC\n" in ris and "PY  - 2024\n" in ris and "Y2  - " in ris and ris.endswith("ER  - \n")
    csl = json.loads(client.get("/analysis/cite/cases/bbc.json").content)
    assert csl[0]["author"] == [{"literal": "BBC"}] and csl[0]["issued"] == {"date-parts": [[2024]]}
    assert "accessed" in csl[0] and csl[0]["URL"].endswith("/cases/bbc/")


def test_citations_never_present_a_guess_as_the_author_or_title(client, casebase_data):
    guess = client.get("/analysis/cite/cases/meedan.bib").content.decode()
    assert "author = {{Author not established}}" in guess and "author = {{Meedan}}" not in guess
    assert "Attributed to Meedan (inferred), not confirmed." in guess
    assert "PAI's title is not established" in guess
    csl = json.loads(client.get("/analysis/cite/cases/meedan.json").content)
    assert csl[0]["author"] == [{"literal": "Author not established"}]
    adobe = client.get("/analysis/cite/cases/adobe.ris").content.decode()
    assert "Descriptive title by Casebase editors; PAI's title is not established." in adobe


def test_unpublished_cases_have_no_citation(client, casebase_data):
    from casebase.cases.models import CaseStudy

    CaseStudy.objects.filter(slug="bbc").update(is_published=False)
    assert client.get("/analysis/cite/cases/bbc.bib").status_code == 404


def test_analysis_view_and_snapshot_citations(client, casebase_data):
    html = client.get("/analysis/analyses/november-2024-direct-disclosure-policy/").content.decode()
    assert "Partnership on AI" in html and "@misc{" in html
    gaps = client.get("/analysis/gaps/?role=builder").content.decode()
    assert "Gap map (role builder). Casebase cross-case analysis" in gaps
    assert "/analysis/gaps/?role=builder" in gaps  # the permalink of the saved view
    bib = client.get("/analysis/cite/snapshot.bib").content.decode()
    assert bib.startswith("@dataset{") and "version = {" in bib
    assert client.get("/analysis/cite/snapshot.docx").status_code == 404


def test_bibtex_escapes_special_characters():
    cite = citations.Citation("R&D at 100% {fast} #1_x", "A & B", 2025, "http://x/", citations.today())
    bib = cite.bibtex()
    assert r"R\&D at 100\% \{fast\} \#1\_x" in bib and r"A \& B" in bib


def test_case_citations_give_pai_original_address_where_one_exists(client, casebase_data):
    # Confirmed: said plainly, in every format and as a link beside the citation.
    html = client.get("/cases/bbc/").content.decode()
    assert 'href="https://partnershiponai.org/bbc-framework-case-study/"' in html
    ris = client.get("/analysis/cite/cases/bbc.ris").content.decode()
    assert "Published by Partnership on AI at https://partnershiponai.org/bbc-framework-case-study/" in ris
    # Only inferred from PAI's address pattern: given, with its grade.
    adobe = client.get("/analysis/cite/cases/adobe.bib").content.decode()
    assert (
        "probably at https://partnershiponai.org/adobe-framework-case-study/ (inferred, not confirmed)"
        in adobe
    )
    csl = json.loads(client.get("/analysis/cite/cases/adobe.json").content)
    assert "https://partnershiponai.org/adobe-framework-case-study/" in csl[0]["note"]


def test_cite_panel_offers_copy_buttons_from_a_static_script(client, casebase_data):
    import re

    from django.contrib.staticfiles import finders

    html = client.get("/cases/bbc/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert any('src="/static/js/cite.js"' in tag for tag in scripts)
    assert "</script>" in html and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # nothing inline
    assert 'data-copy="BibTeX"' in html and 'data-copy="RIS"' in html and 'data-copy="CSL-JSON"' in html
    script = open(finders.find("js/cite.js")).read()
    assert "navigator.clipboard" in script and "data-copy" in script
