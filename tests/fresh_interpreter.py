"""Run code in a fresh Python interpreter (its own imports, settings and database) and
read the JSON it prints last: for tests of what loading or migrating does to a process."""

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def last_json_of(code, *args, env, timeout=180, tail=3000):
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-tail:]
    return json.loads(result.stdout.strip().splitlines()[-1])
