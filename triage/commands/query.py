"""Single-answer queries on one incident: `triage inspect CORE ADDR`, `triage retainers CORE
TYPE`... Each loads the incident like `triage shell` and prints only its answer, not
the whole page (redacted like the summary; `--no-redact` for local use)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.commands.shell import answer_text, make_redactor


def _query_command(name: str, arg_names: tuple[str, ...], doc: str, options=()) -> click.Command:  # noqa: ANN001
    @click.pass_context
    def run(ctx: click.Context, core: Path, node: Path | None, redact_policy: Path | None,
            no_redact: bool, **kwargs) -> None:  # noqa: ANN003
        from triage.session import Session

        words = [name] + [str(kwargs[a]) for a in arg_names if kwargs.get(a) is not None]
        if kwargs.get("depth") is not None:
            words += ["-d", str(kwargs["depth"])]
        if kwargs.get("source"):
            words.append("-s")
        if kwargs.get("limit") is not None:
            words.append(str(kwargs["limit"]))
        if kwargs.get("isolate") is not None:
            words += ["--isolate", kwargs["isolate"]]
        session = Session([core], node=node, redactor=make_redactor(redact_policy, no_redact))
        sys.stdout.write(answer_text(session, " ".join(_quote(w) for w in words),
                                     color=sys.stdout.isatty()))

    params = [click.Argument(["core"], type=click.Path(path_type=Path))]
    params += [click.Argument([a]) for a in arg_names]
    params += [
        click.Option(["--node"], type=click.Path(path_type=Path),
                     help="The node binary the core was made with."),
        click.Option(["--redact-policy"], type=click.Path(path_type=Path),
                     help="Policy file adding names/patterns to redact or allow."),
        click.Option(["--no-redact"], is_flag=True, help="Show secrets. Local use only."),
        *options,
    ]
    return click.Command(name, callback=run, params=params, help=doc)


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


def _isolate() -> click.Option:
    from triage.isolate_select import HELP

    return click.Option(["--isolate"], default=None, metavar="main|worker N|all", help=HELP)


inspect = _query_command("inspect", ("address",), "Print one object of a core (hex ADDRESS).",
                         [click.Option(["--depth", "-d"], type=int, default=None,
                                       help="How deep to follow references (default 1)."),
                          click.Option(["--source", "-s"], is_flag=True, default=False,
                                       help="A function's source text (from its Script)."),
                          _isolate()])
instances = _query_command("instances", ("type",), "List addresses of objects of TYPE in a core.",
                           [click.Option(["--limit"], type=int, default=None, help="How many (default 20)."),
                            _isolate()])
retainers = _query_command("retainers", ("target",),
                           "Why TYPE or ADDRESS is alive: retainer paths from GC roots.",
                           [_isolate()])
referrers = _query_command("referrers", ("target",),
                           "Every direct referrer of TYPE or ADDRESS, with its edge.",
                           [click.Option(["--limit"], type=int, default=None,
                                         help="How many referrers per object (default 50)."),
                            _isolate()])
find = _query_command("find", ("text",), "Strings on the heap that contain TEXT.")
threads = _query_command("threads", (), "Threads of a core, identical idle stacks grouped.")
bt = _query_command("bt", (), "Native and JavaScript stack of the crashed thread.")
handles = _query_command("handles", (), "Event loop handles and pending requests of a core, "
                         "the main thread's and each Worker's (llnode's getactivehandles / "
                         "getactiverequests).", [_isolate()])
QUERIES = (inspect, instances, retainers, referrers, find, threads, bt, handles)
