#!/usr/bin/env bash
# Run the whole test suite (and the linter). Cores of real Node processes are made
# at test time and cached in $TRIAGE_CACHE, so a second run is much faster.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -c unlimited || true
.venv/bin/ruff check triage tests dumps benchmarks lldb_scripts
exec .venv/bin/python -m pytest -q -n 2 --dist loadfile "$@"
