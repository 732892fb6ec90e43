"""`python -m bench [NAME ...]`: run every bench/bench_*.py (or the named ones), each in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.services.setup import TEST_STORE_ENV


def main(names: list[str]) -> int:
    here = Path(__file__).parent
    scripts = sorted(here.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names or s.stem in names]
    failed = 0
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        # the benches make throwaway stores with the fast key derivation, which only test stores may use
        env = {**os.environ, TEST_STORE_ENV: "1"}
        failed += subprocess.call([sys.executable, "-m", f"bench.{script.stem}"], cwd=here.parent, env=env) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
