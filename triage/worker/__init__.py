"""Pipeline mode on many machines: `triage worker` takes incident tasks from a Celery broker
(Redis) and runs each exactly as `triage batch` runs one (triage.batch.limited); `triage
submit` queues them. The contract for producers in other languages is in `payload.py` and
docs/pipeline.md.
"""
