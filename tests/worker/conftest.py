"""A real redis-server on 127.0.0.1 per test session, and real `triage worker` processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.conftest import REPO, Result, run_triage


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    """`redis-server` (Debian's, installed by scripts/setup.sh) with no persistence; killed at the end."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: scripts/setup.sh installs it"
    port, workdir = _free_port(), tmp_path_factory.mktemp("redis")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(workdir)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield {"url": f"redis://127.0.0.1:{port}/0", "client": client}
    proc.kill()
    proc.wait()


@pytest.fixture
def broker(redis_server: dict) -> str:
    """The session's server, emptied for each test."""
    redis_server["client"].flushall()
    return redis_server["url"]


def start_worker(broker: str, out: Path, name: str, *args: object, log: Path) -> subprocess.Popen:
    """`triage worker` as a real process, its log in `log`; returns once it is consuming."""
    with open(log, "wb") as f:
        command = [sys.executable, "-m", "triage", "worker", "--broker", broker, "--out", str(out),
                   "--hostname", name, "--loglevel", "INFO", *map(str, args)]
        proc = subprocess.Popen(command, cwd=REPO, stdout=f, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{name} did not start: {log.read_text()}"
        time.sleep(0.1)
    return proc


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def submit(*args: object) -> Result:
    return run_triage("submit", *map(str, args), timeout=120)


def results(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json") if len(p.stem) == 16}


def index_lines(out: Path) -> list[dict]:
    path = out / "index.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def attempt_log(out: Path, incident: str) -> list[dict]:
    path = out / ".attempts" / f"{incident}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
