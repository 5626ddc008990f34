"""Where the accessibility tests find axe-core: the npm registry's release, pinned and verified.

tests/fetch_axe.py downloads axe-core's tarball from registry.npmjs.org once, checks
its pinned sha512 integrity and keeps axe.min.js in .cache/ (ignored by git); later
runs use the cached file. Only Python is needed, no Node or npm. Importing this module
makes sure the file is there, and fails with AxeFetchError (saying what to do) if it
cannot be downloaded.
"""

from tests.fetch_axe import VERSION, AxeFetchError, ensure

__all__ = ["AXE", "VERSION", "AxeFetchError"]

AXE = ensure()

# The WCAG 2.2 A/AA rule sets every audit runs.
WCAG_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_RUN = (
    "async (rules) => (await axe.run(document, {runOnly: rules}))"
    ".violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])"
)


def audit(page, urls, base: str) -> dict[str, list]:
    """Load each address in ``page`` and run axe-core's WCAG 2.2 A/AA rules on it.

    Returns {url: [[rule, [first nodes]], ...]} for the pages with violations of any impact.
    The page's context must let the injected script past the CSP (bypass_csp=True).
    """
    violations = {}
    for url in urls:
        page.goto(base + url)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(_RUN, WCAG_RULES)
        if found:
            violations[url] = found
    return violations
