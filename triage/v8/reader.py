"""Typed reads of single V8 objects: maps, strings, functions, properties.

`heap.py` enumerates objects in bulk; this module decodes one object at a time
for naming (constructor names), inspect and the JS stack. All offsets come from
the exported constants, with the per-version facts (`versions.py`) filling the
gaps. Reads go through `CoreFile` (mmap), so a miss returns None instead of raising:
a core may lack any page, and a half-decoded object beats an exception.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache

from triage.coredump import CoreFile
from triage.v8.constants import V8Constants
from triage.v8.typenames import derive_type_names
from triage.v8.versions import SCOPE_INFO_INLINED_LOCALS_MAX, VersionFacts

# MapBitFields3 / MapBitFields2 bits not exported (map.tq, same in V8 10.2-14.6; checked on
# the test cores: Session maps have new_target_is_base set, Admin maps clear, prototypes
# such as Session.prototype carry is_prototype_map; Node 25/26's ledger cores name 678 Admin).
BIT_FIELD2_NEW_TARGET_IS_BASE = 1 << 0
BIT_FIELD3_IS_PROTOTYPE_MAP = 1 << 20

# A Symbol (V8's name.tq, 10.2 to 14.6): map, hash field (u32), flags (u32, bits per version:
# `VersionFacts.symbol_private_name_bit`), description.
SYMBOL_FLAGS_OFFSET = 12
SYMBOL_DESCRIPTION_OFFSET = 16


@dataclass(frozen=True)
class MapInfo:
    address: int  # tagged
    instance_type: int
    instance_size: int  # bytes, 0 = variable
    inobject_start: int  # words (JS objects)
    bit_field: int
    bit_field2: int
    bit_field3: int
    prototype: int
    constructor_or_back_pointer: int
    descriptors: int

    @property
    def is_dictionary(self) -> bool:
        return bool(self.bit_field3 >> 21 & 1)

    @property
    def own_descriptors(self) -> int:
        return self.bit_field3 >> 10 & 0x3FF

    @property
    def is_prototype_map(self) -> bool:
        return bool(self.bit_field3 & BIT_FIELD3_IS_PROTOTYPE_MAP)

    @property
    def new_target_is_base(self) -> bool:
        return bool(self.bit_field2 & BIT_FIELD2_NEW_TARGET_IS_BASE)

    @property
    def elements_kind(self) -> int:
        return self.bit_field2 >> 2


def address_ref(tagged: int) -> str:
    """The one address format of every output: a heap object's start (its tagged pointer
    less the tag), 0x-prefixed lowercase hex; what --inspect and the shell take back."""
    return f"0x{tagged & ~3:x}"


def is_heap_object(value: int) -> bool:
    return value & 3 == 1


def is_smi(value: int) -> bool:
    return value & 1 == 0


def smi(value: int) -> int:
    v = value >> 32
    return v - (1 << 32) if v >= 1 << 31 else v


class Reader:
    """Decode single objects of one core. Addresses are tagged (low bits 01)."""

    def __init__(self, core: CoreFile, consts: V8Constants, facts: VersionFacts):
        self.core = core
        self.c = consts
        self.facts = facts
        f = consts.field
        self.off_map_type = f("Map", "instance_type", 12)
        self.off_props = f("JSReceiver", "raw_properties_or_hash", 8)
        self.off_elements = f("JSObject", "elements", 16)
        self.off_fn_shared = f("JSFunction", "shared", 24)
        self.off_fn_context = f("JSFunction", "context", 32)
        self.off_sfi_name = f("SharedFunctionInfo", "name_or_scope_info", 16)
        self.off_sfi_script = f("SharedFunctionInfo", "script_or_debug_info") or f(
            "SharedFunctionInfo", "script", 32)
        self.off_script_name = f("Script", "name", 16)
        self.off_script_source = f("Script", "source", 8)
        self.t = consts.types
        first = consts.get("FirstJSFunctionType")
        last = consts.get("LastJSFunctionType")
        if first is None or last is None:
            first, last = facts.js_function_types or (consts.type_id("JS_FUNCTION_TYPE"),) * 2
        self.js_function_range = (first, last)
        self.first_nonstring = consts.get("FirstNonstringType", 128)
        self.type_names = {v: k for k, v in consts.types.items()}
        self.map_type = consts.type_id("MAP_TYPE")
        self.oddball_type = consts.type_id("ODDBALL_TYPE")
        self.heap_number_type = consts.type_id("HEAP_NUMBER_TYPE")
        self.scope_info_type = consts.type_id("SCOPE_INFO_TYPE")
        self.sfi_type = consts.type_id("SHARED_FUNCTION_INFO_TYPE")
        self.script_type = consts.type_id("SCRIPT_TYPE")
        self.global_object_type = consts.type_id("JS_GLOBAL_OBJECT_TYPE")
        self.context_range = (consts.get("FirstContextType", -1), consts.get("LastContextType", -1))
        self.context_cell_type = consts.type_id("CONTEXT_CELL_TYPE")
        #: names of unexported types placed by their neighbours (naming only; the walk and
        #: the graph go by exported names)
        self.derived_type_names = derive_type_names(consts.types, self.js_function_range,
                                                    self.context_range)
        #: a module's context has one more header slot, its `extension` (the module):
        #: its variables start a slot later than a function's (MIN_CONTEXT_EXTENDED_SLOTS)
        self.module_context_type = consts.type_id("MODULE_CONTEXT_TYPE") or next(
            (t for t, n in self.derived_type_names.items() if n == "MODULE_CONTEXT_TYPE"), None)
        self.oddballs: dict[int, str] = {}
        self.map_info = lru_cache(maxsize=65536)(self._map_info)  # type: ignore[method-assign]

    # -- raw reads -----------------------------------------------------------------

    def u64(self, addr: int) -> int | None:
        raw = self.core.try_read(addr, 8)
        return None if raw is None else int.from_bytes(raw, "little")

    def field(self, obj: int, offset: int) -> int | None:
        """The 8-byte field at `offset` of tagged object `obj`."""
        return self.u64(obj - 1 + offset)

    def u32(self, addr: int) -> int | None:
        raw = self.core.try_read(addr, 4)
        return None if raw is None else int.from_bytes(raw, "little")

    def f64(self, addr: int) -> float | None:
        raw = self.core.try_read(addr, 8)
        return None if raw is None else struct.unpack("<d", raw)[0]

    # -- maps and types --------------------------------------------------------------

    def _map_info(self, map_addr: int) -> MapInfo | None:
        raw = self.core.try_read(map_addr - 1, 48)
        if raw is None:
            return None
        w = struct.unpack_from("<6Q", raw)
        return MapInfo(
            address=map_addr, instance_type=int.from_bytes(raw[12:14], "little"),
            instance_size=raw[8] * 8, inobject_start=raw[9], bit_field=raw[14],
            bit_field2=raw[15], bit_field3=int.from_bytes(raw[16:20], "little"),
            prototype=w[3], constructor_or_back_pointer=w[4], descriptors=w[5],
        )

    def map_of(self, obj: int) -> MapInfo | None:
        if not is_heap_object(obj):
            return None
        m = self.u64(obj - 1)
        if m is None or not is_heap_object(m):
            return None
        return self.map_info(m)

    def type_of(self, obj: int) -> int | None:
        m = self.map_of(obj)
        return None if m is None else m.instance_type

    def context_header_slots(self, context_type: int) -> int:
        """Slots before a context's first variable: scope_info, previous, and, for a module's
        context, its extension (read as a variable, every name of an ES module's scope was
        one slot early and its last variable unnamed)."""
        slots = self.c.get("context_min_slots", 2)
        return slots + 1 if context_type == self.module_context_type else slots

    def type_name(self, instance_type: int) -> str:
        return self.type_names.get(instance_type, f"type {instance_type}")

    def is_string_type(self, t: int) -> bool:
        return t < self.first_nonstring

    def is_js_function_type(self, t: int) -> bool:
        return self.js_function_range[0] <= t <= self.js_function_range[1]

    def is_context_type(self, t: int) -> bool:
        return self.context_range[0] <= t <= self.context_range[1]

    def is_js_receiver_type(self, t: int) -> bool:
        if t >= 1024:
            return True
        name = self.type_names.get(t, "")
        return name.startswith("JS_") or name.startswith("WASM_") and name.endswith("OBJECT_TYPE")

    # -- strings ----------------------------------------------------------------------

    def string(self, obj: int, limit: int = 4096, _depth: int = 0) -> str | None:
        """Text of a String object (any representation), cut at `limit` characters."""
        m = self.map_of(obj)
        if m is None or not self.is_string_type(m.instance_type) or _depth > 64:
            return None
        t = m.instance_type
        length = self.u32(obj - 1 + 12)
        if length is None:
            return None
        rep = t & self.c.get("StringRepresentationMask", 7)
        one_byte = (t & self.c.get("StringEncodingMask", 8)) == self.c.get("OneByteStringTag", 8)
        n = min(length, limit)
        if rep == self.c.get("SeqStringTag", 0):
            raw = self.core.try_read(obj - 1 + 16, n if one_byte else 2 * n)
            return _decode(raw, one_byte)
        if rep == self.c.get("ConsStringTag", 1):
            first = self.field(obj, 16)
            second = self.field(obj, 24)
            a = self.string(first, limit, _depth + 1) if first else None
            if a is None:
                return None
            if len(a) >= limit:
                return a[:limit]
            b = self.string(second, limit - len(a), _depth + 1) if second else None
            return None if b is None else (a + b)[:limit]
        if rep == self.c.get("SlicedStringTag", 3):
            parent = self.field(obj, 16)
            offset = self.field(obj, 24)
            if parent is None or offset is None:
                return None
            whole = self.string(parent, smi(offset) + n, _depth + 1)
            return None if whole is None else whole[smi(offset) : smi(offset) + n]
        if rep == self.c.get("ThinStringTag", 5):
            actual = self.field(obj, 16)
            return self.string(actual, limit, _depth + 1) if actual else None
        if rep == self.c.get("ExternalStringTag", 2):
            resource_data = self.field(obj, 24)  # cached data pointer (uncached: via resource)
            if not resource_data:
                resource = self.field(obj, 16)
                off = self.c.node_value("offset_ExternalString__data")
                if resource and off is not None:
                    resource_data = self.u64(resource + off)
            if not resource_data:
                return None
            raw = self.core.try_read(resource_data, n if one_byte else 2 * n)
            return _decode(raw, one_byte)
        return None

    def string_kind(self, t: int) -> str:
        rep = t & 7
        enc = "one-byte" if t & 8 else "two-byte"
        kind = {0: "seq", 1: "cons", 2: "external", 3: "sliced", 5: "thin"}.get(rep, "?")
        return f"{kind} {enc}"

    # -- functions ----------------------------------------------------------------------

    def sfi_name(self, sfi: int) -> str | None:
        """Function name from SharedFunctionInfo.name_or_scope_info (a String or ScopeInfo)."""
        v = self.field(sfi, self.off_sfi_name)
        if v is None or not is_heap_object(v):
            return None
        t = self.type_of(v)
        if t is None:
            return None
        if self.is_string_type(t):
            return self.string(v, 256)
        if t == self.scope_info_type:
            return self.scope_info_function_name(v)
        return None

    def scope_info_slot_base(self) -> int:
        """Byte offset of ScopeInfo variable slot 0 (`scopeinfo_idx_first_vars`)."""
        return 8 * (self.c.get("scopeinfo_idx_first_vars", 3) + 1)

    def scope_info_locals(self, si: int) -> list[str] | None:
        """Context-local names of a ScopeInfo, None when stored in a hash table (75 or more)."""
        n = self.field(si, 8 * (self.c.get("scopeinfo_idx_ncontextlocals", 2) + 1))
        if n is None or not is_smi(n):
            return None
        count = smi(n)
        if count < 0 or count >= SCOPE_INFO_INLINED_LOCALS_MAX:
            return None
        base = self.scope_info_slot_base()
        first = self.field(si, base)
        if count and first is not None and is_smi(first):
            # a module's ScopeInfo counts its module variables first (V8 12+): one Smi
            # before the names, where a name is never a Smi
            base += 8
        names = []
        for i in range(count):
            v = self.field(si, base + 8 * i)
            names.append((self.string(v, 256) if v is not None else None) or "?")
        return names

    def scope_info_function_name(self, si: int) -> str | None:
        n = self.field(si, 8 * (self.c.get("scopeinfo_idx_ncontextlocals", 2) + 1))
        if n is None or not is_smi(n):
            return None
        count = smi(n)
        slots = 1 if count >= SCOPE_INFO_INLINED_LOCALS_MAX else 2 * count
        base = self.scope_info_slot_base() + 8 * slots
        for i in range(self.facts.scope_info_names_after_locals):
            v = self.field(si, base + 8 * i)
            if v is None or not is_heap_object(v):
                continue
            t = self.type_of(v)
            if t is not None and self.is_string_type(t):
                s = self.string(v, 256)
                if s:
                    return s
        return None

    def function_sfi(self, fn: int) -> int | None:
        v = self.field(fn, self.off_fn_shared)
        return v if v is not None and is_heap_object(v) else None

    def function_name(self, fn: int) -> str | None:
        sfi = self.function_sfi(fn)
        return None if sfi is None else self.sfi_name(sfi)

    def sfi_script(self, sfi: int) -> int | None:
        v = self.field(sfi, self.off_sfi_script)
        if v is None or not is_heap_object(v):
            return None
        t = self.type_of(v)
        if t == self.script_type:
            return v
        # V8 < 12: script_or_debug_info may hold a DebugInfo whose first field is the SFI
        # and second the script; try the field after the map words generically.
        for off in (16, 24, 8):
            s = self.field(v, off)
            if s is not None and is_heap_object(s) and self.type_of(s) == self.script_type:
                return s
        return None

    def script_name(self, script: int) -> str | None:
        v = self.field(script, self.off_script_name)
        return None if v is None else self.string(v, 4096)

    # -- named properties ----------------------------------------------------------------

    def own_properties(self, obj: int, limit: int = 10_000) -> list[tuple[str, int, str]] | None:
        """(name, tagged value, where) of an object's own named data properties.

        `where` is "in-object", "out-of-object", "descriptor" or "dictionary". Accessor
        properties are reported with the AccessorPair as value. None if unreadable.
        """
        m = self.map_of(obj)
        if m is None:
            return None
        props = self.field(obj, self.off_props)
        if m.is_dictionary:
            if props is None or not is_heap_object(props):
                return []
            global_dict = self.type_of(obj) == self.global_object_type
            return self.dictionary_entries(props, limit, global_dict=global_dict)
        n = m.own_descriptors
        d = m.descriptors
        if not n or not is_heap_object(d):
            return []
        hdr = self.c.get("class_DescriptorArray__header_size__uintptr_t") or 24
        esize = 8 * self.c.get("prop_desc_size", 3)
        raw = self.core.try_read(d - 1 + hdr, esize * n)
        if raw is None:
            return None
        inobject = m.instance_size // 8 - m.inobject_start
        out = []
        loc_shift = self.c.get("prop_location_shift", 0)
        loc_mask = self.c.get("prop_location_mask", 0)
        idx_shift = self.c.get("prop_index_shift", 0)
        idx_mask = self.c.get("prop_index_mask", 0)
        field_loc = self.c.get("prop_location_Field", 0)
        for i in range(min(n, limit)):
            key, details, value = struct.unpack_from("<3Q", raw, i * esize)
            name = self.property_key(key)
            det = smi(details)
            if (det & loc_mask) >> loc_shift == field_loc and loc_mask:
                index = (det & idx_mask) >> idx_shift
                if index < inobject:
                    v = self.field(obj, 8 * (m.inobject_start + index))
                    where = "in-object"
                else:
                    v = None
                    if props is not None and is_heap_object(props):
                        v = self.field(props, 16 + 8 * (index - inobject))
                    where = "out-of-object"
            else:
                v = value
                where = "descriptor"
            if v is not None:
                out.append((name, v, where))
        return out

    def dictionary_entries(self, table: int, limit: int = 10_000, *,
                           global_dict: bool = False) -> list[tuple[str, int, str]]:
        """Entries of a NameDictionary, or of a global object's GlobalDictionary (its type
        is not exported), as (key, value, "dictionary")."""
        cap, length = self.field(table, 16 + 8 * 2), self.field(table, 8)
        if cap is None or not is_smi(cap) or length is None or not is_smi(length):
            return []
        capacity = smi(cap)
        # a GlobalDictionary holds one PropertyCell per entry after a shorter prefix than a
        # NameDictionary's: the entries are the table's last `capacity * esize` words
        esize = self.c.get("globaldictionaryshape_entry_size" if global_dict
                           else "namedictionaryshape_entry_size", 1 if global_dict else 3)
        start = 2 + smi(length) - esize * capacity  # in words from the table's start
        if capacity <= 0 or not 5 <= start <= 5 + 4:
            return []
        raw = self.core.try_read(table - 1 + 8 * start, 8 * esize * capacity)
        if raw is None:
            return []
        out = []
        for i in range(capacity):
            key = struct.unpack_from("<Q", raw, 8 * esize * i)[0]
            if not is_heap_object(key):
                continue
            if global_dict:  # GlobalDictionary entries are PropertyCells: name +8, value +24
                cell = key
                name_v = self.field(cell, 8)
                value = self.field(cell, 24)
                if name_v is None or value is None:
                    continue
                name = self.property_key(name_v)
                if name is None:
                    continue
                out.append((name, value, "dictionary"))
            else:
                name = self.property_key(key)
                if name is None:
                    continue
                value = struct.unpack_from("<Q", raw, 8 * esize * i + 8)[0]
                out.append((name, value, "dictionary"))
            if len(out) >= limit:
                break
        return out

    def property_key(self, key: int) -> str | None:
        t = self.type_of(key)
        if t is None:
            return None
        if self.is_string_type(t):
            return self.string(key, 1024)
        if self.type_name(t) == "SYMBOL_TYPE":
            return f"Symbol({self.symbol_description(key)})"
        return None

    def symbol_description(self, symbol: int) -> str:
        """A Symbol's description text, "" when it has none (`Symbol()`)."""
        desc = self.field(symbol, SYMBOL_DESCRIPTION_OFFSET)
        return (self.string(desc, 256) if desc is not None else None) or ""

    def symbol_flags(self, symbol: int) -> int | None:
        """The flags word of Symbol `symbol` (which bit means what differs by version)."""
        return self.u32(symbol - 1 + SYMBOL_FLAGS_OFFSET)

    def is_private_name(self, symbol: int) -> bool:
        """Is `symbol` the key of a class's private field (`#sessions`), not a public
        Symbol whose description starts with `#`? V8's snapshot tells them apart so."""
        flags = self.symbol_flags(symbol)
        return flags is not None and bool(flags & self.facts.symbol_private_name_bit)

    def get_property(self, obj: int, name: str, chain: int = 8) -> int | None:
        """Value of data property `name` on `obj` or its prototype chain (like a JS get)."""
        seen = 0
        while obj is not None and is_heap_object(obj) and seen < chain:
            props = self.own_properties(obj)
            for key, value, _ in props or ():
                if key == name:
                    return value
            m = self.map_of(obj)
            if m is None:
                return None
            obj = m.prototype
            seen += 1
        return None

    # -- values --------------------------------------------------------------------------

    def context_slot_value(self, v: int) -> int:
        """The value of a context slot: V8 14 boxes some `let` variables in a ContextCell
        (tagged value at +8; seen holding Smis and objects on the Node 26 cores), older
        V8s store the value itself."""
        if self.context_cell_type is not None and is_heap_object(v) \
                and self.type_of(v) == self.context_cell_type:
            inner = self.field(v, 8)
            return v if inner is None else inner
        return v

    def oddball_name(self, obj: int) -> str | None:
        if obj in self.oddballs:
            return self.oddballs[obj]
        ts = self.field(obj, self.c.field("Oddball", "to_string", 16))
        s = self.string(ts, 32) if ts is not None else None
        if s is not None:
            self.oddballs[obj] = s
        return s

    def number(self, obj: int) -> float | None:
        return self.f64(obj - 1 + self.c.field("HeapNumber", "value", 8))


def _decode(raw: bytes | None, one_byte: bool) -> str | None:
    if raw is None:
        return None
    if one_byte:
        return raw.decode("latin-1")
    return raw.decode("utf-16-le", "replace")
