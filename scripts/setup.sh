#!/usr/bin/env bash
# Set up everything triage needs on a fresh Debian 12 x86-64 machine (run as root).
# Idempotent: a second run only checks. Caches live in $TRIAGE_CACHE (~/.cache/triage).
set -euo pipefail
cd "$(dirname "$0")/.."
export TRIAGE_CACHE="${TRIAGE_CACHE:-$HOME/.cache/triage}"

# 1. System parts from Debian: lldb 19 with its Python module and headers (llnode
#    builds against them), gdb (gcore), a C compiler (llnode, test addon), llvm-19 for
#    llvm-cxxfilt (native frame names demangled exactly as lldb prints them), redis-server
#    (the broker `triage worker` uses; the tests start their own on 127.0.0.1), and Chromium:
#    the HTML report's tests load it in a real headless browser. python3-dev: the headers
#    triage's kernels are compiled against ahead of time (step 2). libc6-dbg: glibc's debug
#    symbols, with which the tests read malloc's own accounting through lldb to check the
#    walk of malloc's heap (triage itself needs no symbols).
missing=()
for pkg in lldb-19 python3-lldb-19 liblldb-19-dev llvm-19 gdb gcc g++ make python3-venv python3-dev redis-server chromium libc6-dbg; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "setup: the system node (20) is missing" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm is missing" >&2; exit 1; }

# 2. Python environment: a plain virtualenv; triage finds lldb's module itself.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
# The compiled kernels, ahead of time (numba's AOT compiler, ~40 s when sources changed):
# a run then neither imports numba nor compiles anything (triage/compiled.py).
.venv/bin/python -m triage.compiled build ||
  echo "setup: kernels not built ahead of time; numba compiles them on first use" >&2
# Byte-code too: with PYTHONDONTWRITEBYTECODE set (as on our CI machines) imports never write
# it, and every run compiled ~90 modules of triage again (0.1-0.2 s of a 1 s run).
.venv/bin/python -m compileall -q triage >/dev/null

# 3. The llnode plugin (cross-check and interactive companion), built against lldb 19.
plugin="$TRIAGE_CACHE/tools/llnode/node_modules/llnode/llnode.so"
if [ ! -f "$plugin" ]; then
  echo "setup: building llnode against lldb 19"
  mkdir -p "$TRIAGE_CACHE/tools/llnode"
  (
    cd "$TRIAGE_CACHE/tools/llnode"
    [ -f package.json ] || echo '{"name":"llnode-build","private":true}' > package.json
    npm_config_lldb_exe=/usr/bin/lldb-19 \
    npm_config_llnode_lldb_include_dir=/usr/lib/llvm-19/include \
      npm install --silent --no-audit --no-fund llnode@4.0.0 >/dev/null 2>&1
  ) || echo "setup: llnode could not be built; its cross-checks will be reported unavailable" >&2
fi

# 4. The Node binaries the test matrix runs on (official builds from the npm registry).
.venv/bin/python -m dumps.nodes >/dev/null
echo "setup: ready (python: .venv, cache: $TRIAGE_CACHE)"
