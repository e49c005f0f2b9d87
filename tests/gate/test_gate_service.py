"""Redaction gate, service edition: a real HTTP service's secrets never reach any output.

dumps/scenarios/canary_service.js serves real HTTP requests on 127.0.0.1 (Authorization,
Cookie and X-Api-Key headers; JSON bodies with a password, card, SSN, phone, PEM and
OpenSSH keys), keeps what it received in named classes, then aborts. On every supported
major, from one core (plus the report and heap snapshot it wrote):

* the summary in every format (text, JSON, Markdown written with --output);
* `--inspect --depth 4` on every object of every holder class (found with the tool's own
  instance search, the addresses batched into one call per format) and `--instances`;
* `--retainers` on every holder class (through the CLI for one, and through the same
  pipeline functions in-process for the rest, which saves a core load each);

are searched for every secret raw, UTF-16, hex, percent-, JSON- and base64-encoded and for
any 10-character window of it, and for the numbers the service stores as JS numbers.
The test also counts non-secrets that were redacted (versions, paths, type names, counts,
storage words such as `in-object`), prints the counts, and requires 0 for versions, type
names and storage words.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, run_triage
from tests.gate.canaries import leaks
from tests.gate.service_canaries import ARGS, ENV, HOLDERS, NUMBERS, SECRETS
from triage.v8.reader import address_ref

RETAINERS_VIA_CLI = "Session"  # a Map value keyed by a session id, and a Cookie-keyed property
_PLACEHOLDER = re.compile(r"\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]")
_VERSION = re.compile(r"\bv?\d+\.\d+\.\d+(?:\.\d+)?(?:-node\.\d+)?\b")


@cache
def service_crash(major: int) -> Crash:
    return run_scenario("canary_service", major, args=ARGS, env=ENV)


@cache
def holder_addresses(major: int) -> dict[str, list[str]]:
    """Every reachable object of every holder class, by the tool's own instance search."""
    from triage.coredump import CoreFile, ElfFile
    from triage.loaders.core import choose_binary
    from triage.v8 import V8Heap

    core = CoreFile.open(Path(service_crash(major).core_path))
    heap = V8Heap.open(core, ElfFile(choose_binary(core, None)))
    return {t: [address_ref(a) for a in heap.instances(t, limit=20)] for t in HOLDERS}  # as listed


def _query_args(major: int) -> list[str]:
    args = [service_crash(major).core, "--depth", "4", "--no-llnode",
            "--instances", "Customer", "--retainers", RETAINERS_VIA_CLI]
    for addresses in holder_addresses(major).values():
        for a in addresses:
            args += ["--inspect", a]
    return args


_OUTPUTS: dict[int, dict[str, bytes]] = {}
_RAW: dict[int, tuple[dict, dict]] = {}


def outputs(major: int, out_dir: Path) -> dict[str, bytes]:
    if major not in _OUTPUTS:
        _OUTPUTS[major] = _all_outputs(major, out_dir)
    return _OUTPUTS[major]


def _all_outputs(major: int, out_dir: Path) -> dict[str, bytes]:
    crash = service_crash(major)
    (report,), (snapshot,) = crash.reports, crash.snapshots
    found: dict[str, bytes] = {}

    def run(label: str, *args: str) -> str:
        result = run_triage(*args, timeout=900)
        assert result.code == 0, f"{label}: {result.stderr[-2000:]}"
        found[label] = result.stdout.encode() + result.stderr.encode()
        return result.stdout

    run("bundle.json", crash.core, report, snapshot, "--format", "json")
    run("bundle.text", crash.core, report, snapshot, "--format", "text")
    target = out_dir / f"core{major}.md"
    run("core.markdown", crash.core, "--format", "markdown", "--output", str(target))
    found[f"file:{target.name}"] = target.read_bytes()
    queried = json.loads(run("query.json", *_query_args(major), "--format", "json"))
    run("query.text", *_query_args(major), "--format", "text")
    raw = run_triage(*_query_args(major), "--format", "json", "--no-redact", timeout=900)
    assert raw.code == 0, raw.stderr[-2000:]
    _RAW[major] = (json.loads(raw.stdout), queried)
    found.update(_retainers_in_process(major))
    return found


def _retainers_in_process(major: int) -> dict[str, bytes]:
    """`--retainers T` for every holder class, through the functions the CLI runs
    (reference graph of the core, retainer query, redaction, each renderer)."""
    from triage.analyses.retainer_query import answer
    from triage.coredump import CoreFile, ElfFile
    from triage.loaders.core import choose_binary
    from triage.redaction import Redactor
    from triage.render import render
    from triage.v8 import V8Heap

    core = CoreFile.open(Path(service_crash(major).core_path))
    graph = V8Heap.open(core, ElfFile(choose_binary(core, None))).to_heap_graph()
    found: dict[str, bytes] = {}
    for holder in HOLDERS:
        document, section = Redactor().redact_document({"retainers": answer(graph, holder)})
        assert document["retainers"]["matched"] >= 1, holder
        document["redaction"] = section
        for fmt in ("json", "text", "markdown"):
            found[f"retainers {holder}.{fmt}"] = render(document, fmt, color=False).encode()
    return found


def _secret_hits(data: bytes) -> list[str]:
    hits = [f"{label}: {h[:2]}" for label, secret in SECRETS.items() if (h := leaks(secret, data))]
    for label, number in NUMBERS.items():
        for form in (str(number), repr(float(number)), f"{float(number):e}"):
            if form.encode() in data:
                hits.append(f"{label}: {form}")
    return hits


@pytest.mark.parametrize("major", MAJORS)
def test_the_service_leaks_no_secret_in_any_output(major, tmp_path_factory):
    found = outputs(major, tmp_path_factory.mktemp(f"service{major}"))
    addresses = holder_addresses(major)
    assert all(addresses[t] for t in HOLDERS), addresses
    leaked = {label: hits for label, data in found.items() if (hits := _secret_hits(data))}
    assert not leaked, leaked


@pytest.mark.parametrize("major", MAJORS)
def test_the_query_really_shows_the_holders_at_depth_4(major, tmp_path_factory):
    """The gate proves something only if the secrets' holders were printed in full."""
    outputs(major, tmp_path_factory.mktemp(f"service{major}"))
    raw, redacted = _RAW[major]
    text = json.dumps(raw)
    assert sum(secret in text for secret in SECRETS.values()) >= len(SECRETS) - 2
    listed = redacted["objects"]["instances"]["addresses"]
    assert sorted(listed) == sorted(holder_addresses(major)["Customer"])
    assert redacted["retainers"]["matched"] >= 1


def _leaves(raw, red, path=()):
    """Pairs of (path, raw leaf, redacted leaf); dict keys are leaves too."""
    if isinstance(raw, dict) and isinstance(red, dict):
        for (rk, rv), (dk, dv) in zip(raw.items(), red.items(), strict=True):
            yield (*path, "<key>"), rk, dk
            yield from _leaves(rv, dv, (*path, rk))
    elif isinstance(raw, list) and isinstance(red, list):
        for i, (rv, dv) in enumerate(zip(raw, red, strict=True)):
            yield from _leaves(rv, dv, (*path, i))
    else:
        yield path, raw, red


def _is_secret(value) -> bool:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if any(s in text or text in s for s in SECRETS.values() if len(text) >= 6):
        return True
    digits = re.sub(r"\D", "", text)
    return bool(digits) and any(str(n) == digits for n in NUMBERS.values())


def non_secret_redactions(raw: dict, redacted: dict) -> dict[str, list[str]]:
    """Values that were redacted although they hold none of the planted secrets, by kind."""
    kinds: dict[str, list[str]] = {"version": [], "type name": [], "storage": [], "path": [],
                                   "count": [], "other": []}
    raw = {k: v for k, v in raw.items() if k != "redaction"}
    redacted = {k: v for k, v in redacted.items() if k != "redaction"}
    for path, before, after in _leaves(raw, redacted):  # same run twice: same shape
        if before == after or not (isinstance(after, str) and _PLACEHOLDER.search(after)):
            continue
        if _is_secret(before):
            continue
        where = path[-1] if path else ""
        if isinstance(before, str) and _VERSION.search(before):
            kinds["version"].append(before)
        elif where in ("type", "instance_type", "kind"):
            kinds["type name"].append(before)
        elif len(path) >= 2 and path[-2] == "property_storage" and where != "<key>":
            kinds["storage"].append(before)
        elif isinstance(before, str) and "/" in before:
            kinds["path"].append(before)
        elif isinstance(before, (int, float)):
            kinds["count"].append(str(before))
        else:
            kinds["other"].append(str(before)[:60])
    return kinds


@pytest.mark.parametrize("major", MAJORS)
def test_no_version_or_type_name_is_redacted(major, tmp_path_factory):
    outputs(major, tmp_path_factory.mktemp(f"service{major}"))
    raw, redacted = _RAW[major]
    kinds = non_secret_redactions(raw, redacted)
    print(f"Node {major}: redacted non-secrets " + ", ".join(f"{k} {len(v)}" for k, v in kinds.items()))
    for kind, values in kinds.items():
        if values:
            print(f"  {kind}: {values[:10]}")
    assert not kinds["version"] and not kinds["type name"] and not kinds["storage"], kinds
    versions = raw["objects"]["inspected"][0]["properties"]["versions"]["properties"]
    shown = redacted["objects"]["inspected"][0]["properties"]["versions"]["properties"]
    assert shown == versions  # `V8 11.3.244.8` is a version, not an IPv4 address
