"""One module per `triage` subcommand; `triage/cli.py` registers each one."""
