"""axe-core on every public, supporter and review page: no serious or critical violations.

The pages come from the URL table (tests/security/urlmap.py), so a new page is
checked as soon as it has its permission decision. axe-core is the pinned release from
the npm registry, fetched once and verified against its sha512 integrity (tests/axe.py).
"""

import pytest

from tests.axe import AXE, VERSION
from tests.security.conftest import build_world
from tests.security.test_authorization import url_for
from tests.security.urlmap import REGISTRY, Area, Outcome

AREAS = (Area.PUBLIC, Area.SUPPORTER, Area.REVIEW, Area.ACCOUNT)
PAGES = sorted(name for name, rule in REGISTRY.items() if rule.html and rule.area in AREAS)
BLOCKING = {"serious", "critical"}


def run_axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return {version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))};
        }"""
    )
    assert result["version"] == VERSION, result["version"]
    return result["violations"]


@pytest.mark.browser
def test_axe_on_every_page(live_server, transactional_db, open_context):
    assert AXE.exists(), "axe-core is fetched from the npm registry by tests/axe.py"
    world = build_world()
    contexts = {}
    blocking, minor = [], []
    for name in PAGES:
        rule = REGISTRY[name]
        persona = next(
            (p for p in ("anonymous", "supporter_a", "editor", "reader") if rule.expect[p] == Outcome.OK),
            None,
        )
        if persona is None:
            continue
        if persona not in contexts:
            # axe is injected as a script: let it past the page's CSP (the pages' own CSP is tested elsewhere).
            # One tab per persona: each navigation starts the page afresh.
            contexts[persona] = open_context(
                world.users[persona], live_server.url, bypass_csp=True
            ).new_page()
        page = contexts[persona]
        response = page.goto(live_server.url + url_for(name, rule, world))
        assert response.status == 200, (name, response.status)
        for violation in run_axe(page):
            line = (
                f"{name} [{violation['impact']}] {violation['id']}: {violation['help']} {violation['nodes']}"
            )
            (blocking if violation["impact"] in BLOCKING else minor).append(line)
    if minor:
        print("axe: violations reported, not failing:\n  " + "\n  ".join(minor))
    assert not blocking, "\n".join(blocking)
