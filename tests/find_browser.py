"""Find a Chromium for the browser tests, or say in one line what to install.

    python tests/find_browser.py            # print the path, or the line and exit 1
    python tests/find_browser.py --install  # also try to install one first

Looked for, in order: $CASEBASE_CHROMIUM; a Chromium or Chrome on the PATH
(Debian's ``chromium`` on CI); Playwright's own download. With --install and
nothing found: Debian's package when this is a Debian machine run as root,
else Playwright's download where the network allows it.
"""

import os
import shutil
import subprocess
import sys

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MISSING = (
    "The browser tests need Chromium: install it (Debian/Ubuntu: 'apt-get install chromium'; "
    "anywhere else: '.venv/bin/python -m playwright install chromium'), "
    "or set CASEBASE_CHROMIUM to a Chromium binary, or run 'make test-fast' to leave them out."
)


def playwright_chromium() -> str | None:
    """Playwright's own Chromium, if it has been downloaded."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # Playwright missing or its driver broken: no browser from there
        return None
    return path if path and os.path.exists(path) else None


def chromium_path() -> str | None:
    configured = os.environ.get("CASEBASE_CHROMIUM", "")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return playwright_chromium()


def _try(command: list[str]) -> None:
    try:
        subprocess.run(
            command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900
        )
    except (OSError, subprocess.TimeoutExpired):
        pass


def install() -> None:
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing Debian's chromium for the browser tests...", file=sys.stderr, flush=True)
        _try(["apt-get", "install", "-y", "-qq", "chromium"])
        if not chromium_path():
            _try(["apt-get", "update", "-qq"])
            _try(["apt-get", "install", "-y", "-qq", "chromium"])
    if not chromium_path():
        print("Downloading Playwright's Chromium for the browser tests...", file=sys.stderr, flush=True)
        _try([sys.executable, "-m", "playwright", "install", "chromium"])


def main() -> int:
    path = chromium_path()
    if path is None and "--install" in sys.argv:
        install()
        path = chromium_path()
    if path is None:
        print(MISSING, file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
