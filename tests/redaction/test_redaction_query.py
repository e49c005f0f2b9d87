"""Query output (`--inspect`, `--retainers`, `--instances`) is redacted like the summary.

The documents here have the exact shape triage/v8/inspect.py and
triage/analyses/retainer_query.py produce; the real thing, on real cores of a real
service, is checked by tests/gate/test_gate_service.py.
"""

from __future__ import annotations

import json

import pytest

from triage.redaction import Redactor

KEY = b"q" * 32
TOKEN = "4f0IBZMCCGn4KUKiTURl5i169iFRs1Kmm1NPjugp"  # opaque: no vendor format
SID = "s:g4xarI6F3H_r-up8cUb1ErTHEZnVwX5l.fiA5nYQnLqFWfDNJGhjaIFw40YUcYqvc4"
PASSWORD = "Hunter2-x8Kq2mPz"
CARD = 4539148803436467  # Luhn-valid Visa, exact as a double


def _obj(type_: str, properties: dict, **extra) -> dict:
    return {"address": "0x1f2e3d4c5b60", "type": type_, "instance_type": "JS_OBJECT_TYPE",
            "kind": "object", "map": "0x3a4b5c6d7e80", "dictionary_mode": False,
            "properties": properties,
            "property_storage": {k: "in-object" for k in properties}, **extra}


def _inspect(*objects: dict) -> dict:
    return {"objects": {"inspected": list(objects)}}


def _redact(doc: dict) -> tuple[dict, str]:
    out, _ = Redactor(key=KEY).redact_document(doc)
    return out, json.dumps(out)


def test_a_sensitive_name_hides_data_at_any_depth_but_keeps_the_structure():
    inner = _obj("Object", {"scheme": "Bearer", "token": TOKEN})
    headers = _obj("Object", {"authorization": inner, "host": "127.0.0.1:8080"})
    out, text = _redact(_inspect(_obj("RequestRecord", {"headers": headers})))
    assert TOKEN not in text
    auth = out["objects"]["inspected"][0]["properties"]["headers"]["properties"]["authorization"]
    assert auth["type"] == "Object" and auth["address"] == "0x1f2e3d4c5b60"
    assert auth["property_storage"] == {"scheme": "in-object", "token": "in-object"}


def test_in_object_under_an_authorization_property_is_structure():
    out, _ = _redact(_inspect(_obj("Headers", {"authorization": "Bearer " + TOKEN})))
    assert out["objects"]["inspected"][0]["property_storage"] == {"authorization": "in-object"}


def test_a_secret_used_as_a_property_name_is_hidden_in_properties_and_storage():
    out, text = _redact(_inspect(_obj("Object", {TOKEN: "jane@example.com"})))
    assert TOKEN not in text
    obj = out["objects"]["inspected"][0]
    (name,) = obj["properties"]
    assert name.startswith("[REDACTED:opaque-key:")
    assert list(obj["property_storage"]) == [name]  # the same key, the same tag


def test_map_keys_are_values_and_name_the_map_value():
    entries = [{"key": SID, "value": _obj("Session", {"user": "u1"})},
               {"key": "password", "value": PASSWORD},
               {"key": "user-42", "value": "plain"}]
    obj = {**_obj("Map", {}), "kind": "map", "size": 3, "entries": entries}
    out, text = _redact(_inspect(obj))
    assert SID not in text and PASSWORD not in text
    got = out["objects"]["inspected"][0]["entries"]
    assert got[0]["key"].startswith("[REDACTED:") and got[0]["value"]["type"] == "Session"
    assert got[1]["key"] == "password" and got[1]["value"].startswith("[REDACTED:password:")
    assert got[2] == {"key": "user-42", "value": "plain"}


def test_below_a_sensitive_holder_keys_that_are_not_plain_names_go():
    sessions = {**_obj("Map", {}), "entries": [{"key": "abc_42_zz", "value": "x"}]}
    out, text = _redact(_inspect(_obj("Store", {"sessions": sessions})))
    entry = out["objects"]["inspected"][0]["properties"]["sessions"]["entries"][0]
    assert entry["key"].startswith("[REDACTED:") and entry["value"].startswith("[REDACTED:")


def test_numbers_that_are_cards_ssns_and_phones_are_hidden():
    props = {"card": CARD, "ssn": 219099999, "phone": 4155550142, "total": 4111111111111111,
             "numbers": {**_obj("Array", {}), "elements": [float(CARD), 7, 219099999]},
             "retries": 3, "port": 8080, "hits": 5}
    out, text = _redact(_inspect(_obj("Customer", props)))
    got = out["objects"]["inspected"][0]["properties"]
    assert got["card"].startswith("[REDACTED:card-number:")
    assert got["ssn"].startswith("[REDACTED:ssn:")
    assert got["phone"].startswith("[REDACTED:phone:")
    assert got["numbers"]["elements"][0].startswith("[REDACTED:card-number:")
    assert got["numbers"]["elements"][1] == 7
    assert got["numbers"]["elements"][2].startswith("[REDACTED:ssn:")  # a copy of the ssn
    assert (got["retries"], got["port"], got["hits"]) == (3, 8080, 5)
    assert got["total"] == 4111111111111111  # a measure name: a sum, not a card
    assert "219099999" not in text and "4155550142" not in text


def test_the_tools_own_counts_and_ids_are_never_redacted():
    doc = {"retainers": {"query": "Session", "matched": 1, "targets": [
        {"node": {"type": "Session", "id": 36893488147419, "ref": "0x218dfd5f55e8"},
         "reachable": True, "retained_bytes": 4539148803436467, "holder": None, "paths": []}]}}
    out, _ = _redact(doc)
    assert out == doc


def test_header_name_value_arrays_give_the_value_its_name():
    raw_headers = ["Host", "127.0.0.1:8080", "X-Api-Key", TOKEN[:32], "Accept", "*/*"]
    out, text = _redact(_inspect(_obj("Req", {"rawHeaders": {**_obj("Array", {}),
                                                             "elements": raw_headers}})))
    got = out["objects"]["inspected"][0]["properties"]["rawHeaders"]["elements"]
    assert TOKEN[:32] not in text
    assert got[0:3] == ["Host", "127.0.0.1:8080", "X-Api-Key"] and got[4:] == ["Accept", "*/*"]


def test_a_private_key_split_into_lines_is_hidden_line_by_line():
    body = ["MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
            "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK"]
    lines = ["-----BEGIN RSA PRIVATE KEY-----", *body, "-----END RSA PRIVATE KEY-----", ""]
    out, text = _redact(_inspect(_obj("KeyRing", {"lines": {**_obj("Array", {}),
                                                            "elements": lines}})))
    got = out["objects"]["inspected"][0]["properties"]["lines"]["elements"]
    assert not any(b in text for b in body)
    assert got[0] == lines[0] and got[-2:] == lines[-2:]  # the markers say what it was


def test_a_copy_without_context_gets_the_tag_of_the_original():
    props = {"password": PASSWORD, "wide": f"\u20ac{PASSWORD}\u20ac", "note": "see ticket 42"}
    out, text = _redact(_inspect(_obj("Record", props)))
    got = out["objects"]["inspected"][0]["properties"]
    assert PASSWORD not in text
    assert got["wide"] == f"\u20ac{got['password']}\u20ac"
    assert got["note"] == "see ticket 42"


def test_a_percent_encoded_cookie_links_to_the_decoded_map_key():
    cookie = "connect.sid=s%3Ag4xarI6F3H_r-up8cUb1ErTHEZnVwX5l.fiA5nYQnLq; theme=dark"
    props = {"cookie": cookie, "last": "s:g4xarI6F3H_r-up8cUb1ErTHEZnVwX5l.fiA5nYQnLq"}
    out, text = _redact(_inspect(_obj("Record", props)))
    assert "g4xarI6F3H" not in text


def test_retainer_labels_and_holders_hide_quoted_keys_even_when_cut():
    path = [{"node": {"type": "Map", "name": "Map", "id": 1}, "edge": None},
            {"node": {"type": "Session", "name": "Session", "id": 2},
             "edge": {"type": "collection", "label": f"Map entry '{SID[:37]}...'"}}]
    doc = {"retainers": {"query": "Session", "matched": 1, "targets": [
        {"node": {"type": "Session", "id": 2, "ref": "0x2"}, "reachable": True,
         "retained_bytes": 10, "holder": f"cache['{SID}']", "paths": [path]}]}}
    out, text = _redact(doc)
    assert SID[:20] not in text
    target = out["retainers"]["targets"][0]
    assert target["holder"].startswith("cache['[REDACTED:opaque-key:")
    assert target["paths"][0][1]["edge"]["label"].startswith("Map entry '[REDACTED:")


@pytest.mark.parametrize("field", [".", ".#"], ids=["property", "private-field"])
def test_a_holder_hides_an_opaque_field_name(field: str):
    name = f"k{TOKEN}"  # an identifier: no leading digit
    doc = {"retainers": {"query": "Session", "matched": 1, "targets": [
        {"node": {"type": "Session", "id": 2, "ref": "0x2"}, "reachable": True,
         "retained_bytes": 10, "holder": f"registry{field}{name}.entries", "paths": []}]}}
    out, text = _redact(doc)
    assert TOKEN not in text
    assert out["retainers"]["targets"][0]["holder"].startswith(f"registry{field}[REDACTED:")


def test_version_strings_are_never_ipv4():
    versions = {"node": "v20.20.2", "v8": "11.3.244.8-node.38", "v26": "14.6.202.34-node.40",
                "banner": "Node v26.1.0 V8 14.6.202.34", "text": "built with v8 12.4.254.21"}
    out, _ = _redact(_inspect(_obj("Config", versions)))
    assert out["objects"]["inspected"][0]["properties"] == versions
    warning, _ = _redact({"warnings": ["llnode was built for V8 14.6.202.34"]})
    assert warning["warnings"] == ["llnode was built for V8 14.6.202.34"]
    real, _ = _redact({"warnings": ["connection from 10.2.3.4 refused"]})
    assert "10.2.3.4" not in real["warnings"][0]


def test_cloud_keys_without_a_telling_name():
    config = {"sentry": "https://8f2a61c0d9e34b5c9a7e1d2f3b4c5d6e@o123456.ingest.sentry.io/4507",
              "mail": "key-3a06e1bd29fd6fd54cc373a0f0a8e0b1",
              "integrations": {**_obj("Array", {}), "elements": [
                  _obj("Object", {"provider": "heroku", "key": "6b0c4a9e-1f2d-4c3b-8a7e-9d0f1e2c3b4a"})]}}
    out, text = _redact(_inspect(_obj("ServiceConfig", config)))
    assert "8f2a61c0d9e34b5c9a7e1d2f3b4c5d6e" not in text
    assert "3a06e1bd29fd6fd54cc373a0f0a8e0b1" not in text
    assert "6b0c4a9e-1f2d-4c3b-8a7e-9d0f1e2c3b4a" not in text
    assert "ingest.sentry.io" in text  # the host stays


def test_no_redact_shows_query_values():
    doc = _inspect(_obj("Object", {TOKEN: CARD, "password": PASSWORD}))
    out, _ = Redactor.disabled().redact_document(doc)
    assert out == doc


def test_property_addresses_hide_a_secret_name_and_keep_the_addresses():
    # inspect's `property_addresses` is keyed by the same heap names as `properties`
    doc = _inspect(_obj("Headers", {TOKEN: "plain", "authorization": "Bearer " + TOKEN},
                        property_addresses={TOKEN: "0x1f2e3d4c5c00", "authorization": "0x1f2e3d4c5d00"},
                        prototype="0x1f2e3d4c5e00"))
    out, text = _redact(doc)
    assert TOKEN not in text
    obj = out["objects"]["inspected"][0]
    (name, _) = obj["properties"]
    assert name.startswith("[REDACTED:opaque-key:")
    assert obj["property_addresses"] == {name: "0x1f2e3d4c5c00", "authorization": "0x1f2e3d4c5d00"}
    assert obj["prototype"] == "0x1f2e3d4c5e00"
