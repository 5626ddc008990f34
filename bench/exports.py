"""Peak memory of the two whole-database exports, at the current number of cases.

    python bench/exports.py OUT_DIR CASES

Adds to OUT_DIR/memory.json: the CSV export (/cases/?format=csv, streamed through
Django in a fresh process, see probe.py csv) and the snapshot export
(manage.py export_snapshot, timed with GNU time). Run at 2,000 and at 20,000
cases: streaming exports keep the same peak whatever the number of cases.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")


def peak_of(command: list[str]) -> tuple[int, float, int]:
    """(peak RSS in KB, seconds, exit status) of a command, from GNU time."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M %e", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    kb, seconds = result.stderr.strip().splitlines()[-1].split()
    return int(kb), float(seconds), result.returncode


def main() -> None:
    out, cases = Path(sys.argv[1]), int(sys.argv[2])
    path = out / "memory.json"
    memory = json.loads(path.read_text()) if path.exists() else {}

    csv = subprocess.run([PY, "bench/probe.py", "csv"], cwd=ROOT, capture_output=True, text=True)
    if csv.returncode == 0:
        data = json.loads(csv.stdout)
        memory[f"csv@{cases}"] = {"export": "csv", "cases": cases, **data}
    else:
        memory[f"csv@{cases}"] = {"export": "csv", "cases": cases, "error": csv.stderr[-500:]}

    has_snapshot = (
        subprocess.run([PY, "manage.py", "help", "export_snapshot"], cwd=ROOT, capture_output=True).returncode
        == 0
    )
    if has_snapshot:
        base_kb, _, _ = peak_of([PY, "manage.py", "help", "export_snapshot"])
        kb, seconds, status = peak_of([PY, "manage.py", "export_snapshot", "--output", "/dev/null"])
        memory[f"snapshot@{cases}"] = {
            "export": "snapshot",
            "cases": cases,
            "status": status,
            "seconds": seconds,
            "peak_rss_mb": round(kb / 1024, 1),
            "growth_mb": round((kb - base_kb) / 1024, 1),
        }
    else:
        memory[f"snapshot@{cases}"] = {"export": "snapshot", "cases": cases, "missing": True}
    path.write_text(json.dumps(memory, indent=1))
    for key in (f"csv@{cases}", f"snapshot@{cases}"):
        print(f"  {key}: {json.dumps(memory[key])[:300]}")


if __name__ == "__main__":
    main()
