"""The Celery application: broker settings that make a lost worker's task come back, and the task.

Conventions for long, memory-hungry tasks (Celery's docs: "Tasks", "Using Redis"):

* `acks_late` + `reject_on_worker_lost`: the message is acknowledged after the task
  returns, so a worker killed mid-task leaves it unacknowledged; Redis hands it to another
  worker once `visibility_timeout` has passed (swept every `unacked_restore_interval` s);
* `worker_prefetch_multiplier = 1`: a worker holds only the tasks it is running, so idle
  workers on other machines get the rest;
* `visibility_timeout` longer than any task can take (its time limit plus the longest retry
  countdown plus a margin), else a running task is handed out a second time;
* the `threads` pool: each slot only waits on the incident's own subprocess (the analysis
  never runs in the worker process), so a thread is all a slot needs;
* JSON only, no result backend: results go to the results directory, not to Redis.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from triage.errors import OutputProblem
from triage.worker.payload import QUEUE, TASK_NAME

RESTORE_INTERVAL = 5  # seconds between sweeps for tasks of lost workers
VISIBILITY_MARGIN = 120
MAX_RETRIES = 100  # Celery's cap for `handle`'s retries; --max-attempts (at most 20) is the real bound


def visibility_timeout(timeout: float, backoff_cap: float) -> int:
    return int(timeout + backoff_cap + VISIBILITY_MARGIN)


def make_app(broker: str, visibility: int | None = None) -> Celery:
    """The app for `triage worker` (with its settings attached later) and `triage submit`."""
    app = Celery("triage", broker=broker, set_as_current=False)
    transport: dict[str, Any] = {"unacked_restore_interval": RESTORE_INTERVAL, "unacked_restore_throttle": 1}
    if visibility is not None:
        transport["visibility_timeout"] = visibility
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_backend=None, task_ignore_result=True,
        task_default_queue=QUEUE, task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1, broker_transport_options=transport,
        broker_connection_retry_on_startup=True, worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_hijack_root_logger=False, worker_redirect_stdouts=False,
    )
    # Results directory or attempt log not writable (disk full, a storage hiccup): Celery's own
    # retry with backoff; the retries decided from an incident's outcome are `handle`'s.
    app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OSError, OutputProblem), max_retries=5, retry_backoff=30, retry_backoff_max=300,
             retry_jitter=True)(_incident_task)
    return app


def _incident_task(self: Any, payload: Any) -> dict[str, Any]:
    from triage.worker.task import Retry, handle

    settings = self.app.triage_settings
    outcome = handle(payload, settings, task_id=self.request.id)
    if isinstance(outcome, Retry):
        raise self.retry(countdown=outcome.countdown, max_retries=MAX_RETRIES)
    return outcome
