"""Make small, secret-free report fixtures from real reports (used by the tests too).

`python3 -m tests.report.fixture_tools` regenerates tests/fixtures/reports/ from the
scenario runs: machine-specific strings (host, paths, interfaces, env, CPU model,
kernel) are replaced with fixed fake values and long lists are cut.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"
FAKE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/home/app",
    "DATABASE_URL": "postgres://app:FAKE-pass@db.example.invalid/app",
    "API_TOKEN": "sk-test-FAKE-0000",
}
FAKE_NODE = "/usr/local/bin/node"
FAKE_CWD = "/srv/app"
FAKE_INTERFACES = [
    {"name": "lo", "internal": True, "mac": "00:00:00:00:00:00", "address": "127.0.0.1",
     "netmask": "255.0.0.0", "family": "IPv4"},
    {"name": "eth0", "internal": False, "mac": "02:00:00:00:00:01", "address": "192.0.2.10",
     "netmask": "255.255.255.0", "family": "IPv4"},
    {"name": "eth0", "internal": False, "mac": "02:00:00:00:00:01", "address": "2001:db8::10",
     "netmask": "ffff:ffff:ffff:ffff::", "family": "IPv6", "scopeid": 0},
]


def trim_report(report: dict[str, Any]) -> dict[str, Any]:
    """A copy of `report` with machine data replaced by fakes and long lists shortened."""
    header = report["header"]
    cwd = header.get("cwd", "")
    node = (header.get("commandLine") or [""])[0]
    text = json.dumps(report)
    for real, fake in sorted({cwd: FAKE_CWD, node: FAKE_NODE}.items(), key=lambda kv: -len(kv[0])):
        if real:
            text = text.replace(json.dumps(real)[1:-1], fake)
    text = re.sub(r"/root/\.cache/triage/[^\"\s\]\)]*", FAKE_CWD, text)
    out = json.loads(text)
    _trim_one(out)
    return out


def _trim_one(r: dict[str, Any]) -> None:
    h = r["header"]
    h["host"] = "fixture-host"
    h["osRelease"] = "6.1.0-fixture"
    h["osVersion"] = "#1 SMP fixture"
    h["cpus"] = [{"model": "Fixture CPU", "speed": 0, "user": 100, "nice": 0, "sys": 50,
                  "idle": 1000, "irq": 0}]
    if "networkInterfaces" in h:
        h["networkInterfaces"] = FAKE_INTERFACES
    if "environmentVariables" in r:
        r["environmentVariables"] = dict(FAKE_ENV)
    r["sharedObjects"] = [
        "linux-vdso.so.1", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6",
    ]
    r["nativeStack"] = r["nativeStack"][:12]
    for w in r.get("workers") or []:
        _trim_one(w)


def main() -> None:
    """Regenerate the committed fixtures from the scenario runs (uses the crash cache)."""
    from tests.report.conftest import SCENARIOS, run_report_scenario

    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, major in (("report_oom", 18), ("report_exception", 20), ("report_api", 22),
                        ("report_signal", 24)):
        crash = run_report_scenario(name, major)
        (path,) = crash.reports
        trimmed = trim_report(json.loads(Path(path).read_text()))
        dest = FIXTURES / f"{name.removeprefix('report_')}-node{major}.json"
        dest.write_text(json.dumps(trimmed, indent=1) + "\n")
        print(dest, SCENARIOS[name])


if __name__ == "__main__":
    main()
