"""`triage export-snapshot CORE -o heap.heapsnapshot`: a core's heap for DevTools and memlab.

The core's reference graph (the one the summary's histogram and suspects come from) is
written as a V8 heap snapshot (`triage/export/heapsnapshot.py`), redacted unless
`--no-redact`, streamed to a 0600 temp file beside the target and renamed when complete.
"""

from __future__ import annotations

from pathlib import Path

import click

from triage.commands.output import check_output, streamed_output


@click.command(name="export-snapshot")
@click.argument("core", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="The .heapsnapshot file to write (refuses existing files unless --force).")
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary the core was made with (default: the path recorded in the core).")
@click.option("--force", is_flag=True, help="Allow --output to replace an existing file.")
@click.option("--redact-policy", type=click.Path(path_type=Path),
              help="Policy file adding names/patterns to redact or allow (docs/redaction.md).")
@click.option("--no-redact", is_flag=True,
              help="Keep string contents. Local use only: the file must not be shared.")
def export_snapshot(core: Path, output: Path, node: Path | None, force: bool,
                    redact_policy: Path | None, no_redact: bool) -> None:
    """Write a core's heap as a V8 heap snapshot (Chrome DevTools Memory panel, memlab)."""
    from triage.coredump import CoreFile, ElfFile
    from triage.export import write_heap_snapshot
    from triage.loaders.core import check_core_binary, choose_binary
    from triage.progress import stage
    from triage.redaction import Policy, Redactor
    from triage.v8 import V8Heap

    check_output(output, (core, node, redact_policy), force)
    policy = Policy.load(redact_policy) if redact_policy else None
    if no_redact:
        click.echo("WARNING: --no-redact: the output contains unredacted secrets from the dump. "
                   "Do not share it.", err=True)
    redactor = Redactor.disabled(policy) if no_redact else Redactor(policy)
    core_file = CoreFile.open(core)  # no threads are unwound: the heap needs no lldb
    binary_path = choose_binary(core_file, node)
    binary = ElfFile(binary_path)
    for warning in check_core_binary(core_file, binary, binary_path):
        click.echo(f"warning: {warning}", err=True)
    heap = V8Heap.open(core_file, binary)
    with stage("Building the core's reference graph"):
        graph = heap.to_heap_graph()
    heap.release_walk()
    with stage(f"Writing {output.name}"), streamed_output(output) as f:
        stats = write_heap_snapshot(graph, f, redactor)
    click.echo(f"wrote {output}: {stats['nodes']:,} nodes, {stats['edges']:,} edges "
               f"({stats['dropped_nodes']:,} unreachable objects left out"
               + ("" if no_redact else f"; {stats['redacted_strings']:,} string contents redacted")
               + ")", err=True)
