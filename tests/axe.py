"""Where the accessibility tests find axe-core.

axe-core ships inside the pinned PyPI package axe-playwright-python, so
`make test` needs nothing but Python, and nothing is fetched at run time.
"""

from pathlib import Path

import axe_playwright_python

AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
