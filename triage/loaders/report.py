"""Node.js diagnostic reports (`process.report`, `--report-*`) as a first-class input.

A report is JSON written by Node itself: no symbols to resolve, no memory to walk.
`load_report` reads and validates it (our own schema, `schemas/report.schema.json`,
because Node's doc example is stale and every release adds fields);
`report_to_crash_model` turns it into the same `CrashModel` a core produces, so the
analyses never know which artifact fed them. Format facts per version are in
docs/reports.md.
"""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from triage.crashmodel import (
    Capability,
    CrashInfo,
    CrashKind,
    CrashModel,
    JsFrame,
    NativeFrame,
    ProcessInfo,
    SignalInfo,
    ThreadInfo,
)
from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized
from triage.loaders.safeio import BoundedReader, human, open_input

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json"
OLDEST_VERSION = 3  # Node 18
NEWEST_KNOWN_VERSION = 5  # Node 22 and 24
ENGINE = "diagnostic-report"

# Top-level keys Node writes, in order; any of them first means "this is a report".
REPORT_SECTIONS = (
    "header", "javascriptStack", "javascriptHeap", "nativeStack", "resourceUsage",
    "uvthreadResourceUsage", "libuv", "workers", "environmentVariables", "userLimits",
    "sharedObjects",
)
_PEEK_BYTES = 4096

# Bounds on what is read from a report (an upload may be crafted). Node's own reports are tens
# of KB to a few MB; nothing real comes near these. Stacks are capped like Socorro caps
# minidump frames, and the summary says so (warning + degraded capability).
MAX_REPORT_BYTES = 64 << 20  # plain, or after gunzip: larger is damaged (exit 5)
MAX_DEPTH = 32  # nesting of objects/arrays (Node writes < 10, workers included)
MAX_FRAMES = 500  # nativeStack entries and javascriptStack.stack lines
MAX_ITEMS = 10_000  # libuv handles, shared objects, network interfaces
MAX_WORKERS = 64  # worker sub-reports

# Up to report version 4 three memory limits were named *_kbytes although Node wrote
# getrlimit()'s value, which is in bytes (nodejs/node#56068); version 5 fixed the names.
# We use the v5 names and keep the values unchanged.
USER_LIMIT_RENAMES = {
    "data_seg_size_kbytes": "data_seg_size_bytes",
    "max_memory_size_kbytes": "max_memory_size_bytes",
    "virtual_memory_kbytes": "virtual_memory_bytes",
}


@dataclass(frozen=True)
class UserLimit:
    """One resource limit; `None` means unlimited."""

    soft: int | None
    hard: int | None
    raw_key: str  # the key as written in this report version


@dataclass
class DiagnosticReport:
    """A validated diagnostic report: the raw dict plus typed accessors.

    Values stay raw (paths, env, hosts): redaction happens later, on the summary.
    """

    raw: dict[str, Any]
    path: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: what `_bound` cut (one note per capped array); empty for every report Node writes
    capped: list[str] = field(default_factory=list)

    # --- header -----------------------------------------------------------------------------
    @property
    def header(self) -> dict[str, Any]:
        return self.raw["header"]

    @property
    def version(self) -> int:
        return int(self.header["reportVersion"])

    @property
    def event(self) -> str:
        return self.header.get("event", "")

    @property
    def trigger(self) -> str:
        return self.header.get("trigger", "")

    @property
    def filename(self) -> str | None:
        return self.header.get("filename")

    @property
    def pid(self) -> int | None:
        return self.header.get("processId")

    @property
    def thread_id(self) -> int | None:
        """Node's thread id (0 main, n worker); None when the OOM handler had no Environment."""
        return self.header.get("threadId")

    @property
    def is_worker(self) -> bool:
        return self.event.startswith("Worker thread subreport")

    @property
    def worker_name(self) -> str | None:
        """The thread name Node 24 puts in a worker sub-report's event (`[WorkerThread]`)."""
        m = re.fullmatch(r"Worker thread subreport \[(.*)\]", self.event)
        return m.group(1) or None if m else None

    @property
    def command_line(self) -> list[str]:
        return list(self.header.get("commandLine") or [])

    @property
    def cwd(self) -> str | None:
        return self.header.get("cwd")

    @property
    def host(self) -> str | None:
        return self.header.get("host")

    @property
    def component_versions(self) -> dict[str, str]:
        return dict(self.header.get("componentVersions") or {})

    @property
    def node_version(self) -> str | None:
        """`process.version` form (`v24.21.0`), as the core loader reports it."""
        v = self.header.get("nodejsVersion") or self.component_versions.get("node")
        return f"v{v.removeprefix('v')}" if v else None

    @property
    def v8_version(self) -> str | None:
        return self.component_versions.get("v8")

    @property
    def time(self) -> str | None:
        """Dump time, ISO 8601 UTC from the epoch-ms stamp.

        `dumpEventTime` says `Z` but is local time, so the stamp is preferred.
        """
        stamp = self.header.get("dumpEventTimeStamp")
        try:
            ms = float(stamp)  # a string of epoch ms in every version
            return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
        except (TypeError, ValueError, OverflowError, OSError):
            return self.header.get("dumpEventTime")

    @property
    def network_interfaces(self) -> list[dict[str, Any]] | None:
        """None when absent (`--report-exclude-network`), which differs from an empty list."""
        ifaces = self.header.get("networkInterfaces")
        return list(ifaces) if ifaces is not None else None

    # --- sections -----------------------------------------------------------------------------
    @property
    def environment(self) -> dict[str, str] | None:
        """None when absent (`--report-exclude-env`), which differs from an empty dict."""
        env = self.raw.get("environmentVariables")
        return dict(env) if env is not None else None

    @property
    def js_message(self) -> str | None:
        js = self.raw.get("javascriptStack")
        return js.get("message") if js else None

    @property
    def js_stack_lines(self) -> list[str] | None:
        """The `stack` lines, or None when the key is absent (signal reports)."""
        js = self.raw.get("javascriptStack")
        if not js or "stack" not in js:
            return None
        return list(js["stack"])

    @property
    def error_properties(self) -> dict[str, Any]:
        js = self.raw.get("javascriptStack") or {}
        return dict(js.get("errorProperties") or {})

    @property
    def heap(self) -> dict[str, Any] | None:
        return self.raw.get("javascriptHeap")

    @property
    def heap_spaces(self) -> dict[str, dict[str, int]]:
        heap = self.heap or {}
        return dict(heap.get("heapSpaces") or {})

    @property
    def native_stack(self) -> list[dict[str, str]]:
        return list(self.raw.get("nativeStack") or [])

    @property
    def libuv(self) -> list[dict[str, Any]]:
        return list(self.raw.get("libuv") or [])

    @property
    def resource_usage(self) -> dict[str, Any]:
        return dict(self.raw.get("resourceUsage") or {})

    @property
    def thread_resource_usage(self) -> dict[str, Any] | None:
        return self.raw.get("uvthreadResourceUsage")

    @property
    def shared_objects(self) -> list[str]:
        return list(self.raw.get("sharedObjects") or [])

    @property
    def workers(self) -> list[DiagnosticReport]:
        """Worker sub-reports, wrapped (same schema, recursive)."""
        return [DiagnosticReport(raw=w, path=self.path) for w in self.raw.get("workers") or []]

    def user_limits(self) -> dict[str, UserLimit] | None:
        """Limits under version-5 names, `unlimited` as None; None when the section is absent."""
        limits = self.raw.get("userLimits")
        if limits is None:
            return None
        out: dict[str, UserLimit] = {}
        for key, pair in limits.items():
            name = USER_LIMIT_RENAMES.get(key, key)
            out[name] = UserLimit(_limit(pair.get("soft")), _limit(pair.get("hard")), key)
        return out


def _limit(value: Any) -> int | None:
    return None if value == "unlimited" or value is None else int(value)


# --- loading --------------------------------------------------------------------------------


def load_report(path: str | Path) -> DiagnosticReport:
    """Read, recognise and validate a diagnostic report (JSON or gzipped JSON).

    Raises InputUnreadable (cannot read), InputUnrecognized (not a report, or a
    version we cannot read) or InputDamaged (a report, but truncated or invalid),
    each with a one-line message.
    """
    p = Path(path)
    data = _read_bytes(p)
    if not data.strip():
        raise InputUnrecognized(f"{p}: empty file, not a diagnostic report")
    head = data[:_PEEK_BYTES].lstrip()
    if not head.startswith(b"{"):
        raise InputUnrecognized(f"{p}: not a diagnostic report (not a JSON object)")
    looks_like_report = _looks_like_report(head)
    if not looks_like_report and re.match(rb'\{\s*"snapshot"', head):
        raise InputUnrecognized(f"{p}: not a diagnostic report (a V8 heap snapshot)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if not looks_like_report:
            raise InputUnrecognized(f"{p}: not a diagnostic report (not UTF-8 text)") from None
        raise InputDamaged(
            f"{p}: damaged diagnostic report: invalid UTF-8 at byte {e.start}"
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        if not looks_like_report:
            raise InputUnrecognized(f"{p}: not a diagnostic report (not valid JSON)") from None
        if e.pos >= len(text.rstrip()) - 1 or "Unterminated" in e.msg:
            raise InputDamaged(
                f"{p}: truncated diagnostic report (JSON ends early at line {e.lineno}, "
                f"column {e.colno})"
            ) from None
        raise InputDamaged(
            f"{p}: malformed diagnostic report JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        ) from None
    except RecursionError:
        raise InputDamaged(f"{p}: malformed diagnostic report JSON (nested too deeply)") from None
    return report_from_dict(doc, source=str(p))


def report_from_dict(doc: Any, source: str = "<report>") -> DiagnosticReport:
    """Recognise and validate an already-parsed report (also used by `load_report`)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("header"), dict):
        what = "a JSON object without a report header" if isinstance(doc, dict) else (
            f"JSON {type(doc).__name__}")
        if isinstance(doc, dict) and "snapshot" in doc and "nodes" in doc:
            what = "a V8 heap snapshot"
        raise InputUnrecognized(f"{source}: not a diagnostic report ({what})")
    if _too_deep(doc):
        raise InputDamaged(f"{source}: malformed diagnostic report: objects nested more than "
                           f"{MAX_DEPTH} levels deep (Node writes fewer than 10)")
    raw_version = doc["header"].get("reportVersion")
    version = _parse_version(raw_version)
    if version is None:
        raise InputUnrecognized(
            f"{source}: diagnostic report with unreadable reportVersion {raw_version!r}; "
            f"triage reads versions {OLDEST_VERSION}-{NEWEST_KNOWN_VERSION}"
        )
    if version < OLDEST_VERSION:
        raise InputUnrecognized(
            f"{source}: diagnostic report version {version} is too old (written by Node < 18); "
            f"triage reads versions {OLDEST_VERSION}-{NEWEST_KNOWN_VERSION}"
        )
    if doc["header"]["reportVersion"] != version:  # e.g. "5": normalise before validating
        doc["header"]["reportVersion"] = version
    capped: list[str] = []
    _bound(doc, "", capped)
    error = jsonschema.exceptions.best_match(_validator().iter_errors(doc))
    if error is not None:
        where = "/".join(str(x) for x in error.absolute_path) or "(top level)"
        raise InputDamaged(
            f"{source}: invalid diagnostic report (version {version}) at {where}: "
            f"{_short(error.message)}"
        )
    report = DiagnosticReport(raw=doc, path=source, capped=capped)
    report.warnings += [f"{c} (triage's limit on untrusted reports)" for c in capped]
    if version > NEWEST_KNOWN_VERSION:
        report.warnings.append(
            f"report version {version} is newer than the versions triage knows "
            f"({OLDEST_VERSION}-{NEWEST_KNOWN_VERSION}); read leniently, new fields are ignored"
        )
    return report


def _read_bytes(p: Path) -> bytes:
    """The report's bytes (gunzipped), at most MAX_REPORT_BYTES; a FIFO or device is refused."""
    raw, stream, size = open_input(p)
    with raw:
        try:
            head = stream.read(_PEEK_BYTES)
            # Neither gzip nor a JSON object: stop before reading what may be a huge core.
            if head.strip() and not head.lstrip().startswith(b"{"):
                return head
            if isinstance(stream, BoundedReader):
                stream.limit = min(stream.limit, MAX_REPORT_BYTES)
            elif size > MAX_REPORT_BYTES:
                raise InputDamaged(_too_big(p))
            data = head + stream.read(MAX_REPORT_BYTES + 1 - len(head))
        except OSError as e:
            raise InputUnreadable(f"{p}: cannot read: {e.strerror or e}") from None
        except InputDamaged as e:
            if "decompresses to more than" in str(e) and stream.limit == MAX_REPORT_BYTES:
                raise InputDamaged(_too_big(p)) from None
            raise
    if len(data) > MAX_REPORT_BYTES:
        raise InputDamaged(_too_big(p))
    return data


def _too_big(p: Path) -> str:
    return (f"{p}: larger than {human(MAX_REPORT_BYTES)}, the most triage reads of a diagnostic "
            "report (Node writes tens of KB to a few MB)")


def _bound(doc: dict[str, Any], where: str, notes: list[str], depth: int = 0) -> None:
    """Cap the arrays of a report (and of its worker sub-reports) in place, noting each cap.

    Runs before schema validation, so validation and everything after it see bounded data.
    """
    caps = (("nativeStack", MAX_FRAMES, "native frames"), ("libuv", MAX_ITEMS, "libuv handles"),
            ("sharedObjects", MAX_ITEMS, "shared objects"), ("workers", MAX_WORKERS, "workers"))
    for key, limit, what in caps:
        value = doc.get(key)
        if isinstance(value, list) and len(value) > limit:
            notes.append(f"{where}{key} has {len(value):,} {what}; the first {limit:,} were read")
            del value[limit:]
    js = doc.get("javascriptStack")
    stack = js.get("stack") if isinstance(js, dict) else None
    if isinstance(stack, list) and len(stack) > MAX_FRAMES:
        notes.append(f"{where}javascriptStack.stack has {len(stack):,} lines; the first "
                     f"{MAX_FRAMES:,} were read")
        del stack[MAX_FRAMES:]
    header = doc.get("header")
    ifaces = header.get("networkInterfaces") if isinstance(header, dict) else None
    if isinstance(ifaces, list) and len(ifaces) > MAX_ITEMS:
        notes.append(f"{where}header.networkInterfaces has {len(ifaces):,} entries; the first "
                     f"{MAX_ITEMS:,} were read")
        del ifaces[MAX_ITEMS:]
    workers = doc.get("workers")
    if isinstance(workers, list):
        for i, w in enumerate(workers):
            if isinstance(w, dict):
                _bound(w, f"{where}workers[{i}].", notes, depth + 1)


def _too_deep(doc: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether objects/arrays nest deeper than `limit` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _looks_like_report(head: bytes) -> bool:
    """Whether the first bytes look like Node's report, so that a parse error means damage."""
    m = re.match(rb'\{\s*"([^"\\]{1,64})"', head)
    if m and m.group(1).decode("ascii", "replace") in REPORT_SECTIONS:
        return True
    return b'"reportVersion"' in head


def _parse_version(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
        return int(value.strip())  # ASCII digits only: "²".isdigit() is True, int("²") fails
    return None


def _short(message: str, limit: int = 160) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema)


# --- crash model ----------------------------------------------------------------------------

_TRIGGER_KINDS = {
    "OOMError": CrashKind.HEAP_OOM,
    "FatalError": CrashKind.FATAL_ERROR,
    "Exception": CrashKind.UNCAUGHT_EXCEPTION,
    "Signal": CrashKind.REPORT_REQUEST,
    "API": CrashKind.REPORT_REQUEST,
    "GetReport": CrashKind.REPORT_REQUEST,
}
_CRASH_KINDS = (CrashKind.HEAP_OOM, CrashKind.FATAL_ERROR, CrashKind.UNCAUGHT_EXCEPTION)
_NO_STACK = ("No stack.",)
_REPORT_MACHINERY = ("node::TriggerNodeReport", "node::report::", "node::GetNodeReport")


def report_to_crash_model(report: DiagnosticReport) -> CrashModel:
    """Build the artifact-independent crash model from a report."""
    warnings = list(report.warnings)
    kind = crash_kind(report)
    if kind is CrashKind.UNKNOWN:
        warnings.append(f"unknown report trigger {report.trigger!r}: crash kind unknown")

    frames = [parse_native_frame(i, f) for i, f in enumerate(report.native_stack)]
    tid = report.pid if report.thread_id in (0, None) and report.pid is not None else (
        report.thread_id or 0)
    thread = ThreadInfo(
        tid=tid,
        name="main" if not report.is_worker else (report.worker_name or "worker"),
        faulting=kind in _CRASH_KINDS,
        frames=frames,
    )

    js_frames, unparsed = parse_js_stack(report.js_stack_lines or [])
    if unparsed:
        warnings.append(f"{unparsed} JavaScript stack line(s) could not be parsed and were skipped")
    capabilities = {
        "js_stack": _js_capability(report, js_frames),
        "native_stack": _native_capability(frames, report),
        "threads": Capability(
            "degraded",
            "a diagnostic report records only the JavaScript thread's native stack "
            "(workers are summarised in the report section)",
            ENGINE,
        ),
    }

    if report.environment is None:
        warnings.append("the report has no environment variables (written with "
                        "--report-exclude-env or process.report.excludeEnv)")
    if report.network_interfaces is None:
        warnings.append("the report has no network interfaces (written with "
                        "--report-exclude-network or process.report.excludeNetwork)")
    if report.thread_id is None and kind is CrashKind.HEAP_OOM:
        warnings.append("the OOM handler found no Node environment: the report has no thread id "
                        "and no libuv handles")

    cmd = report.command_line
    process = ProcessInfo(
        pid=report.pid,
        executable=cmd[0] if cmd else None,
        command_line=cmd,
        environment=report.environment,
        cwd=report.cwd,
        host=report.host,
        node_version=report.node_version,
        v8_version=report.v8_version,
        time=report.time,
    )
    crash = CrashInfo(
        kind=kind,
        reason=crash_reason(report, kind),
        signal=_signal_info(report),
        faulting_thread=tid if kind in _CRASH_KINDS else None,
        faulting_frame=_faulting_frame(frames) if kind in _CRASH_KINDS else None,
        message=_crash_message(report, kind),
    )
    return CrashModel(
        process=process,
        crash=crash,
        threads=[thread],
        js_stack=js_frames,
        js_stack_source="report" if js_frames else None,
        capabilities=capabilities,
        warnings=warnings,
    )


def crash_kind(report: DiagnosticReport) -> CrashKind:
    """Crash kind from the trigger (the event text only refines FatalError)."""
    kind = _TRIGGER_KINDS.get(report.trigger, CrashKind.UNKNOWN)
    if kind is CrashKind.FATAL_ERROR and "heap out of memory" in report.event:
        return CrashKind.HEAP_OOM
    return kind


def crash_reason(report: DiagnosticReport, kind: CrashKind) -> str:
    """One sentence in plain words for the crash model."""
    match kind:
        case CrashKind.HEAP_OOM:
            return ("V8 ran out of JavaScript heap memory; Node wrote this report from its "
                    "fatal-error handler and then aborted")
        case CrashKind.FATAL_ERROR:
            return "Node hit a fatal error and wrote this report before aborting"
        case CrashKind.UNCAUGHT_EXCEPTION:
            return ("an exception was thrown and not caught; Node wrote this report before the "
                    "process exited")
        case CrashKind.REPORT_REQUEST:
            if report.trigger == "Signal":
                return (f"a diagnostic report was requested with signal {report.event}; "
                        "the process kept running")
            if report.trigger == "GetReport":
                return ("the program called process.report.getReport(); "
                        "the process kept running")
            return ("the program called process.report.writeReport(); "
                    "the process kept running")
    return f"a diagnostic report was written for an unknown trigger ({report.trigger})"


def _crash_message(report: DiagnosticReport, kind: CrashKind) -> str | None:
    if kind in (CrashKind.HEAP_OOM, CrashKind.FATAL_ERROR):
        return report.event or None
    msg = report.js_message
    return None if msg in _NO_STACK else (msg or None)  # Node's placeholder is no message


def _signal_info(report: DiagnosticReport) -> SignalInfo | None:
    if report.trigger != "Signal":
        return None
    try:
        sig = signal.Signals[report.event]
    except KeyError:
        return None
    return SignalInfo(number=int(sig), name=sig.name)


_SYMBOL = re.compile(r"^(?P<fn>.*?)\s*\[(?P<module>[^\[\]]*)\]\s*$")


def parse_native_frame(index: int, frame: dict[str, str]) -> NativeFrame:
    """`{"pc": "0x…", "symbol": "fn [binary]"}` → NativeFrame (function None when unnamed)."""
    try:
        pc = int(frame.get("pc", "0"), 16)
    except ValueError:
        pc = 0
    symbol = frame.get("symbol") or ""
    m = _SYMBOL.match(symbol)
    fn, module = (m.group("fn"), m.group("module")) if m else (symbol.strip(), None)
    return NativeFrame(index=index, pc=pc, function=fn.strip() or None, module=module or None)


def _faulting_frame(frames: list[NativeFrame]) -> str | None:
    """First named frame below the report-writing machinery (e.g. node::OOMErrorHandler)."""
    for f in frames:
        if f.function and not f.function.startswith(_REPORT_MACHINERY):
            return f.function
    return None


_LOCATION = re.compile(r"^(?P<script>.*?):(?P<line>\d+):(?P<col>\d+)$")
_ALIAS = re.compile(r"\s*\[as [^\]]*\]$")


def parse_js_stack(lines: list[str]) -> tuple[list[JsFrame], int]:
    """Parse V8 stack lines ("at fn (file:line:col)"); return frames and the unparsed count.

    Function names are kept as V8 prints them (`Timeout.onTimer`), minus the
    `[as alias]` suffix and the `async `/`new ` prefixes.
    """
    frames: list[JsFrame] = []
    unparsed = 0
    for raw in lines:
        line = raw.strip()
        if line in ("Unavailable.", "") or line in _NO_STACK:
            continue
        if not line.startswith("at "):
            unparsed += 1
            continue
        frame = _parse_js_line(line[3:].strip(), len(frames))
        if frame is None:
            unparsed += 1
        else:
            frames.append(frame)
    return frames, unparsed


def _parse_js_line(body: str, index: int) -> JsFrame | None:
    function = "(anonymous)"
    location = body
    if body.endswith(")"):
        start = _matching_paren(body)
        if start is None:
            return None
        location = body[start + 1 : -1]
        name = body[:start].strip()
        for prefix in ("async ", "new "):
            name = name.removeprefix(prefix)
        name = _ALIAS.sub("", name).strip()
        function = name or "(anonymous)"
    elif body.startswith("async "):
        location = body.removeprefix("async ")
    if location.startswith("eval at "):  # "eval at fn (file:1:2), <anonymous>:1:1"
        location = location.rsplit(", ", 1)[-1]
    m = _LOCATION.match(location)
    if m:
        return JsFrame(index=index, function=function, script=m.group("script"),
                       line=int(m.group("line")), column=int(m.group("col")))
    if body.endswith(")"):  # "(native)", "(<anonymous>)", "(index 0)"
        return JsFrame(index=index, function=function, script=location or None)
    return None


def _matching_paren(text: str) -> int | None:
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return None


def _js_capability(report: DiagnosticReport, frames: list[JsFrame]) -> Capability:
    message = report.js_message
    lines = report.js_stack_lines
    cut = next((c for c in report.capped if c.startswith("javascriptStack")), None)
    if frames and cut:
        return Capability("degraded", cut, ENGINE)
    if frames:
        return Capability("full", "JavaScript stack as recorded in the report", ENGINE)
    if report.raw.get("javascriptStack") is None:
        return Capability("unavailable", "the report has no javascriptStack section", ENGINE)
    if message in _NO_STACK or lines == ["Unavailable."]:
        kind = crash_kind(report)
        why = ("V8 cannot run JavaScript after a heap OOM, so Node recorded \"No stack.\""
               if kind is CrashKind.HEAP_OOM
               else "Node recorded \"No stack.\": the thrown value is no Error (a string or a "
               "plain object carries no stack), and the report does not record the value; a "
               "core made with --abort-on-uncaught-exception holds it"
               if kind is CrashKind.UNCAUGHT_EXCEPTION
               else "Node recorded \"No stack.\" (the fatal-error path has no JavaScript stack)")
        return Capability("unavailable", why, ENGINE)
    if lines is None:
        return Capability("unavailable", "Node records no JavaScript stack for reports requested "
                          "by signal", ENGINE)
    return Capability("degraded", "the report's JavaScript stack had no parseable frames", ENGINE)


def _native_capability(frames: list[NativeFrame], report: DiagnosticReport) -> Capability:
    if not frames:
        return Capability("unavailable", "the report has no native stack", ENGINE)
    cut = next((c for c in report.capped if c.startswith("nativeStack")), None)
    if cut:
        return Capability("degraded", cut, ENGINE)
    unnamed = sum(1 for f in frames if not f.function)
    if unnamed:
        return Capability(
            "degraded",
            f"{unnamed} of {len(frames)} native frames have no symbol in the report",
            ENGINE,
        )
    return Capability("full", "native stack as symbolised by Node", ENGINE)
