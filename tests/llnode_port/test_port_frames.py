"""llnode's frame and stack assertions (test/plugin/frame-test.js, stack-test.js and the
backtrace part of inspect-test.js), on our own scenarios, on every supported Node major.

What llnode checks and where it is checked here:
* frame-test: an `<exit>` frame above the strict function that called process.abort();
  the names of the frames below it (the prototype method named by inference); `this` is
  the global proxy in a sloppy function and `undefined` in a strict one; `v8 source list`
  shows the functions' source lines -> dumps/scenarios/port_frame.js.
* stack-test: each frame's arguments (`this` a Class, a string, `<Number: 1.23>`,
  `null`, `<Smi: 1>`, an Object) -> port_stack.js. llnode asserts function start
  positions (its tests say "line numbers are off"); we assert the positions V8 printed.
* inspect-test (verifyBacktrace, verifyMethodSource, verifyClass): the method frame has
  `this=` and `fn=` addresses; `inspect -s fn` is the method's source; `inspect this` is
  the class instance (x=1, y=123.456, an Object) -> port_method.js.

Each scenario core is loaded once per major into a `Session` (what `triage shell` and
`triage bt|inspect CORE` run), whose answers are redacted documents; the text checks go
through the same renderer the CLI prints with.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, run_triage
from tests.v8.conftest import node_printed_stack
from triage.render.text import render_answer
from triage.session import Session

ABORT_ON_THROW = ("--abort-on-uncaught-exception",)
_SESSIONS: dict[tuple[str, int], tuple[Crash, Session]] = {}
#: V8's `Uncaught` trace lines: `name (file:line:col)`; Node 18 prints them without newlines
_THROWN_FRAME = re.compile(r"([\w.$<>]+(?: \[as \w+\])?) \(([^()\s]+?):(\d+):(\d+)\)")


def loaded(scenario: str, major: int) -> tuple[Crash, Session]:
    key = (scenario, major)
    if key not in _SESSIONS:
        natives = ("--allow-natives-syntax",)
        flags = {"port_frame": (), "port_optimized": natives, "port_optimized_inlined_deep": natives}.get(
            scenario, ABORT_ON_THROW)
        crash = run_scenario(scenario, major, node_flags=flags)
        _SESSIONS[key] = (crash, Session([crash.core_path], node=Path(crash.node)))
    return _SESSIONS[key]


def frames(session: Session) -> list[dict]:
    return session.ask("bt")["js_stack"]["frames"]


def by_name(stack: list[dict], name: str) -> dict:
    return next(f for f in stack if f["function"] == name)


def source_of(session: Session, frame: dict) -> dict:
    return session.ask(f"inspect {frame['function_address']} -s")["objects"]["inspected"][0]["source"]


def script_lines(crash: Crash, first: int, last: int) -> list[str]:
    text = Path(crash.workdir, f"{crash.scenario}.js").read_text().splitlines()
    return text[first - 1:last]


majors = pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])


# -- frame-test.js ------------------------------------------------------------------------


@majors
def test_exit_frame_above_the_function_that_called_abort(major: int) -> None:
    _, session = loaded("port_frame", major)
    stack = frames(session)
    js = [f for f in stack if f["kind"] not in ("exit", "entry")]
    assert [f["function"] for f in js[:4]] == ["stopWithAbort", "(anonymous)", "Gadget.run", "startChain"]
    top = stack.index(js[0])
    assert top > 0 and stack[top - 1]["kind"] == "exit" and stack[top - 1]["function"] == "<exit>"
    assert [f["index"] for f in stack] == list(range(len(stack)))


@majors
def test_entry_frame_below_the_module_code(major: int) -> None:
    """JSEntry: C++ (node's module loader start-up) called into JS below the module frames."""
    _, session = loaded("port_frame", major)
    stack = frames(session)
    assert stack[-1]["kind"] == "entry" and stack[-1]["function"] == "<entry>"
    assert any(f["script"] and f["script"].endswith("port_frame.js") and f["line"] == 32
               for f in stack)  # the module's call of startChain()


@majors
def test_this_is_the_global_proxy_when_sloppy_and_undefined_when_strict(major: int) -> None:
    _, session = loaded("port_frame", major)
    stack = frames(session)
    assert by_name(stack, "startChain")["receiver"]["type"] == "Global proxy"
    strict = by_name(stack, "stopWithAbort")
    assert strict["receiver"]["type"] == "undefined"
    assert strict["argc"] == 0
    assert [a["type"] for a in strict["args"]] == ["undefined"]  # the parameter nobody passed


@majors
def test_frame_positions_are_the_ones_node_printed(major: int) -> None:
    crash, session = loaded("port_frame", major)
    printed = node_printed_stack(crash.stderr)
    js = [f for f in frames(session) if f["kind"] not in ("exit", "entry")]
    ours = {f["function"]: (f["line"], f["column"]) for f in js[:4]}
    if major < 20:
        assert not printed  # Node 18 prints no JS stack on abort
        return
    assert {fn: (line, col) for fn, _, line, col in printed if fn in ours} == \
        {fn: pos for fn, pos in ours.items() if fn != "(anonymous)"}


@majors
def test_source_text_of_the_frames_functions(major: int) -> None:
    """llnode's `v8 source list` on fnFunctionName and fnInferredName: the function's
    lines, numbered as in the file."""
    crash, session = loaded("port_frame", major)
    stack = frames(session)
    outer = source_of(session, by_name(stack, "startChain"))
    assert (outer["start_line"], outer["end_line"]) == (27, 30)
    assert outer["text"].splitlines() == script_lines(crash, 27, 30)
    inferred = source_of(session, by_name(stack, "(anonymous)"))
    assert inferred["text"] == "function () {\n  stopWithAbort();\n}"
    assert (inferred["start_line"], inferred["start_column"]) == (15, 24)
    text = render_answer(session.ask(f"inspect {by_name(stack, 'startChain')['function_address']} -s"))
    assert "  27 function startChain() {\n  28   new Gadget().run();\n" in text


# -- stack-test.js --------------------------------------------------------------------------


@majors
def test_arguments_and_receivers_of_each_frame(major: int) -> None:
    _, session = loaded("port_stack", major)
    stack = frames(session)
    explode = by_name(stack, "explode")
    assert explode["receiver"] | {"address": None} == {"address": None, "type": "Object", "class": "Widget"}
    assert [(a["type"], a.get("value")) for a in explode["args"]] == [
        ("String", "explode args"), ("Number", 1.23), ("null", None)]
    three = by_name(stack, "levelThree")
    assert [(a["type"], a.get("value"), a.get("class")) for a in three["args"]] == [
        ("String", "level three args", None), ("Smi", 1, None), ("Object", None, "Object")]
    assert [(a["type"], a.get("value")) for a in by_name(stack, "levelTwo")["args"]] == [
        ("String", "level two args"), ("Smi", 1)]
    assert by_name(stack, "levelOne")["args"] == [] and by_name(stack, "levelOne")["argc"] == 0


@majors
def test_bt_text_shows_arguments_as_llnode_does(major: int) -> None:
    """stack-test.js's regular expressions, applied to our `bt` text."""
    _, session = loaded("port_stack", major)
    lines = render_answer(session.ask("bt"), width=10_000).splitlines()
    line = {name: next(x for x in lines if re.search(rf"#\d+\s+{name}\(", x))
            for name in ("explode", "levelThree", "levelTwo", "levelOne")}
    assert re.search(r"explode\(this=0x[0-9a-f]+:<Object: Widget>.*explode args.*Number: 1\.23.*null",
                     line["explode"])
    assert re.search(r"levelThree\(.*level three args.*<Smi: 1>.*Object", line["levelThree"])
    assert re.search(r"levelTwo\(.*level two args.*<Smi: 1>", line["levelTwo"])
    assert re.search(r"fn=0x[0-9a-f]+ context=0x[0-9a-f]+", line["levelOne"])


@majors
def test_stack_positions_are_the_ones_v8_printed(major: int) -> None:
    crash, session = loaded("port_stack", major)
    printed = [(int(m[2]), int(m[3])) for m in _THROWN_FRAME.findall(crash.stderr)
               if m[1].endswith("port_stack.js")]
    ours = [(f["line"], f["column"]) for f in frames(session)
            if f["script"] and f["script"].endswith("port_stack.js")]
    assert printed[:5] == [(25, 3), (18, 10), (13, 3), (9, 3), (28, 1)]
    assert ours[:5] == printed[:5]


@majors
def test_every_frame_address_is_inspectable(major: int) -> None:
    _, session = loaded("port_stack", major)
    explode = by_name(frames(session), "explode")
    this = session.ask(f"inspect {explode['receiver']['address']}")["objects"]["inspected"][0]
    assert this["type"] == "Widget"
    fn = session.ask(f"inspect {explode['function_address']}")["objects"]["inspected"][0]
    assert (fn["kind"], fn["function"]) == ("closure", "explode")
    ctx = session.ask(f"inspect {explode['context_address']}")["objects"]["inspected"][0]
    assert ctx["kind"] == "internal" and "variables" in ctx  # read as a Context
    arg = session.ask(f"inspect {explode['args'][0]['address']}")["objects"]["inspected"][0]
    assert (arg["kind"], arg["value"]) == ("string", "explode args")


@majors
def test_an_optimized_frame_has_its_arguments_too(major: int) -> None:
    """Not in llnode's tests (its scenarios run interpreted): TurboFan frames keep the same
    fixed part (argc at fp-24, arguments above the return address)."""
    _, session = loaded("port_optimized", major)
    hot = by_name(frames(session), "hotPath")
    assert hot["kind"] == "optimized"
    assert (hot["argc"], hot["receiver"]["type"]) == (2, "undefined")
    assert [(a["type"], a.get("value")) for a in hot["args"]] == [("Smi", 7), ("String", "optimized call")]


@majors
def test_inlined_frames_in_bt_say_why_they_show_no_values(major: int) -> None:
    """Not in llnode (which lists no inlined functions): `bt` shows each function TurboFan
    inlined as a frame of its own, in V8's order, without this/arguments/fn and saying why."""
    from triage.v8.code import INLINED_VALUES_NOTE

    _, session = loaded("port_optimized_inlined_deep", major)
    text = render_answer(session.ask("bt"), width=10_000)
    lines = [line for line in text.splitlines()
             if re.search(r"#\d+\s+(stopAt|inner|middle|hotLoop)\b", line)]
    assert [re.search(r"#\d+\s+(\w+)", line)[1] for line in lines] == ["stopAt", "inner", "middle", "hotLoop"]
    for line in lines[1:3]:
        assert line.endswith(f"  [{INLINED_VALUES_NOTE}]") and "this=" not in line and "fn=" not in line
    assert "hotLoop(this=" in lines[3] and " fn=0x" in lines[3] and "[optimized]" in lines[3]


# -- inspect-test.js: verifyBacktrace, verifyMethodSource, verifyClass ----------------------


@majors
def test_method_frame_this_fn_and_source(major: int) -> None:
    _, session = loaded("port_method", major)
    text = render_answer(session.ask("bt"), width=10_000)
    match = re.search(r"method\(this=(0x[0-9a-f]+)[^\n]+fn=(0x[0-9a-f]+)", text)
    assert match, text
    this, fn = match[1], match[2]
    source = session.ask(f"inspect -s {fn}")["objects"]["inspected"][0]["source"]
    assert source["text"] == "function method() {\n    throw new Error('Uncaught');\n  }"
    holder = session.ask(f"inspect {this}")["objects"]["inspected"][0]
    assert holder["address"] == this and holder["type"] == "Holder"
    props = holder["properties"]
    assert props["x"] == 1 and props["y"] == 123.456
    assert props["table"]["type"] == "Object"


# -- what cannot be read is said, and the CLI option -----------------------------------------


def test_source_of_a_non_function_says_so() -> None:
    _, session = loaded("port_method", MAJORS[-1])
    this = by_name(frames(session), "method")["receiver"]["address"]
    source = session.ask(f"inspect {this} -s")["objects"]["inspected"][0]["source"]
    assert source == {"error": "Holder is not a function: only functions have source text"}


def test_an_unreadable_value_says_so() -> None:
    from triage.render.facts import js_value_text
    from triage.v8.frames import describe

    _, session = loaded("port_stack", MAJORS[-1])
    value = describe(session.heap, 0x10 | 1)  # a tagged pointer into no mapping of the core
    assert value == {"address": "0x10", "error": "not a readable heap object"}
    assert js_value_text(value) == "0x10:<unreadable: not a readable heap object>"
    assert describe(session.heap, None) == {"error": "stack slot not in the core"}


def test_inspect_source_option_of_the_cli() -> None:
    crash, session = loaded("port_method", MAJORS[-1])
    fn = by_name(frames(session), "method")["function_address"]
    r = run_triage("inspect", crash.core, fn, "--source", "--node", crash.node)
    assert r.code == 0, r.stderr
    assert "  14 function method() {\n  15     throw new Error('Uncaught');\n  16   }\n" in r.stdout


# -- frame values pass redaction ------------------------------------------------------------

SECRET_PART = "Tr0ub4dor-Zq81"  # the password of the URL port_secret_arg.js passes


@majors
def test_a_secret_argument_is_redacted_in_bt(major: int) -> None:
    crash = run_scenario("port_secret_arg", major)
    session = Session([crash.core_path], node=Path(crash.node))
    doc = session.ask("bt")
    arg = by_name(doc["js_stack"]["frames"], "connectTo")["args"][0]
    assert arg["type"] == "String" and "[REDACTED:url-credentials:" in arg["value"]
    assert "db.internal" in arg["value"]
    text = render_answer(doc, width=10_000)
    assert "connectTo(this=" in text and "<Smi: 3>" in text
    assert SECRET_PART not in text and SECRET_PART not in repr(doc)


def test_a_secret_argument_is_redacted_in_the_json_summary() -> None:
    crash = run_scenario("port_secret_arg", MAJORS[-1])
    r = run_triage(crash.core, "--format", "json", "--node", crash.node)
    assert r.code == 0, r.stderr
    stack = r.json["js_stack"]["frames"]
    frame = by_name(stack, "connectTo")
    assert [a["type"] for a in frame["args"]] == ["String", "Smi"]
    assert stack[0]["kind"] == "exit" and stack[1] is frame
    assert SECRET_PART not in r.stdout


def test_the_first_page_keeps_the_short_form() -> None:
    """Names and positions on the first page, `<exit>` included; values only in bt/JSON."""
    crash = run_scenario("port_secret_arg", MAJORS[-1])
    r = run_triage(crash.core, "--node", crash.node)
    assert r.code == 0, r.stderr
    assert re.search(r"#0\s+<exit>\n\s+#1\s+connectTo \(\S*port_secret_arg\.js:7:11\)", r.stdout), r.stdout
    assert "this=" not in r.stdout and SECRET_PART not in r.stdout


@pytest.mark.parametrize("major", [24, 26], ids=["node24", "node26"])
def test_same_frames_and_source_from_derived_facts(major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A V8 with no versions.py entry (TRIAGE_V8_IGNORE_FACTS): the frame values and the
    function source come out the same from the facts derived for it."""
    crash, session = loaded("port_frame", major)
    want = frames(session)
    fn = by_name(want, "startChain")["function_address"]
    want_source = session.ask(f"inspect {fn} -s")["objects"]["inspected"][0]["source"]
    monkeypatch.setenv("TRIAGE_V8_IGNORE_FACTS", "all")
    derived = Session([crash.core_path], node=Path(crash.node))
    assert derived.heap.facts.source == "derived"
    assert frames(derived) == want
    assert derived.ask(f"inspect {fn} -s")["objects"]["inspected"][0]["source"] == want_source
