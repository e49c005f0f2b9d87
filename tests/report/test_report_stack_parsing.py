"""Parsing of V8 stack lines and native `symbol` strings, including the odd shapes."""

from __future__ import annotations

from triage.loaders.report import parse_js_stack, parse_native_frame


def _one(line: str):
    frames, unparsed = parse_js_stack([line])
    assert unparsed == 0, line
    (f,) = frames
    return f.function, f.script, f.line, f.column


def test_named_frame() -> None:
    assert _one("at fn (/srv/app/a.js:10:5)") == ("fn", "/srv/app/a.js", 10, 5)


def test_alias_async_new() -> None:
    assert _one("at Timeout.onTimer [as _onTimeout] (/a.js:1:2)")[0] == "Timeout.onTimer"
    assert _one("at async handle (/a.js:3:4)") == ("handle", "/a.js", 3, 4)
    assert _one("at new Session (/a.js:5:6)")[0] == "Session"


def test_anonymous_and_bare_locations() -> None:
    assert _one("at /srv/app/a.js:7:8") == ("(anonymous)", "/srv/app/a.js", 7, 8)
    assert _one("at [worker eval]:3:5") == ("(anonymous)", "[worker eval]", 3, 5)
    assert _one("at file:///srv/app/m.mjs:2:9") == ("(anonymous)", "file:///srv/app/m.mjs", 2, 9)
    assert _one("at async Promise.all (index 0)") == ("Promise.all", "index 0", None, None)
    assert _one("at Array.map (<anonymous>)") == ("Array.map", "<anonymous>", None, None)


def test_windows_path_and_parens_in_path() -> None:
    assert _one(r"at f (C:\app (x)\a.js:1:2)") == ("f", r"C:\app (x)\a.js", 1, 2)


def test_eval_frame() -> None:
    got = _one("at eval (eval at run (/srv/a.js:4:3), <anonymous>:1:7)")
    assert got == ("eval", "<anonymous>", 1, 7)


def test_unavailable_and_garbage() -> None:
    assert parse_js_stack(["Unavailable."]) == ([], 0)
    frames, unparsed = parse_js_stack(["at ok (/a.js:1:1)", "garbage", "at broken (x"])
    assert [f.function for f in frames] == ["ok"] and unparsed == 2
    assert [f.index for f in parse_js_stack(["at a (/a:1:1)", "at b (/b:2:2)"])[0]] == [0, 1]


def test_native_frames() -> None:
    f = parse_native_frame(0, {"pc": "0x0000000000a08534",
                               "symbol": "node::OOMErrorHandler(char const*, bool) [/bin/node]"})
    assert (f.pc, f.function, f.module) == (0xA08534, "node::OOMErrorHandler(char const*, bool)",
                                            "/bin/node")
    f = parse_native_frame(1, {"pc": "0x1", "symbol": " [/usr/bin/node]"})
    assert (f.function, f.module) == (None, "/usr/bin/node")
    symbol = "std::vector<int>::operator[](x) [/lib/a.so]"
    f = parse_native_frame(2, {"pc": "0x2", "symbol": symbol})
    assert (f.function, f.module) == ("std::vector<int>::operator[](x)", "/lib/a.so")
    f = parse_native_frame(3, {"pc": "zz", "symbol": "uv_run"})
    assert (f.pc, f.function, f.module) == (0, "uv_run", None)
