"""The slowest of the worst inputs the site accepts, in milliseconds.

    python bench/worst.py

Times, at the largest size a form accepts, each pathological markdown text
(rendered as on save), each pathological pair of texts (compared as on the
conflict and history pages) and the formset POST asking for 100,000 rows
(validated and rendered as the case form does). The same inputs are counted,
not timed, in tests/security/test_worst_input.py. Prints the three slowest of
each kind, then one `worst:` line with the slowest of all.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casebase.settings")

import django  # noqa: E402

django.setup()

from casebase.core.markdown import render_markdown  # noqa: E402
from casebase.submissions.diff import word_diff  # noqa: E402
from casebase.submissions.forms import SECTION_MAX_LENGTH, ApplicationFormSet  # noqa: E402
from tests.security.worst import DIFF_PATHOLOGIES, MARKDOWN_PATHOLOGIES  # noqa: E402


def best_of(function, runs: int = 3) -> float:
    """Milliseconds of the fastest of a few runs: the cost of the work, not of the machine's other load."""
    fastest = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest * 1000


def huge_formset() -> None:
    formset = ApplicationFormSet({"apps-TOTAL_FORMS": "100000", "apps-INITIAL_FORMS": "0"}, prefix="apps")
    formset.is_valid()
    str(formset)


def main() -> None:
    timings: list[tuple[str, str, float]] = []
    for name, make in MARKDOWN_PATHOLOGIES.items():
        text = make(SECTION_MAX_LENGTH)
        timings.append(("markdown", name, best_of(lambda text=text: render_markdown(text))))
    for name, make in DIFF_PATHOLOGIES.items():
        old, new = make(SECTION_MAX_LENGTH)
        timings.append(("diff", name, best_of(lambda old=old, new=new: word_diff(old, new))))
    timings.append(("formset", "apps-TOTAL_FORMS=100000", best_of(huge_formset)))

    for kind in ("markdown", "diff", "formset"):
        ranked = sorted((t for t in timings if t[0] == kind), key=lambda t: -t[2])
        for _, name, ms in ranked[:3]:
            print(f"{kind:9} {ms:8.1f} ms  {name}")
    kind, name, ms = max(timings, key=lambda t: t[2])
    print(f"worst: {ms:.0f} ms, the slowest of {len(timings)} worst inputs ({kind}: {name})")


if __name__ == "__main__":
    main()
