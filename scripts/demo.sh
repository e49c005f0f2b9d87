#!/usr/bin/env bash
# The built-in example: a real Node service leaks Session objects into a Map until
# V8 runs out of heap; it leaves a core dump and a diagnostic report, and triage
# reads both into one summary.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -c unlimited || true
exec .venv/bin/python -m dumps.demo "$@"
