"""`triage capture PID`: a core (and a report) of a live Node process, which keeps running.

For a process that is misbehaving but not dead (leaking, spinning, stuck), the evidence
must be taken without killing it: gdb's `gcore` attaches, writes a core and detaches
(the process is paused only while the core is written); a diagnostic report is asked for
with the process's report signal when it was started with `--report-on-signal` (in argv
or NODE_OPTIONS). The binary is recorded from `/proc/PID/exe` with its build-id, and
copied when the file on disk is gone or replaced, so the core stays analysable after a
deploy. Then the artifacts are triaged as one incident.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.batch.index import now_iso, write_json_atomic
from triage.crashmodel import CrashInfo, CrashKind
from triage.errors import CaptureDenied, DependencyMissing, InputUnreadable, NotNode, OutputProblem

REPORT_WAIT_SECONDS = 10.0
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
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputProblem(f"cannot create {out}: {e.strerror}") from e
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
        is_node = NODE_METADATA_SYMBOL in binary.symbols() or bool(binary.symbols_with_prefix("v8dbg_"))
        build_id = binary.build_id
    except Exception as e:  # noqa: BLE001 - not ELF, unreadable: not something we can analyse
        raise NotNode(f"pid {pid} runs {executable}, which triage cannot read as a Node.js binary: "
                      f"{e}") from None
    if not is_node:
        raise NotNode(f"pid {pid} runs {executable}, which is not Node.js")
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
    if shutil.which("gcore") is None:
        raise DependencyMissing("gcore (from gdb) is needed to capture a core: apt-get install gdb")
    prefix = out / "core"
    target = out / f"core.{pid}"
    try:
        proc = subprocess.run(["gcore", "-o", str(prefix), str(pid)], capture_output=True, text=True,
                              timeout=GCORE_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise CaptureDenied(f"gcore did not finish within {GCORE_TIMEOUT_SECONDS:g} s "
                            f"for pid {pid}") from None
    text = proc.stdout + proc.stderr
    if proc.returncode != 0 or not target.is_file():
        if "not permitted" in text or "Could not attach" in text or "ptrace" in text:
            try:
                hint = _SCOPE_HELP.get(int(_PTRACE_SCOPE.read_text().strip()), "")
            except (OSError, ValueError):
                hint = ""
            hint = hint or "run as the process's user or as root (CAP_SYS_PTRACE)"
            raise CaptureDenied(f"not permitted to attach to pid {pid} (ptrace): {hint}")
        if not Path(f"/proc/{pid}").is_dir():
            raise InputUnreadable(f"pid {pid} exited while its core was being taken")
        last = next((line for line in reversed(text.strip().splitlines()) if line.strip()), "no output")
        raise OutputProblem(f"gcore failed for pid {pid}: {last}")
    return target


def _node_flags(pid: int) -> list[str]:
    """The process's own arguments, then NODE_OPTIONS (Node reads both)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        argv = []
    flags = [a.decode(errors="replace") for a in argv[1:] if a]
    try:
        for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
            if item.startswith(b"NODE_OPTIONS="):
                flags += item[len(b"NODE_OPTIONS="):].decode(errors="replace").split()
    except OSError:
        pass
    return flags


def _flag_value(flags: list[str], *names: str) -> str | None:
    value = None
    for i, flag in enumerate(flags):
        for name in names:
            if flag.startswith(name + "="):
                value = flag.split("=", 1)[1]
            elif flag == name and i + 1 < len(flags):
                value = flags[i + 1]
    return value


def _request_report(pid: int, out: Path, notes: list[str]) -> Path | None:
    flags = _node_flags(pid)
    if "--report-on-signal" not in flags and "--experimental-report-on-signal" not in flags:
        notes.append("no diagnostic report: the process was not started with --report-on-signal")
        return None
    name = _flag_value(flags, "--report-filename")
    if name in ("stdout", "stderr"):
        notes.append(f"no diagnostic report file: the process writes its reports to {name}")
        return None
    signame = _flag_value(flags, "--report-signal") or "SIGUSR2"
    try:
        signum = signal.Signals[signame if signame.startswith("SIG") else f"SIG{signame}"]
    except KeyError:
        notes.append(f"no diagnostic report: unknown --report-signal {signame}")
        return None
    directory = Path(_flag_value(flags, "--report-directory", "--report-dir") or ".")
    if not directory.is_absolute():
        directory = Path(f"/proc/{pid}/cwd") / directory
    before = _reports_in(directory, pid, name)
    os.kill(pid, signum)
    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    while time.monotonic() < deadline:
        now = _reports_in(directory, pid, name)
        for path in sorted(p for p, mtime in now.items() if before.get(p) != mtime):
            try:
                json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # still being written
            target = out / path.name
            shutil.copyfile(path, target)
            return target
        time.sleep(0.1)
    notes.append(f"no diagnostic report appeared in {REPORT_WAIT_SECONDS:g} s after {signum.name} "
                 "(is the event loop blocked?)")
    return None


def _reports_in(directory: Path, pid: int, name: str | None) -> dict[Path, int]:
    """Report files this process may write, with their modification times."""
    try:
        paths = [directory / name] if name else list(directory.glob(f"report.*.{pid}.*.json"))
        return {p: p.stat().st_mtime_ns for p in paths if p.exists()}
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
    shutil.copyfile(exe_path, copy)
    copy.chmod(0o755)
    notes.append(f"{on_disk} is no longer the binary pid runs; a copy was saved as {copy.name}")
    return copy
