"""Checks every journey makes on every page it visits, at a phone's width and a desktop's.

The journeys (a reader, a supporter, an editor) call ``check_page(page)`` after each
step: no sideways scrolling, the focused element not hidden under a sticky or fixed
bar, and, where the context let axe-core past the CSP, no axe violation of any impact.
"""

from tests.axe import AXE, WCAG_RULES

WIDTHS = {"phone": 390, "desktop": 1280}

_OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > doc.clientWidth + 1)
    .filter(el => !el.closest('[data-scrolls], .table-scroll, .table-wrap, pre'))
    .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''));
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide};
}"""

# The focused element is obscured when the element drawn at its centre, or at each of
# its corners, belongs to a fixed or sticky bar that does not contain it.
_FOCUS_OBSCURED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return null;
  const points = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + 1, r.top + 1], [r.right - 1, r.bottom - 1]];
  let covered = 0;
  for (const [x, y] of points) {
    if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) { covered++; continue; }
    const top = document.elementFromPoint(x, y);
    if (!top || el.contains(top) || top.contains(el)) continue;
    let node = top;
    while (node && node !== document.body) {
      const pos = getComputedStyle(node).position;
      if (pos === 'fixed' || pos === 'sticky') { covered++; break; }
      node = node.parentElement;
    }
  }
  return covered === points.length ? (el.id || el.name || el.tagName) : null;
}"""

_AXE_RUN = (
    "async (rules) => (await axe.run(document, {runOnly: rules}))"
    ".violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])"
)


def overflow(page) -> dict | None:
    """What makes the page wider than the window, or None when it scrolls only downwards."""
    found = page.evaluate(_OVERFLOW)
    return found if found["scrollWidth"] > found["clientWidth"] else None


def obscured_focus(page) -> str | None:
    """The focused element's name when a sticky or fixed bar hides it entirely, else None."""
    return page.evaluate(_FOCUS_OBSCURED)


def axe_violations(page) -> list:
    """axe-core's WCAG 2.2 A/AA violations on the page as it stands (any impact)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(_AXE_RUN, WCAG_RULES)


def check_page(page, *, axe: bool = True) -> list[str]:
    """Every problem this page has at the context's width, as readable lines."""
    problems = []
    url = page.url
    if (wide := overflow(page)) is not None:
        problems.append(f"{url}: scrolls sideways ({wide})")
    if (hidden := obscured_focus(page)) is not None:
        problems.append(f"{url}: the focused element {hidden} is hidden under a bar")
    if axe:
        problems += [f"{url}: axe {v}" for v in axe_violations(page)]
    return problems
