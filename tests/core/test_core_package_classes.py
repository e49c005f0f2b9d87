"""A leak through an installed package is said in the program's terms, on real cores and
GC'd snapshots of every major: the program's class leads over the package's own records,
and the holder is the program's name for it, not a variable of the package's code.
Field findings (December 2026): bluebird's pending promise was "3,001 Promise objects are
linked to one another ... the Promise `promise`" (dumps/scenarios/leak_package_promise.js),
and eventemitter3's listener records, "3,000 EE objects", led over the Connections they
keep (dumps/scenarios/leak_package_listener_context.js)."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

promise = crashes_with_snapshots("leak_package_promise")
listeners = crashes_with_snapshots("leak_package_listener_context")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_programs_class_leads_over_a_packages_promises(promise, artifact):
    suspect = top_suspect(artifact_path(promise, artifact))
    assert (suspect["type"], suspect["accumulation_point"]["count"]) == ("Job", 3000)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_holder_is_the_programs_global_not_the_packages_variable(promise, artifact):
    suspect = top_suspect(artifact_path(promise, artifact))
    assert suspect["accumulation_point"]["holder"] == "(global).gate"


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_listeners_contexts_lead_over_the_packages_records(listeners, artifact):
    suspect = top_suspect(artifact_path(listeners, artifact))
    assert suspect_facts(suspect) == ("Connection", "listener-accumulation",
                                      "(global).bus._events.message", 3000)
