"""The `v8dbg_*` / `nodedbg_*` postmortem constants of one Node binary.

V8 exports the layout facts a debugger needs as symbols in the node binary. Their
names carry a type suffix that changed in V8 12 (`__Object` became
`__Tagged_Object_`), so fields are looked up by the prefix `class_<Class>__<field>__`
and the suffix is ignored. `nodedbg_*` values are filled in at start-up, so they must
be read from the core's memory, never from the file (where they are zero).
"""

from __future__ import annotations

import struct

from triage.coredump import CoreFile, ElfFile

_VERSION_SYMBOLS = {
    "major": "_ZN2v88internal7Version6major_E",
    "minor": "_ZN2v88internal7Version6minor_E",
    "build": "_ZN2v88internal7Version6build_E",
    "patch": "_ZN2v88internal7Version6patch_E",
}


class V8Constants:
    """Constants of one binary: `get`, `field`, `type_id`, plus the node ones from the core."""

    def __init__(self, binary: ElfFile, core: CoreFile | None = None):
        self.values: dict[str, int] = {}
        self.node: dict[str, int] = {}
        for name, sym in binary.symbols_with_prefix("v8dbg_").items():
            value = _read_int(binary.read_vaddr(sym.value, sym.size or 4), sym.size or 4)
            if value is not None:
                self.values[name[6:]] = value
        if core is not None:
            for name, sym in binary.symbols_with_prefix("nodedbg_").items():
                raw = core.try_read(sym.value, sym.size or 4)
                value = _read_int(raw, sym.size or 4)
                if value is not None:
                    self.node[name[8:]] = value
        self.types: dict[str, int] = {}
        for name, value in self.values.items():
            if name.startswith("type_"):
                self.types[name.rsplit("__", 1)[-1]] = value
        self._fields: dict[tuple[str, str], int | None] = {}
        self.version = _version(binary)

    def __len__(self) -> int:
        return len(self.values)

    def get(self, name: str, default: int | None = None) -> int | None:
        return self.values.get(name, default)

    def field(self, cls: str, field: str, default: int | None = None) -> int | None:
        """Offset of `Class::field`, whatever its type suffix in this V8 version."""
        key = (cls, field)
        if key not in self._fields:
            prefix = f"class_{cls}__{field}__"
            hits = sorted(v for n, v in self.values.items() if n.startswith(prefix))
            self._fields[key] = hits[0] if hits else None
        value = self._fields[key]
        return default if value is None else value

    def type_id(self, name: str) -> int | None:
        """Instance type number of e.g. `JS_OBJECT_TYPE`, None when not exported."""
        return self.types.get(name)

    def pointer_compression(self) -> str | None:
        """One line when this V8 was built with pointer compression, else None.

        A compressed build stores 4-byte tagged slots (`v8dbg_TaggedSize` 4) and 31-bit
        Smis in the low half (`SmiShiftSize` 0) relative to a cage base; the reader assumes
        8-byte slots and Smis in the upper half, as every official Node build has
        (TaggedSize 8, SmiShiftSize 31 on Node 18-26). Such a heap is out of scope.
        """
        tagged, shift = self.get("TaggedSize"), self.get("SmiShiftSize")
        if tagged == 4 or (tagged is None and shift == 0):
            return (f"pointer-compressed V8 build (v8dbg_TaggedSize {tagged}, SmiShiftSize "
                    f"{shift}): its heap and JS stack are not read (not supported yet)")
        return None

    def node_value(self, suffix_prefix: str) -> int | None:
        """A `nodedbg_` value read from the core, looked up by name prefix."""
        for name, value in self.node.items():
            if name.startswith(suffix_prefix):
                return value
        return None


def _read_int(raw: bytes | None, size: int) -> int | None:
    if raw is None or len(raw) < size:
        return None
    if size == 8:
        return struct.unpack("<q", raw[:8])[0]
    if size == 2:
        return struct.unpack("<h", raw[:2])[0]
    if size == 1:
        return raw[0]
    return struct.unpack("<i", raw[:4])[0]


def _version(binary: ElfFile) -> tuple[int, int, int, int] | None:
    parts = []
    for key in ("major", "minor", "build", "patch"):
        sym = binary.symbol(_VERSION_SYMBOLS[key])
        if sym is None:
            return None
        value = _read_int(binary.read_vaddr(sym.value, 4), 4)
        if value is None:
            return None
        parts.append(value)
    return (parts[0], parts[1], parts[2], parts[3])
