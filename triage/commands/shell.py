"""`triage shell CORE [REPORT] [SNAPSHOT]`: load an incident once, then ask many questions.

Like `dotnet-dump analyze` or an lldb session with llnode: the load (core, heap walk,
graph, dominators) is paid once, each query is answered from memory. `-c CMD`
(repeatable) runs queries without a prompt, for scripts. Every answer passes the
session's one Redactor, so a secret's tag stays the same across answers. History lives
in memory only: queries may hold the strings one searched for.
"""

from __future__ import annotations

import cmd
import os
import sys
import traceback
from pathlib import Path

import click


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--node", type=click.Path(path_type=Path),
              help="The node binary the core was made with (default: the path recorded in the core).")
@click.option("-c", "commands", multiple=True, metavar="CMD",
              help="Run this query and print its answer (repeatable); no prompt.")
@click.option("--redact-policy", type=click.Path(path_type=Path),
              help="Policy file adding names/patterns to redact or allow (docs/redaction.md).")
@click.option("--no-redact", is_flag=True,
              help="Show secrets. Local use only: the output must not be shared.")
@click.option("--llnode", is_flag=True, help="Also run llnode's cross-check while loading (slower).")
def shell(paths: tuple[Path, ...], node: Path | None, commands: tuple[str, ...],
          redact_policy: Path | None, no_redact: bool, llnode: bool) -> None:
    """Load one incident once and answer queries: histogram, suspects, instances, inspect,
    retainers, threads, bt, find, handles (`help` lists them)."""
    from triage.session import Session

    session = Session(list(paths), node=node, redactor=make_redactor(redact_policy, no_redact),
                      llnode=llnode)
    color = sys.stdout.isatty()
    if commands:
        for line in commands:
            sys.stdout.write(answer_text(session, line, color=color))
        sys.stdout.flush()
        return
    _Shell(session, color).cmdloop()


def make_redactor(policy_path: Path | None, no_redact: bool):  # noqa: ANN201 - a Redactor
    from triage.redaction import Policy, Redactor

    policy = Policy.load(policy_path) if policy_path else None
    if no_redact:
        click.echo("WARNING: --no-redact: the output contains unredacted secrets from the dump. "
                   "Do not share it.", err=True)
        return Redactor.disabled(policy)
    return Redactor(policy)


def answer_text(session, line: str, *, color: bool = False) -> str:  # noqa: ANN001
    from triage.render import UNWRAPPED, _terminal_width
    from triage.render.text import render_answer

    # as for the page (triage/render/__init__.py): a terminal's width, never wrapped in a pipe
    width = _terminal_width() if color else UNWRAPPED
    return render_answer(session.ask(line), color=color, width=width)


class _Shell(cmd.Cmd):
    prompt = "triage> "

    def __init__(self, session, color: bool):  # noqa: ANN001
        super().__init__()
        self.session = session
        self.color = color
        model = session.model
        crash = f"{model.crash.kind.value}: {model.crash.reason}" if model else "no crash model"
        self.intro = (f"{session.redactor.redact_text(crash, source='message')}\n"
                      "Type `help` for the queries, `quit` to leave.")
        self._types = sorted({r["type"] for r in session.findings.histogram})
        self._tids = [str(t.tid) for t in (model.threads if model else [])]

    def default(self, line: str) -> bool:
        from triage.errors import TriageError

        if line.strip() in ("quit", "exit", "EOF", "q"):
            if line.strip() == "EOF":
                sys.stdout.write("\n")
            return True
        try:
            sys.stdout.write(answer_text(self.session, line, color=self.color))
        except TriageError as e:
            sys.stdout.write(f"error: {e}\n")
        except Exception as e:  # noqa: BLE001 - a bug must not end the session; no message (may hold dump data)
            if os.environ.get("TRIAGE_DEBUG"):
                traceback.print_exc()
            sys.stdout.write(f"error: internal error ({type(e).__name__}); rerun with TRIAGE_DEBUG=1 "
                             "and report it\n")
        return False

    def emptyline(self) -> bool:
        return False

    def do_help(self, arg: str) -> None:
        from triage.session import USAGE

        sys.stdout.write("\n".join(USAGE.values()) + "\nquit                      leave\n")

    def completenames(self, text: str, *ignored) -> list[str]:  # noqa: ANN002
        from triage.session import COMMANDS

        return [c for c in (*COMMANDS, "help", "quit") if c.startswith(text)]

    def completedefault(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        word = line.split(maxsplit=1)[0] if line.split() else ""
        if word in ("instances", "retainers"):
            return [t for t in self._types if t.startswith(text)]
        if word == "bt":
            return [t for t in self._tids if t.startswith(text)]
        return []

    def onecmd(self, line: str) -> bool:
        # every word is a query name: route all of them through default()
        if not line.strip():
            return self.emptyline()
        if line.split()[0] in ("help", "?"):
            self.do_help("")
            return False
        return self.default(line)
