"""`make bench`: every benchmark in bench/, one after another, each bounded in time.

Scripts other areas own are run when present and skipped with a note when not.
Speed never fails the run; a crashed script is reported and the rest still run.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SCRIPTS = [
    ("routing", "routing_bench.py", 300),
    ("catalogue and search", "catalogue_bench.py", 1800),  # builds dataset.py's data set
    ("checkout", "checkout_bench.py", 300),
    ("checkout lock waits (PostgreSQL)", "checkout_lock_bench.py", 900),
    ("load (production server)", "load_bench.py", 3600),
]


def main():
    results = []
    for label, name, limit in SCRIPTS:
        script = BENCH_DIR / name
        print(f"\n=== {label}: bench/{name} ===", flush=True)
        if not script.exists():
            print(f"skipped: bench/{name} is not there yet")
            results.append((label, "skipped"))
            continue
        started = time.monotonic()
        try:
            code = subprocess.run(
                [sys.executable, str(script)], cwd=BENCH_DIR.parent, timeout=limit
            ).returncode
            status = "ok" if code == 0 else f"exit {code}"
        except subprocess.TimeoutExpired:
            status = f"stopped after {limit} s"
        results.append((label, f"{status} in {time.monotonic() - started:.0f} s"))
    print("\n=== summary ===")
    for label, status in results:
        print(f"{label:<28}{status}")
    print(
        "\nThe checkout lock bench above measures this checkout only. Issue 16 compares it "
        "with the code\nbefore its work, in one session on the same machine (about 15 "
        "minutes):\n  DATABASE_URL=postgres://... .venv/bin/python "
        "bench/checkout_lock_bench.py --compare-with 2f75002"
    )


if __name__ == "__main__":
    main()
