"""`triage analyze PATH...`: one incident's summary (the default command)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.commands.output import check_output, write_output
from triage.render import FORMATS, render


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary the core was made with (default: the path recorded in the core).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write here instead of stdout (never overwrites an input; refuses existing files "
                   "unless --force).")
@click.option("--force", is_flag=True, help="Allow --output to replace an existing file.")
@click.option("--redact-policy", type=click.Path(path_type=Path),
              help="Policy file adding names/patterns to redact or allow (docs/redaction.md).")
@click.option("--no-redact", is_flag=True,
              help="Show secrets. Local use only: the output must not be shared.")
@click.option("--top", default=50, show_default=True, type=click.IntRange(min=1),
              help="Histogram rows in the summary.")
@click.option("--instances", "instances", metavar="TYPE",
              help="List addresses of objects of this type (core heaps).")
@click.option("--limit", "instance_limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many --instances addresses to list.")
@click.option("--inspect", "inspect", metavar="ADDR", multiple=True,
              help="Inspect the object at this address (hex); repeatable.")
@click.option("--depth", "inspect_depth", default=1, show_default=True, type=click.IntRange(0, 16),
              help="How deep --inspect follows references.")
@click.option("--retainers", metavar="TYPE|ADDRESS",
              help="Explain why these objects are alive: retainer paths from GC roots.")
@click.option("--llnode", "llnode", is_flag=True,
              help="Cross-check the JS stack with llnode's `v8 bt` (loads the core into lldb: "
                   "about a second more; llnode decodes frames up to Node 20).")
@click.option("--no-llnode", is_flag=True, hidden=True, help="The default (kept for old scripts).")
@click.option("--lldb-unwind", is_flag=True,
              help="Unwind native stacks with lldb instead of triage's CFI unwinder (slow: "
                   "seconds per thread; for comparing the two).")
@click.option("--referrers", metavar="TYPE|ADDRESS",
              help="List every object that points straight at these objects, with the edge it uses.")
@click.option("--referrers-limit", "referrer_limit", default=50, show_default=True,
              type=click.IntRange(min=1), help="How many --referrers rows per object.")
@click.option("--no-heap-graph", is_flag=True,
              help="Skip building a core's reference graph (no suspects or retainers from a core; "
                   "saves memory on very large heaps).")
@click.option("--isolate", "isolate", default="all", show_default=True,
              metavar="main|worker N|all", callback=lambda _c, _p, v: _selector(v),
              help="Where --retainers, --referrers, --instances and --inspect look in a core "
                   "with Workers: main, worker N (as numbered in `isolates`) or all; every "
                   "row says its isolate.")
@click.option("--max-isolates", default=8, show_default=True, type=click.IntRange(min=1),
              help="How many of a core's isolates (main thread, then Workers) to walk; the rest "
                   "are listed as not read.")
def analyze(paths: tuple[Path, ...], node: Path | None, fmt: str, output: Path | None, force: bool,
            redact_policy: Path | None, no_redact: bool, top: int, instances: str | None,
            instance_limit: int, inspect: tuple[str, ...], inspect_depth: int, retainers: str | None,
            llnode: bool, no_llnode: bool, lldb_unwind: bool, no_heap_graph: bool,
            max_isolates: int, referrers: str | None, referrer_limit: int, isolate: str) -> None:
    """Analyse one crash incident and print its summary."""
    from triage.pipeline import Options
    from triage.pipeline import analyze as run_analysis
    from triage.redaction import Policy, Redactor
    from triage.stored import looks_stored
    from triage.summary import build_summary

    if output is not None:
        check_output(output, (*paths, node, redact_policy), force)
    if len(paths) == 1 and paths[0].is_file() and looks_stored(paths[0]):  # `triage results/<id>.json`
        from triage.commands.render import render_stored

        color = output is None and fmt == "text" and sys.stdout.isatty()
        write_output(render_stored(paths[0], fmt, color=color), output)
        return
    for line in _inapplicable_options(paths, instances=instances, inspect=inspect,
                                      retainers=retainers, referrers=referrers,
                                      core_graph=not no_heap_graph):
        click.echo(f"triage: warning: {line}", err=True)
    policy = Policy.load(redact_policy) if redact_policy else None
    options = Options(node=node, histogram_limit=top, instances=instances,
                      instance_limit=instance_limit, inspect=[_address(a) for a in inspect],
                      inspect_depth=inspect_depth, llnode_cross_check=llnode and not no_llnode,
                      native_unwinder="lldb" if lldb_unwind else "triage",
                      retainers=retainers, referrers=referrers, referrer_limit=referrer_limit,
                      core_graph=not no_heap_graph, max_isolates=max_isolates, isolate=isolate)
    findings = run_analysis(list(paths), options)
    findings.histogram = findings.histogram[:top]
    document = build_summary(findings)
    if no_redact:
        click.echo("WARNING: --no-redact: the output contains unredacted secrets from the dump. "
                   "Do not share it.", err=True)
        redactor = Redactor.disabled(policy)
    else:
        redactor = Redactor(policy)
    redacted, section = redactor.redact_document(document)
    redacted["redaction"] = section
    color = output is None and fmt == "text" and sys.stdout.isatty()
    text = render(redacted, fmt, color=color)
    write_output(text, output)


def _selector(text: str) -> str:
    from triage.isolate_select import IsolateSelectionError, parse_selector

    try:
        return parse_selector(text)
    except IsolateSelectionError as e:
        raise click.BadParameter(str(e), param_hint="--isolate") from None


def _address(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a hex address", param_hint="--inspect") from None




_QUERY_NEEDS = {  # option -> what it reads, and in which inputs that is
    "--inspect": "a core's heap", "--instances": "a core's heap",
    "--retainers": "a reference graph (a core's, or a heap snapshot)",
    "--referrers": "a reference graph (a core's, or a heap snapshot)",
}
_KIND_WORDS = {"report": "a diagnostic report", "binary": "a binary"}
_ONLY_WITH = {"inspect_depth": ("--depth", "--inspect", "inspect"),
              "instance_limit": ("--limit", "--instances", "instances"),
              "referrer_limit": ("--referrers-limit", "--referrers", "referrers")}


def _inapplicable_options(paths: tuple[Path, ...], *, core_graph: bool, **given: object) -> list[str]:
    """Query options that cannot apply to these inputs, as warnings (the run goes on); a
    UsageError (exit 2) when the inputs hold neither a core nor a snapshot, since then no
    query option can be answered and the user asked for one (docs/usage.md)."""
    from triage.artifacts import CORE, SNAPSHOT, discover

    ctx = click.get_current_context()
    lines = []
    for param, (flag, needs, key) in _ONLY_WITH.items():
        if ctx.get_parameter_source(param) == click.core.ParameterSource.COMMANDLINE and not given[key]:
            lines.append(f"{flag} applies only with {needs}; ignored")
    asked = [f for f in _QUERY_NEEDS if given[f[2:]]]
    if not asked:
        return lines
    kinds = {a.kind for a in discover(list(paths))}
    graph = SNAPSHOT in kinds or (CORE in kinds and core_graph)
    can = {"--inspect": CORE in kinds, "--instances": CORE in kinds,
           "--retainers": graph, "--referrers": graph}
    if not kinds & {CORE, SNAPSHOT}:
        held = " and ".join(_KIND_WORDS.get(k, k) for k in sorted(kinds)) or "no dump"
        raise click.UsageError(f"{', '.join(asked)} {'needs' if len(asked) == 1 else 'need'} "
                               f"{_QUERY_NEEDS[asked[0]]}; the inputs are {held} only")
    for flag in asked:
        if not can[flag]:
            why = " (--no-heap-graph)" if CORE in kinds and flag in ("--retainers", "--referrers") else ""
            lines.append(f"{flag} needs {_QUERY_NEEDS[flag]}, which these inputs do not give{why}; "
                         "ignored")
    return lines
