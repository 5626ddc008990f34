"""Without a Chromium, a run that includes the browser tests stops with one line saying what to
install, even across pytest-xdist workers; a run without them is not stopped."""

import os
import subprocess
import sys
from pathlib import Path

from tests.find_browser import MISSING

ROOT = Path(__file__).resolve().parents[2]


def collect(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CASEBASE_CHROMIUM": "/nonexistent/chromium"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "--collect-only", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_browser_tests_without_chromium_stop_with_one_line():
    result = collect("tests/browser/test_public_walk.py")
    output = result.stdout + result.stderr
    assert result.returncode == 3
    assert MISSING in output
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output


def test_other_tests_run_without_chromium():
    result = collect("tests/core/test_healthz.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert MISSING not in result.stdout + result.stderr


def test_leaving_the_browser_tests_out_needs_no_chromium():
    result = collect("-m", "not browser", "tests/browser/test_public_walk.py")
    assert result.returncode in (0, 5), result.stdout + result.stderr  # 5: everything deselected
    assert MISSING not in result.stdout + result.stderr
