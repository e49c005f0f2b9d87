"""Pipeline mode: many incidents in, one redacted, fingerprinted result per incident out.

Public API (docs/pipeline.md):

* `process_incident(paths, out_dir, ...) -> dict` - the unit of work: one incident's
  uploads in, its result file (and index line) out; safe to call from a job queue;
* `run_batch(inbox, out, BatchOptions(...)) -> BatchReport` - `triage batch`: an inbox
  of uploads, grouped into incidents, each run in its own worker process with limits;
* `Inbox` / `make_incident` - how uploads are grouped and identified by content.
"""

from triage.batch.inbox import Inbox, Incident, Upload, make_incident
from triage.batch.incident import process_incident
from triage.batch.runner import BatchOptions, BatchReport, run_batch

__all__ = ["BatchOptions", "BatchReport", "Inbox", "Incident", "Upload", "make_incident", "process_incident",
           "run_batch"]
