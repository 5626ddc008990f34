"""The page checks every journey relies on (tests/browser/journey.py) catch what they claim to:
a page wider than its window, and a focused control hidden under a sticky bar."""

import pytest

from tests.browser.journey import WIDTHS, check_page, obscured_focus, overflow

WIDE = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<p>Short text.</p><div style="width: 150vw; height: 20px">too wide for a phone</div></main></body></html>"""

# The table scrolls inside its own box, but its hidden text is placed against the page,
# not the box: the page itself grows wider (the matrix's fault in issue 14).
ESCAPING = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<div style="overflow-x: auto; width: 300px"><table><tr><td style="min-width: 3000px">wide cell</td>
<td>last<span style="position: absolute; width: 1px; height: 1px; overflow: hidden">hidden</span></td></tr></table></div>
</main></body></html>"""

COVERED = """<!doctype html><html lang="en"><head><title>t</title></head><body style="margin: 0">
<div style="height: 2000px"></div>
<div style="position: sticky; bottom: 0; height: 120px; background: #eee">a save bar</div>
<p style="position: fixed; bottom: 20px; left: 10px; margin: 0; z-index: -1"><button id="under">hidden</button></p>
</body></html>"""

CLEAR = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Fine</h1><button id="visible">seen</button></main></body></html>"""


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS.values())
def test_checks_catch_sideways_scroll_and_covered_focus(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.set_content(WIDE)
        assert overflow(page) is not None
        page.set_content(ESCAPING)
        assert overflow(page) is not None

        page.set_content(COVERED)
        page.focus("#under")
        assert obscured_focus(page) == "under"
        assert any("hidden under a bar" in line for line in check_page(page, axe=False))

        page.set_content(CLEAR)
        page.focus("#visible")
        assert obscured_focus(page) is None
        assert overflow(page) is None
        assert check_page(page, axe=False) == []
    finally:
        context.close()
