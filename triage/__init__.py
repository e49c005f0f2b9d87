"""triage: postmortem toolkit for crashed Node.js processes.

Data flows one way: artifact -> loader -> crash model / heap graph ->
analyses -> summary -> redaction -> renderer. See docs/architecture.md.
"""

__version__ = "0.1.0"
