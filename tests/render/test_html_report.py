"""The HTML report in a real headless Chromium: it renders with its script and no errors,
dump payloads stay text, and no planted secret reaches the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from dumps.crash import run_scenario
from tests.conftest import run_triage
from tests.gate.canaries import all_canaries, leaks
from tests.gate.test_gate_canaries import canary_crash
from triage.schema import validate_summary

CHROMIUM = shutil.which("chromium") or "chromium"  # scripts/setup.sh installs it: absent = failure


def chromium(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    """Load `page` in headless Chromium (no network, fresh profile); stdout has the DOM."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         *extra, page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=False)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def rendered_dom(page: Path, tmp_path: Path) -> tuple[str, list[tuple[str, dict]]]:
    """The DOM Chromium built, after asserting the page's script ran and nothing failed."""
    proc = chromium(page, tmp_path, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Content Security Policy" in line or "Refused to" in line]
    assert console == [], console
    parser = _Tags()
    parser.feed(proc.stdout)
    html_tag = next(attrs for tag, attrs in parser.tags if tag == "html")
    assert html_tag.get("data-rendered") == "ok", "the page's script did not run"
    assert html_tag.get("data-scripts") == "1"
    return proc.stdout, parser.tags


def test_injection_payloads_stay_inert_text(tmp_path):
    crash = run_scenario("injection", 22)
    page = tmp_path / "injection.html"
    result = run_triage(crash.core, *crash.reports, *crash.snapshots, "--format", "html",
                        "-o", page, timeout=900)
    assert result.code == 0, result.stderr
    dom, tags = rendered_dom(page, tmp_path)
    assert "HTML-INJECT" in dom, "guard: the payload must reach the page, as text"
    assert [t for t, _ in tags].count("script") == 1
    # no element or attribute was made from a payload
    assert not [t for t, a in tags if any("alert" in str(v) for v in a.values())]
    assert "<script>alert" not in dom
    assert "\u202e" not in dom and "\x1b" not in dom
    svg = [t for t, _ in tags if t == "svg"]
    assert svg, "the treemap and retainer graphs are inline SVG"


def test_render_of_a_stored_summary_has_no_canary(tmp_path):
    crash = canary_crash(20)
    stored = tmp_path / "summary.json"
    result = run_triage(crash.core, *crash.reports, *crash.snapshots, "--format", "json",
                        "-o", stored, timeout=900)
    assert result.code == 0, result.stderr
    page = tmp_path / "report.html"
    result = run_triage("render", stored, "--format", "html", "-o", page)
    assert result.code == 0, result.stderr
    data = page.read_bytes()
    found = {name: leaks(secret, data)[:3] for name, secret in all_canaries().items()}
    assert {k: v for k, v in found.items() if v} == {}
    dom, _ = rendered_dom(page, tmp_path)
    assert "Vault" in dom  # guard: the canary holder is on the page


def test_the_treemap_draws_the_summarys_dominators_and_asks_nothing_from_the_network(tmp_path):
    crash = run_scenario("heap_basic", 22)
    stored = tmp_path / "basic.json"
    result = run_triage(crash.core, "--node", crash.node, "--format", "json", "-o", stored,
                        "--no-llnode", timeout=900)
    assert result.code == 0, result.stderr
    summary = json.loads(stored.read_text())
    validate_summary(summary)
    items = summary["dominators"]["items"]
    sizes = [i["retained_bytes"] for i in items]
    assert sizes == sorted(sizes, reverse=True) and items[0]["type"] == "global"
    assert all(c["retained_bytes"] <= i["retained_bytes"] for i in items for c in i["children"])
    page = tmp_path / "basic.html"
    result = run_triage("render", stored, "--format", "html", "-o", page)
    assert result.code == 0, result.stderr
    text = page.read_text()
    treemap = text.split('aria-label="retained size treemap"', 1)[1].split("</svg>", 1)[0]
    # a box for every item; the biggest one (big enough for inner boxes) shows all its parts
    assert all(i["ref"] == f"0x{i['id']:x}" for i in items)  # a core's objects: addresses
    assert all(f"{i['ref']}:" in treemap for i in items if i["retained_bytes"])
    assert all(f"{c['ref']}:" in treemap for c in items[0]["children"])
    assert not re.search(r"""(src|href)\s*=|url\(|@import|https?://(?!triage\.invalid)""",
                         text.replace('xmlns="http://www.w3.org/2000/svg"', ""))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert csp.startswith("default-src 'none'") and "unsafe" not in csp
    dom, tags = rendered_dom(page, tmp_path)
    assert "Session" in dom and [t for t, _ in tags].count("rect") > 10
