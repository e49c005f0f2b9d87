"""The document walk: sources, context names, dict keys, counts without values."""

from __future__ import annotations

import copy
import json

from triage.redaction import Redactor

TOKEN = "ghp_" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
EMAIL = "jane.roe@example.com"


def _doc() -> dict:
    return {
        "schema_version": 1,
        "process": {
            "pid": 4242,
            "command_line": ["node", "--password=hunter2", "--token", "abc123", "-p", "pw1",
                             "server.js", "--db=postgres://app:s3cret@db:5432/x"],
            "environment": {"HOME": "/home/app", "DB_PASSWORD": "plainpw", "GH": TOKEN},
            "cwd": "/home/app/service",
            "v8_version": "11.3.244.8-node.16",
        },
        "crash": {"kind": "abort", "message": f"mail to {EMAIL} failed"},
        "histogram": [{"class": "Map", "count": 3, "retained": 1.5, "alive": True}],
        "inspect": {"entries": {EMAIL: "x", "plain": "y"}},
        "report": {"header": {"commandLine": ["node", "--secret=zzz"]}},
        "headers": [{"name": "x-api-key", "value": "k-123"}],
    }


def test_the_input_document_is_not_modified():
    doc = _doc()
    before = copy.deepcopy(doc)
    Redactor().redact_document(doc)
    assert doc == before


def test_numbers_bools_and_none_pass_unchanged():
    out, _ = Redactor().redact_document({"a": 1, "b": 2.5, "c": True, "d": None, "pid": 123})
    assert out == {"a": 1, "b": 2.5, "c": True, "d": None, "pid": 123}


def test_command_line_flags_with_sensitive_names_lose_their_values():
    out, _ = Redactor().redact_document(_doc())
    argv = out["process"]["command_line"]
    assert argv[0] == "node" and argv[6] == "server.js"
    assert argv[1].startswith("--password=[REDACTED:password:")
    assert argv[2] == "--token" and argv[3].startswith("[REDACTED:")
    assert argv[4] == "-p" and argv[5].startswith("[REDACTED:password:")
    assert "s3cret" not in argv[7] and argv[7].startswith("--db=postgres://[REDACTED:url-cred")


def test_a_command_line_given_as_one_string_is_split_on_whitespace():
    out, _ = Redactor().redact_document({"process": {"command_line": "node --token  abc app.js"}})
    line = out["process"]["command_line"]
    assert line.startswith("node --token  [REDACTED:") and line.endswith("] app.js")


def test_env_values_under_sensitive_names_are_replaced_whole():
    out, section = Redactor().redact_document(_doc())
    env = out["process"]["environment"]
    assert env["HOME"] == "/home/app"
    assert env["DB_PASSWORD"].startswith("[REDACTED:password:")
    assert env["GH"].startswith("[REDACTED:github-token:")
    assert section["counts_by_source"]["env"] == 2


def test_dict_keys_are_redacted_by_value_detectors():
    out, _ = Redactor().redact_document(_doc())
    keys = list(out["inspect"]["entries"])
    assert EMAIL not in keys and keys[0].startswith("[REDACTED:email:") and keys[1] == "plain"


def test_a_name_value_pair_uses_the_name_as_context():
    out, _ = Redactor().redact_document(_doc())
    assert out["headers"][0]["name"] == "x-api-key"
    assert out["headers"][0]["value"].startswith("[REDACTED:")


def test_sources_come_from_the_path_in_the_document():
    _, section = Redactor().redact_document(_doc())
    by_source = section["counts_by_source"]
    assert by_source["argv"] == 5  # 4 in process.command_line, 1 in report.header.commandLine
    assert by_source["message"] == 1 and by_source["heap_string"] == 1


def test_an_explicit_source_wins_and_is_removed_from_the_output():
    out, section = Redactor().redact_document({"x": {"_source": "snapshot_string", "s": EMAIL}})
    assert "_source" not in out["x"]
    assert section["counts_by_source"] == {"snapshot_string": 1}


def test_everything_below_a_sensitive_key_is_redacted():
    out, _ = Redactor().redact_document({"credentials": {"user": "bob", "list": ["a1", "b2"]}})
    creds = out["credentials"]
    assert creds["user"].startswith("[REDACTED:") and all(
        v.startswith("[REDACTED:") for v in creds["list"])


def test_a_version_field_is_not_taken_for_an_ip_address():
    out, _ = Redactor().redact_document(_doc())
    assert out["process"]["v8_version"] == "11.3.244.8-node.16"


def test_the_section_has_counts_and_policy_but_never_values():
    _, section = Redactor().redact_document(_doc())
    assert set(section) == {"enabled", "counts_by_category", "counts_by_source", "total", "policy"}
    assert section["enabled"] is True
    assert section["total"] == sum(section["counts_by_category"].values())
    assert section["policy"] == {"file": None, "rules_added": 0, "allows_added": 0}
    blob = json.dumps(section)
    for secret in ("hunter2", "abc123", "plainpw", TOKEN, EMAIL, "s3cret", "zzz", "k-123"):
        assert secret not in blob


def test_no_secret_of_the_document_reaches_the_output():
    out, _ = Redactor().redact_document(_doc())
    blob = json.dumps(out)
    for secret in ("hunter2", "abc123", "pw1", "plainpw", TOKEN, EMAIL, "s3cret", "zzz", "k-123"):
        assert secret not in blob


def test_section_counts_cover_one_document_while_stats_accumulate():
    r = Redactor()
    _, first = r.redact_document({"e": EMAIL})
    _, second = r.redact_document({"e": EMAIL})
    assert first["total"] == second["total"] == 1
    assert r.stats["total"] == 2


def test_disabled_mode_passes_values_and_reports_enabled_false():
    out, section = Redactor.disabled().redact_document({"x": {"_source": "env", "t": TOKEN}})
    assert out == {"x": {"t": TOKEN}}
    assert section["enabled"] is False and section["total"] == 0


def test_buffer_bytes_in_hex_are_redacted_like_text() -> None:
    # inspect shows a buffer's first bytes as hex under `bytes`: the detectors read them
    # as text, and random-looking runs count as key material (no property name to go by)
    from triage.redaction.engine import Redactor

    key = "1EZeXrddMgg1mhzLaPI89Aay6Sa7XXhV6L9uf9D8"
    plain = bytes(range(64)).hex()
    doc = {"objects": {"inspected": [{"address": "0x10", "bytes": (b"id " + key.encode()).hex()},
                                     {"address": "0x20", "bytes": plain}]}}
    out, section = Redactor().redact_document(doc)
    first, second = out["objects"]["inspected"]
    assert first["bytes"].startswith(b"id ".hex() + "[REDACTED:high-entropy:")
    assert key.encode().hex() not in first["bytes"]
    assert second["bytes"] == plain
    assert section["counts_by_category"] == {"high-entropy": 1}


def test_buffer_bytes_cut_at_the_limit_lose_their_last_word() -> None:
    # 64 bytes of a JSON body end inside an email no detector can recognise any more
    from triage.redaction.engine import Redactor

    shown = b'{"id":7,"note":"hello there, general","contact":"jane.roe@exam'
    doc = {"objects": {"inspected": [
        {"address": "0x10", "bytes": shown.hex(), "bytes_truncated": 200},
        {"address": "0x20", "bytes": shown.hex()}]}}
    out, _ = Redactor().redact_document(doc)
    cut, whole = (o["bytes"] for o in out["objects"]["inspected"])
    assert cut == shown[:-len("jane.roe@exam")].hex() + cut[-len("[REDACTED:cut-off:12345678]"):]
    assert cut.endswith("]") and "[REDACTED:cut-off:" in cut
    assert whole == shown.hex()  # not cut: the same bytes stay
