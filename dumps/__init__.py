"""Scenario programs that make real Node crashes, and the helpers that run them.

`dumps.nodes` fetches and caches the Node binaries we support; `dumps.crash`
runs a scenario under a given Node and collects the core, report and snapshot
it leaves behind. Tests and benchmarks use both; nothing here is shipped.
"""
