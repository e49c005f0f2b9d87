"""`triage capture PID`: a core (and a report) of a live Node process, which keeps running.

For a process that is misbehaving but not dead (leaking, spinning, stuck), the evidence
must be taken without killing it: gdb's `gcore` attaches, writes a core and detaches
(the process is paused only while the core is written). A diagnostic report is asked for
with the process's report signal only when Node's own options (read the way Node reads
them: options end at the script name, NODE_OPTIONS first) enable `--report-on-signal` AND
the kernel says the process catches that signal right now (`SigCgt`): a signal nobody
catches would end the process. The binary is recorded from `/proc/PID/exe` with its
build-id, and copied when the file on disk is gone or replaced, so the core stays
analysable after a deploy. Then the artifacts are triaged as one incident.

Everything written is mode 0600 (the core and the report hold the process's environment
and memory) and renamed into place, so a symlink planted in the output directory is
replaced, never written through.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.batch.index import now_iso, write_json_atomic
from triage.crashmodel import CrashInfo, CrashKind
from triage.errors import CaptureDenied, DependencyMissing, InputUnreadable, NotNode, OutputProblem
from triage.render.escape import escape_name

REPORT_WAIT_SECONDS = 10.0
MAX_REPORT_BYTES = 256 << 20
# Node options that take the next argument as their value when written without `=`
# (option types kInteger, kUInteger, kString, kHostPort, kStringList of node_options.cc),
# the union over Node 18-26. Any other option never consumes the next argument, so the
# first argument that is not an option is the script, and the script's own arguments
# (`node app.js --report-on-signal`) are never read as Node's.
_VALUE_OPTIONS = frozenset("""
--allow-fs-read --allow-fs-write --bench-isolation --bench-name-pattern --bench-reporter
--bench-reporter-destination --bench-samples --bench-warmup --build-sea --build-snapshot-config
--conditions --config-file --cpu-prof-dir --cpu-prof-interval --cpu-prof-name --diagnostic-dir
--disable-proto --disable-warning --dns-result-order --env-file --env-file-if-exists --eval
--experimental-config-file --experimental-default-type --experimental-loader
--experimental-package-map --experimental-policy --experimental-sea-config
--experimental-specifier-resolution --experimental-test-isolation --experimental-test-tag-filter
--heap-prof-dir --heap-prof-interval --heap-prof-name --heapsnapshot-near-heap-limit
--heapsnapshot-signal --icu-data-dir --import --input-type --inspect-port --inspect-publish-uid
--localstorage-file --max-http-header-size --max-old-space-size-percentage
--network-family-autoselection-attempt-timeout --openssl-config --policy-integrity
--process-timeout --redirect-warnings --report-dir --report-filename --report-signal --require
--run --secure-heap --secure-heap-min --security-revert --snapshot-blob --stack-trace-limit
--test-concurrency --test-coverage-branches --test-coverage-exclude --test-coverage-functions
--test-coverage-include --test-coverage-lines --test-global-setup --test-isolation
--test-name-pattern --test-random-seed --test-reporter --test-reporter-destination
--test-rerun-failures --test-shard --test-skip-pattern --test-timeout --title --tls-cipher-list
--tls-keylog --trace-event-categories --trace-event-file-pattern --trace-require-module
--unhandled-rejections --use-largepages --v8-pool-size --vfs-load --watch-kill-signal --watch-path
""".split())
_ALIASES = {"-e": "--eval", "-r": "--require", "-C": "--conditions", "-p": "--print",
            "--loader": "--experimental-loader", "--debug-port": "--inspect-port",
            "--report-directory": "--report-dir", "--security-reverts": "--security-revert"}
GCORE_TIMEOUT_SECONDS = 600.0
_PTRACE_SCOPE = Path("/proc/sys/kernel/yama/ptrace_scope")
_SCOPE_HELP = {
    1: "kernel.yama.ptrace_scope=1 lets only a parent attach: run as root or with CAP_SYS_PTRACE",
    2: "kernel.yama.ptrace_scope=2 lets only CAP_SYS_PTRACE attach: run as root",
    3: "kernel.yama.ptrace_scope=3 forbids attaching to any process until reboot",
}


@dataclass
class Captured:
    """What `capture` left in the output directory."""

    pid: int
    core: Path
    binary: Path  # the binary to analyse the core with (a copy when the original is gone)
    executable: str  # the path the process runs from, as /proc/PID/exe says
    build_id: str | None
    report: Path | None = None
    notes: list[str] = field(default_factory=list)


def capture(pid: int, out: Path, *, want_report: bool = True) -> Captured:
    """Take the core and (when the process allows it) a diagnostic report; write `binary.json`."""
    proc = Path(f"/proc/{pid}")
    if pid <= 0 or not proc.is_dir():
        raise InputUnreadable(f"no process with pid {pid}")
    executable, exe_path = _executable(pid)
    build_id = _check_node(pid, exe_path, executable)
    _check_ptrace_allowed(pid)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise OutputProblem(f"cannot create {escape_name(out)}: {e.strerror}") from e
    if not out.is_dir():
        raise OutputProblem(f"--out {escape_name(out)} is not a directory")
    notes: list[str] = []
    report = _request_report(pid, out, notes) if want_report else None
    core = _gcore(pid, out)
    binary = _binary_for_analysis(exe_path, executable, build_id, out, notes)
    captured = Captured(pid, core, binary, executable, build_id, report, notes)
    write_json_atomic(out / "binary.json", {
        "pid": pid, "executable": executable, "build_id": build_id, "analysed_with": str(binary),
        "core": core.name, "report": report.name if report else None, "captured_at": now_iso(),
        "notes": notes,
    })
    return captured


def capture_and_triage(pid: int, out: Path, *, want_report: bool = True,
                       policy_path: Path | None = None) -> dict[str, Any]:
    """`capture`, then the redacted summary of core + report, also written to `summary.json`."""
    from triage.pipeline import Options, analyze
    from triage.redaction import Policy, Redactor
    from triage.summary import build_summary

    policy = Policy.load(policy_path) if policy_path else None
    captured = capture(pid, out, want_report=want_report)
    paths = [captured.core] + ([captured.report] if captured.report else [])
    findings = analyze(paths, Options(node=captured.binary, llnode_cross_check=False))
    findings.warnings.extend(captured.notes)
    if findings.model is not None:  # gcore's SIGSTOP is how it attached, not why anything died
        findings.model.crash = CrashInfo(CrashKind.NONE, "a live process captured with `triage capture` "
                                         "(gcore); it was not crashing and kept running")
    redacted, section = Redactor(policy).redact_document(build_summary(findings))
    redacted["redaction"] = section
    write_json_atomic(out / "summary.json", redacted)
    return redacted


def _executable(pid: int) -> tuple[str, Path]:
    link = Path(f"/proc/{pid}/exe")
    try:
        target = os.readlink(link)
    except PermissionError:
        raise CaptureDenied(f"not permitted to inspect pid {pid} (another user's process): "
                            "run as its user or as root") from None
    except FileNotFoundError:
        raise InputUnreadable(f"no process with pid {pid}") from None
    except OSError as e:  # a kernel thread has no executable
        raise NotNode(f"pid {pid} has no executable ({e.strerror}); it is not a Node.js process") from None
    return target, link


def _check_node(pid: int, exe_path: Path, executable: str) -> str | None:
    from triage.coredump import ElfFile
    from triage.loaders.core import NODE_METADATA_SYMBOL

    try:
        binary = ElfFile(exe_path)
        is_node = (binary.symbol(NODE_METADATA_SYMBOL) is not None
                   or bool(binary.symbols_with_prefix("v8dbg_")))
        build_id = binary.build_id
    except Exception as e:  # noqa: BLE001 - not ELF, unreadable: not something we can analyse
        raise NotNode(f"pid {pid} runs {escape_name(executable)}, which triage cannot read as a Node.js "
                      f"binary: {escape_name(str(e))}") from None
    if not is_node:
        raise NotNode(f"pid {pid} runs {escape_name(executable)}, which is not Node.js")
    return build_id


def _check_ptrace_allowed(pid: int) -> None:
    """Refuse early, with the fix, when the kernel will not let gcore attach."""
    try:
        scope = int(_PTRACE_SCOPE.read_text().strip())
    except (OSError, ValueError):
        return  # no Yama: ordinary permission rules, gcore's own error says the rest
    if scope >= 3 or (scope == 2 and os.geteuid() != 0):
        raise CaptureDenied(f"cannot attach to pid {pid}: {_SCOPE_HELP[min(scope, 3)]}")


def _gcore(pid: int, out: Path) -> Path:
    """gcore into a private (0700) directory with umask 077, then renamed into `out`."""
    if shutil.which("gcore") is None:
        raise DependencyMissing("gcore (from gdb) is needed to capture a core: apt-get install gdb")
    try:
        private = Path(tempfile.mkdtemp(prefix=".gcore-", dir=out))
    except OSError as e:
        raise OutputProblem(f"cannot write in {escape_name(out)}: {e.strerror}") from e
    try:
        return _gcore_into(pid, private, out)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _gcore_into(pid: int, private: Path, out: Path) -> Path:
    made = private / f"core.{pid}"
    try:
        proc = subprocess.run(["gcore", "-o", str(private / "core"), str(pid)], capture_output=True,
                              text=True, timeout=GCORE_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
                              umask=0o077)
    except subprocess.TimeoutExpired:
        raise CaptureDenied(f"gcore did not finish within {GCORE_TIMEOUT_SECONDS:g} s "
                            f"for pid {pid}") from None
    text = proc.stdout + proc.stderr
    if proc.returncode == 0 and made.is_file():
        target = out / f"core.{pid}"
        try:
            made.chmod(0o600)
            os.replace(made, target)
        except OSError as e:
            raise OutputProblem(f"cannot write {escape_name(target)}: {e.strerror}") from e
        return target
    if not Path(f"/proc/{pid}").is_dir():  # before reading gdb's words: a dead process is not a refusal
        raise InputUnreadable(f"pid {pid} exited while its core was being taken")
    if "not permitted" in text or "Could not attach" in text or "ptrace" in text:
        try:
            hint = _SCOPE_HELP.get(int(_PTRACE_SCOPE.read_text().strip()), "")
        except (OSError, ValueError):
            hint = ""
        hint = hint or "run as the process's user or as root (CAP_SYS_PTRACE)"
        raise CaptureDenied(f"not permitted to attach to pid {pid} (ptrace): {hint}")
    last = next((line for line in reversed(text.strip().splitlines()) if line.strip()), "no output")
    raise OutputProblem(f"gcore failed for pid {pid}: {escape_name(last)}")


@dataclass
class ReportSettings:
    """What Node's own options say about reports on a signal."""

    on_signal: bool = False
    signal: str = "SIGUSR2"
    directory: str | None = None
    filename: str | None = None
    environ_read: bool = True  # False: NODE_OPTIONS could not be read (another user's process)


def node_own_options(argv: list[str]) -> list[tuple[str, str | None]]:
    """Node's options in `argv` (argv[0] excluded) as (canonical name, value), in order.

    Parsed as Node parses them: options end at `--`, at `-` or at the first argument that
    is not an option (the script); an option of `_VALUE_OPTIONS` written without `=` takes
    the next argument as its value; `-p`/`--print` takes it only when it is not an option."""
    found: list[tuple[str, str | None]] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or arg == "-" or not arg.startswith("-"):
            break
        name, eq, value = arg.partition("=")
        if name == "-pe":
            found.append(("--print", None))
            name = "--eval"
        name = _ALIASES.get(name, name)
        if eq:
            found.append((name, value))
        elif name in _VALUE_OPTIONS and i + 1 < len(argv):
            i += 1
            found.append((name, argv[i]))
        elif name == "--print" and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            i += 1
            found.append(("--eval", argv[i]))
        else:
            found.append((name, None))
        i += 1
    return found


def split_node_options(text: str) -> list[str]:
    """NODE_OPTIONS split the way Node splits it: spaces separate, double quotes group,
    a backslash inside quotes escapes the next character."""
    args: list[str] = []
    quoted, new_arg, i = False, True, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and quoted and i + 1 < len(text):
            i += 1
            c = text[i]
        elif c == " " and not quoted:
            new_arg = True
            i += 1
            continue
        elif c == '"':
            quoted = not quoted
            i += 1
            continue
        if new_arg:
            args.append(c)
            new_arg = False
        else:
            args[-1] += c
        i += 1
    return args


def report_settings(argv: list[str], node_options: str | None) -> ReportSettings:
    """Report options in effect: NODE_OPTIONS first, then the command line (which wins)."""
    settings = ReportSettings()
    options = node_own_options(split_node_options(node_options or "")) + node_own_options(argv[1:])
    for name, value in options:
        if name in ("--report-on-signal", "--experimental-report-on-signal") and value is None:
            settings.on_signal = True
        elif name == "--no-report-on-signal":
            settings.on_signal = False
        elif name == "--report-signal" and value:
            settings.signal = value
        elif name == "--report-dir" and value:
            settings.directory = value
        elif name == "--report-filename" and value:
            settings.filename = value
    return settings


def _process_report_settings(pid: int) -> ReportSettings:
    try:
        argv = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    except OSError:
        argv = []
    node_options, environ_read = None, True
    try:
        for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
            if item.startswith(b"NODE_OPTIONS="):
                node_options = item[len(b"NODE_OPTIONS="):].decode(errors="replace")
    except OSError:
        environ_read = False
    settings = report_settings(argv[:-1] if argv and argv[-1] == "" else argv, node_options)
    settings.environ_read = environ_read
    return settings


def catches_signal(pid: int, signum: int) -> bool:
    """Whether the process has a handler for `signum` now (`SigCgt` of /proc/PID/status)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except (OSError, ValueError, IndexError):
        pass
    return False


def _signal_number(name: str) -> signal.Signals | None:
    try:
        return signal.Signals(int(name)) if name.isdigit() else signal.Signals[
            name.upper() if name.upper().startswith("SIG") else f"SIG{name.upper()}"]
    except (KeyError, ValueError):
        return None


def _request_report(pid: int, out: Path, notes: list[str]) -> Path | None:
    settings = _process_report_settings(pid)
    if not settings.on_signal:
        unseen = "" if settings.environ_read else " (its NODE_OPTIONS could not be read)"
        notes.append(f"no diagnostic report: pid {pid} was not started with --report-on-signal in its "
                     f"Node options or NODE_OPTIONS{unseen}, so no signal was sent")
        return None
    name = settings.filename
    if name in ("stdout", "stderr"):
        notes.append(f"no diagnostic report file: the process writes its reports to {name}")
        return None
    signum = _signal_number(settings.signal)
    if signum is None:
        notes.append(f"no diagnostic report: unknown --report-signal {escape_name(settings.signal)}; "
                     "no signal was sent")
        return None
    if not catches_signal(pid, signum):
        notes.append(f"no diagnostic report: pid {pid} does not handle {signum.name} (its report signal) "
                     "right now, so sending it could end the process; no signal was sent")
        return None
    directory = Path(settings.directory or ".")
    if not directory.is_absolute():
        directory = Path(f"/proc/{pid}/cwd") / directory
    before = _reports_in(directory, pid, name)
    os.kill(pid, signum)
    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    while time.monotonic() < deadline:
        now = _reports_in(directory, pid, name)
        for path in sorted(p for p, mtime in now.items() if before.get(p) != mtime):
            content = _read_report(path)
            if content is None:
                continue  # still being written
            target = out / path.name
            _write_private(target, content)
            notes.append(f"Node also left its own copy of the report at {escape_name(_shown(path, pid))}; "
                         "it holds the process's environment")
            return target
        time.sleep(0.1)
    notes.append(f"no diagnostic report appeared in {REPORT_WAIT_SECONDS:g} s after {signum.name} "
                 "(is the event loop blocked?)")
    return None


def _shown(path: Path, pid: int) -> str:
    """The report's path as the process sees it (its cwd instead of /proc/PID/cwd)."""
    prefix = f"/proc/{pid}/cwd"
    if str(path).startswith(prefix):
        try:
            return os.readlink(prefix) + str(path)[len(prefix):]
        except OSError:
            pass
    return str(path)


def _read_report(path: Path) -> bytes | None:
    """A complete report, read without following a symlink or blocking on a FIFO."""
    from triage.batch.safeopen import open_regular

    try:
        fd, st = open_regular(path)
    except InputUnreadable:
        return None
    try:
        if st.st_size > MAX_REPORT_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            content = f.read(MAX_REPORT_BYTES + 1)
        json.loads(content)
        return content
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def _write_private(target: Path, content: bytes) -> None:
    """`target` with mode 0600, written to a temp file and renamed into place."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, target)
    except OSError as e:
        raise OutputProblem(f"cannot write {escape_name(target)}: {e.strerror}") from e


def _reports_in(directory: Path, pid: int, name: str | None) -> dict[Path, int]:
    """Report files this process may write, with their modification times."""
    try:
        paths = [directory / name] if name else list(directory.glob(f"report.*.{pid}.*.json"))
        stats = {p: p.lstat() for p in paths if os.path.lexists(p)}
        return {p: st.st_mtime_ns for p, st in stats.items() if stat.S_ISREG(st.st_mode)}
    except OSError:
        return {}


def _binary_for_analysis(exe_path: Path, executable: str, build_id: str | None, out: Path,
                         notes: list[str]) -> Path:
    """The file on disk when it is still the one running, else a copy of the running one."""
    on_disk = Path(executable.removesuffix(" (deleted)"))
    if not executable.endswith(" (deleted)") and on_disk.is_file():
        from triage.coredump import ElfFile

        try:
            if ElfFile(on_disk).build_id == build_id:
                return on_disk
        except Exception:  # noqa: BLE001 - replaced by something unreadable: copy below
            pass
    copy = out / "node"
    try:
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".node.", suffix=".tmp")
        with open(exe_path, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(tmp, 0o700)
        os.replace(tmp, copy)
    except OSError as e:
        raise OutputProblem(f"cannot copy the running binary to {escape_name(copy)}: {e.strerror}") from e
    notes.append(f"{escape_name(on_disk)} is no longer the binary the process runs; "
                 f"a copy was saved as {copy.name}")
    return copy
