import pytest

from casebase.corrections import services


@pytest.fixture
def suggest_post():
    """The suggestion form as a browser posts it, for a case's summary unless told otherwise."""

    def build(page="/cases/adobe/", field="summary", **changes):
        data = {
            "page": page,
            "field": field,
            "problem": "The summary says 2021; the case says 2022.",
            "source_url": "https://partnershiponai.org/adobe-framework-case-study/",
            "email": "reader@example.net",
            "wants_credit": "on",
            "credit_name": "Rita Reader",
            "website": "",
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    return build


@pytest.fixture
def make_suggestion(casebase_data):
    """A stored suggestion about a fact of a page, made through the service."""
    from casebase.corrections.pages import page_for

    def build(page="/cases/adobe/", field="summary", **kw):
        found = page_for(page)
        values = {
            "problem": "It is wrong.",
            "source_url": "https://example.org/source",
            "email": "r@example.net",
        }
        values.update(kw)
        return services.suggest(page=found, target=found.target(field), **values)

    return build
