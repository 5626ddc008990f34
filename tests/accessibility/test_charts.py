"""Every chart has a text equivalent: a name for screen readers and a table of the same numbers beside it."""

from django.urls import reverse

from tests.security.urlmap import REGISTRY, Area
from tests.security.xss import parse_html

SVG = "{http://www.w3.org/2000/svg}"


def test_every_chart_has_a_name_and_a_table(client, casebase_data):
    pages = [
        name for name, rule in REGISTRY.items() if rule.area == Area.PUBLIC and rule.html and not rule.kwargs
    ]
    charts, problems = 0, []
    for name in sorted(pages):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        document = parse_html(response.content.decode())
        parents = {child: parent for parent in document.iter() for child in parent}
        for svg in document.iter(f"{SVG}svg"):
            if len(list(svg.iter())) < 10:
                continue  # an icon, not a chart
            charts += 1
            labelled = (
                svg.get("aria-label") or svg.get("aria-labelledby") or svg.find(f"{SVG}title") is not None
            )
            if not (svg.get("role") == "img" and labelled) and svg.get("aria-hidden") != "true":
                problems.append(f"{name}: a chart without role=img and a name")
            # The table of the same numbers sits in the chart's own section.
            node, table = svg, None
            while node in parents and table is None:
                node = parents[node]
                if node.tag in ("section", "figure", "main"):
                    table = node.find(".//table")
                    break
            if table is None:
                problems.append(f"{name}: a chart with no table beside it")
    assert charts, "no chart found on the public pages"
    assert not problems, problems
