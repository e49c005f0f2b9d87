"""Per-V8-version facts the node binary does not export, in one place.

Everything V8 exports as a `v8dbg_*` constant is read from the binary
(`constants.py`); this table holds only what is missing there, one entry per V8
minor shipped by a Node major (10.2 / 11.3 / 12.4 / 13.6 / 14.6 = Node 18 / 20 / 22 / 24
/ 26). A V8 with no entry is read with facts derived from the binary and the core
(`calibrate.py`); the table is then what those derivations are checked against.
Each fact carries a note of how it was verified. Several facts are also checked
against the data when a core is opened (page headers must point at themselves,
meta maps must be self-referential, the source-position-table field must decode),
so a wrong entry shows up as a degraded capability, not as silently wrong counts.
How to add a new Node major: docs/v8-versions.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageLayout:
    """Where a memory chunk keeps its facts (offsets in bytes, all 8-byte words).

    `metadata_pointer` is set from V8 13 on: the chunk holds only flags and a pointer
    to a malloc'ed `MemoryChunkMetadata`, which holds the other fields.
    """

    flags: int
    area_start: int
    area_end: int
    heap: int
    self_pointer: int | None = None  # word holding the chunk's own address
    size: int | None = None
    metadata_pointer: int | None = None
    from_page_bit: int = 3  # MemoryChunk::FROM_PAGE
    to_page_bit: int = 4  # MemoryChunk::TO_PAGE
    chunk_alignment: int = 256 * 1024


@dataclass(frozen=True)
class VersionFacts:
    v8: tuple[int, int]
    node_major: int
    page: PageLayout
    meta_maps: int  # self-referential maps expected (contextful meta map from V8 12)
    js_function_types: tuple[int, int] | None  # when not exported (V8 < 12)
    bytecode_source_positions: int  # BytecodeArray field holding the source position table
    free_space_type: int | None  # FREE_SPACE_TYPE when not exported (V8 13)
    free_space_unit: int  # FreeSpace size Smi unit: bytes, or tagged words from V8 13
    filler_types: tuple[int, ...]  # ONE/TWO_POINTER_FILLER_TYPE (never exported)
    scope_info_names_after_locals: int  # slots searched for the function name after locals
    #: [lo, hi) byte window around the isolate's Heap* holding the roots table, the builtins
    #: table and the Heap's own fields (GC roots of the graph, `roots.py`)
    isolate_roots: tuple[int, int] | None = None
    #: NATIVE_CONTEXT_TYPE (not exported before V8 12; never by name). Its map has no
    #: instance size, and the object is not `16 + 8*length` like the other contexts: the
    #: raw MicrotaskQueue* follows the slots (`NativeContext::kSize = Context::SizeFor(
    #: NATIVE_CONTEXT_SLOTS) + kSystemPointerSize`), so the walk sizes it `24 + 8*length`.
    native_context_type: int | None = None
    #: how a source position table encodes its code offsets: "zigzag" (V8 <= 13.6: a
    #: zigzag VLQ, negative = expression position) or "kind2" (V8 14.6: unsigned VLQ
    #: `delta << 2 | kind`, kind bit 0 = statement). Source positions are zigzag in both.
    position_table: str = "zigzag"

    #: word of PromiseReaction::next; reject_handler, fulfill_handler, promise_or_capability
    #: follow (Torque order). V8 12 moved continuation_preserved_embedder_data from the last
    #: word to the first, so the list's link is word 2 from then on (the default).
    promise_reaction_next: int = 2
    #: words of a WeakCell (a FinalizationRegistry's registration) that V8 holds weakly:
    #: `target` and `unregister_token`, after map and finalization_registry up to V8 13.6.
    #: V8 14 put `holdings` first (map, registry, holdings, target, token, prev, next...):
    #: read with the old words, a held value that references its target (`{conn}`) was weak
    #: and the target, once strong, was garbage, so 3,000 leaked Connections were no suspect
    weak_cell_weak_words: tuple[int, ...] = (2, 3)
    #: the Symbol::flags bit set on a class's private-field key (`#sessions`) and only on it:
    #: is_private_name, bit 4 (name.tq) up to V8 13.6. V8 14.6 packs a 2-bit kind into bits
    #: 0-1 (1 private symbol, 2 private name, 3 private brand), so bit 1. A public
    #: `Symbol('#jobs')` has neither: V8's snapshot names it `<symbol #jobs>`, a private key `#x`
    symbol_private_name_bit: int = 1 << 4
    #: JSDate::value is a raw float64 (V8 13+), not a tagged Smi/HeapNumber (V8 <= 12)
    date_value_raw: bool = False
    #: bytes before a JS_API_OBJECT's embedder (internal) fields: the JSObject header, plus
    #: JSAPIObjectWithEmbedderSlots::cpp_heap_wrappable from V8 13 (`v8dbg_class_JSObject__
    #: internal_fields` says 24 on every version, which is wrong for API objects from 13)
    api_object_header: int = 24
    #: JSAPIObjectWithEmbedderSlots::cpp_heap_wrappable (V8 13+): the raw pointer to the
    #: cppgc object an API object wraps (Node 24+: ContextifyScript, ContextifyContext)
    cpp_heap_wrappable: int | None = None
    #: bytes of a TracedNodeBlock's header before its first node (`traced.py`), where V8's
    #: traced handles are read; None where Node makes none (Node 18-22: no block in 588
    #: cores). Derived for a V8 with no entry; blocks that none fits degrade the roots
    traced_block_header: int | None = None
    #: JS frames (interpreted, baseline, Maglev, TurboFan): the actual argument count is a
    #: raw word at fp-24 (StandardFrameConstants::kArgCOffset, not exported; context at -8
    #: and function at -16 are, as off_fp_context/off_fp_function). It counts the receiver,
    #: as SharedFunctionInfo::internal_formal_parameter_count does (kJSArgcIncludesReceiver).
    frame_argc_offset: int = -24
    frame_argc_includes_receiver: bool = True
    #: ScopeInfo::position_info {start, end} at a fixed byte offset (V8 13+: right after
    #: flags, parameter_count, context_local_count), or None when it follows the context
    #: locals and optional fields (V8 <= 12: searched, `source.py`)
    scope_info_position: int | None = None
    #: JSFunction's 32-bit JSDispatchHandle (leaptiering, V8 13+; the Code pointer field
    #: is gone), resolved through the dispatch table (`dispatch.py`, DISPATCH_TABLE below)
    dispatch_handle: int | None = None
    #: JSFunction's Code pointer when V8 does not export `class_JSFunction__code` (11.3)
    js_function_code: int | None = None
    #: V8's heap snapshot counts an external string's characters in its self size (V8 13+;
    #: up to 12.4 only the object); the core graph follows the snapshot of its version
    external_string_payload: bool = False
    #: Code fields an optimized frame's position is read from (`optimized.py`): the source
    #: position table and the deoptimization data (None: optimized frames keep function and
    #: script only, with the reason); the DeoptimizationData index of InliningPositions
    #: where V8 does not export `DeoptimizationDataInliningPositionsIndex` (10.2), and of the
    #: inlined-function count and the literal array, whose first that-many entries are the
    #: inlined functions' SharedFunctionInfos (V8's `GetInlinedFunction`), likewise
    code_position_table: int | None = None
    code_deopt_data: int | None = None
    deopt_inlining_positions_index: int | None = None
    deopt_inlined_count_index: int | None = None
    deopt_literal_array_index: int | None = None
    #: CodeKind of TurboFan code (Code::flags bits 0-3; Maglev is one less): only TurboFan's
    #: position table gives the positions V8 prints (Maglev's gives the statement, 19:3
    #: where Node printed 19:45); `code_flags` where `class_Code__flags` is not exported
    code_kind_turbofan: int | None = None
    code_flags: int | None = None
    #: Code's InstructionStream pointer where not exported (11.3), checked against the pc's
    code_instruction_stream: int | None = None
    #: A lazily deoptimized frame's return address is a deoptimization exit; the safepoint
    #: table (at the start of the code's metadata, right after its instructions) has the
    #: entry whose trampoline is that exit, and the entry's pc is the call's return address.
    #: The table's header size in bytes (8: length, entry configuration; 12 from 13.6: stack
    #: slot count first; None: not read) and Code::instruction_size where not exported (11.3)
    safepoint_header: int | None = None
    code_instruction_size: int | None = None
    #: Maglev frames are placed as V8 does it: Maglev's safepoint table (its header size in
    #: bytes: None, not read) -> deoptimization entry -> bytecode offset in the function's
    #: BytecodeArray (SharedFunctionInfo's function data field, not exported on 13.6/14.6)
    maglev_safepoint_header: int | None = None
    sfi_function_data: int | None = None
    #: the deoptimization translation's opcodes in number order, (name, operand count)
    #: (`translation.py`): where known, a Maglev frame's inlined callers are placed from it
    translation_opcodes: tuple[tuple[str, int], ...] | None = None
    sizes: dict[str, int] = field(default_factory=dict)  # unexported fixed sizes (bytes)
    notes: dict[str, str] = field(default_factory=dict)  # fact -> how it was verified
    #: "table" (this file) or "derived" (from the binary and the core, `calibrate.py`)
    source: str = "table"


_PAGE_10 = PageLayout(flags=8, area_start=24, area_end=32, heap=16, size=0)
_PAGE_12 = PageLayout(flags=0, area_start=32, area_end=40, heap=24, self_pointer=8, size=16)
_PAGE_13 = PageLayout(flags=0, area_start=72, area_end=56, heap=64, self_pointer=8, size=16,
                      metadata_pointer=8)

#: every page layout seen so far, newest first: a V8 with no table entry is tried with each
#: (`calibrate.derive_page_layout`), and the one whose pages check out is used
PAGE_LAYOUTS = (_PAGE_13, _PAGE_12, _PAGE_10)

_CONTEXTS = ("the 10 context types First..LastContextType in alphabetical order: AWAIT BLOCK CATCH "
             "DEBUG_EVALUATE EVAL FUNCTION MODULE NATIVE SCRIPT WITH")

#: How the object layouts that changed in V8 13 (and stayed in 14) were verified; shared by
#: the 13.6 and 14.6 entries
_V8_13_LAYOUT_NOTES = {
    "date_value_raw": "JSDate +24 holds 0x426b8d59f5800000 (946684800000.0) for "
                      "new Date(Date.UTC(2000,0,1)) in the inspect_kinds core; up to "
                      "12.4 it is a tagged HeapNumber",
    "scope_info_position": "ScopeInfo words 4-5 hold 597/737 for stopWithAbort and "
                           "0/1063 for the module function of the port_frame core "
                           "(`function stopWithAbort(` starts at 575, token offset "
                           "22); up to 12.4 the pair follows the locals",
    "cpp_heap_wrappable": "+24: the 400 vm.Script wrappers of the f45_vm_script_cache core "
                          "point at 400 C++ objects whose vtable is ContextifyScript's; "
                          "+40 (kSlot) holds the same pointer",
    "traced_block_header": "72: node 0 follows three list nodes, TracedHandles* (+48) and "
                           "u16 used/capacity (+56/+58); used equals the in-use nodes and "
                           "capacity the 256 nodes in every block of the Node 24/26 cores "
                           "with vm.Scripts and vm contexts",
    "api_object_header": "a zlib handle's words +24 is 0 (cpp_heap_wrappable), +32 "
                         "the pointer to node's embedder id, +40 the C++ object "
                         "(inspect_kinds core); up to 12.4 those two are at +24/+32",
}

#: V8 13.6 and 14.6's TranslationOpcode list (translation-opcode.h, with WebAssembly as Node
#: builds it): BEGIN_WITHOUT_FEEDBACK is 14 and bytes from 45 repeat earlier opcodes. Checked
#: on port_optimized_maglev_inlined: every deoptimization entry's translation decodes, its
#: innermost frame's bytecode offset equals the entry's, its frames' literals are the
#: functions' SharedFunctionInfos, and the outer frame gives 17:40 as Node printed
TRANSLATION_OPCODES_13 = (
    ("INTERPRETED_FRAME_WITH_RETURN", 6), ("INTERPRETED_FRAME_WITHOUT_RETURN", 4),
    ("JAVASCRIPT_BUILTIN_CONTINUATION_FRAME", 3), ("JAVASCRIPT_BUILTIN_CONTINUATION_WITH_CATCH_FRAME", 3),
    ("CONSTRUCT_CREATE_STUB_FRAME", 2), ("CONSTRUCT_INVOKE_STUB_FRAME", 1),
    ("BUILTIN_CONTINUATION_FRAME", 3), ("JS_TO_WASM_BUILTIN_CONTINUATION_FRAME", 4),
    ("WASM_INLINED_INTO_JS_FRAME", 3), ("LIFTOFF_FRAME", 3), ("INLINED_EXTRA_ARGUMENTS", 2),
    ("ARGUMENTS_ELEMENTS", 1), ("ARGUMENTS_LENGTH", 0), ("REST_LENGTH", 0),
    ("BEGIN_WITHOUT_FEEDBACK", 3), ("BEGIN_WITH_FEEDBACK", 3), ("BOOL_REGISTER", 1),
    ("BOOL_STACK_SLOT", 1), ("CAPTURED_OBJECT", 1), ("STRING_CONCAT", 0), ("DOUBLE_REGISTER", 1),
    ("DOUBLE_STACK_SLOT", 1), ("SIMD128_STACK_SLOT", 1), ("HOLEY_DOUBLE_REGISTER", 1),
    ("HOLEY_DOUBLE_STACK_SLOT", 1), ("SIMD128_REGISTER", 1), ("DUPLICATED_OBJECT", 1),
    ("FLOAT_REGISTER", 1), ("FLOAT_STACK_SLOT", 1), ("INT32_REGISTER", 1), ("INT32_STACK_SLOT", 1),
    ("INT64_REGISTER", 1), ("INT64_STACK_SLOT", 1), ("SIGNED_BIGINT64_REGISTER", 1),
    ("SIGNED_BIGINT64_STACK_SLOT", 1), ("UNSIGNED_BIGINT64_REGISTER", 1),
    ("UNSIGNED_BIGINT64_STACK_SLOT", 1), ("OPTIMIZED_OUT", 0), ("LITERAL", 1), ("REGISTER", 1),
    ("TAGGED_STACK_SLOT", 1), ("UINT32_REGISTER", 1), ("UINT32_STACK_SLOT", 1),
    ("UPDATE_FEEDBACK", 2), ("MATCH_PREVIOUS_TRANSLATION", 1),
)

FACTS: dict[tuple[int, int], VersionFacts] = {
    (10, 2): VersionFacts(
        v8=(10, 2), code_kind_turbofan=13, code_position_table=24, code_deopt_data=16,
        deopt_inlining_positions_index=7, deopt_inlined_count_index=1, deopt_literal_array_index=2,
        safepoint_header=8, native_context_type=214,
        isolate_roots=(-0xc5a8, 0x2000), node_major=18, page=_PAGE_10, meta_maps=1,
        js_function_types=(2065, 2080), bytecode_source_positions=32,
        free_space_type=None, free_space_unit=1, filler_types=(), scope_info_names_after_locals=6,
        promise_reaction_next=1,
        notes={
            "code_position_table": "Code +24 (relocation +8, deoptimization data +16, CodeDataContainer "
                                   "+32; pc in the Code itself, instructions at +128): port_optimized "
                                   "hotPath 14:10 as Node prints; InliningPositions at deopt index 7",
            "deopt_literal_array_index": "inlined-function count at deopt index 1, literal array at 2 "
                                         "(as 11.3/12.4 export them): port_optimized_inlined's inlined "
                                         "`inner` is literal 0, a SharedFunctionInfo, 14:10 as Node 20+ "
                                         "prints it",
            "safepoint_header": "8 (length, entry configuration 0x491), metadata right after "
                                "the instructions (Code +40 instruction_size, +44 metadata_size): "
                                "port_optimized_deopt's exit 231 is entry 0's trampoline, whose pc "
                                "79 gives 14:10 as the script has it; 8 on 11.3 (exit 235, "
                                "instruction_size +56) and 12.4 (exit 241); 12 from 13.6 (stack "
                                "slots first: exits 255 and 244), all 14:10 as Node printed",
            "promise_reaction_next": "word 1 links 3,999 PromiseReaction to each other in the "
                                     "leak_promise_race core; word 5 is undefined",
            "native_context_type": f"{_CONTEXTS} -> 207+7 = 214; "
                                   "JSGlobalObject +24 (native_context) points at it in the "
                                   "leak_* cores; 24+8*length checked at open",
            "isolate_roots": "roots table (~800-1100 pointers to read-only maps, strings, "
                             "oddballs) from Heap*-0xc5a8; builtins table Heap*-0x4080..-8; Heap "
                             "fields to +0x6xx; nothing else up to +0x2000 (leak_map cores)",
            "page": "in-page header: size +0, flags +8, Heap* +16, area +24/+32; every page of "
                    "the heap_basic core has area_start in (P, P+0x2000] and one shared Heap*",
            "from_page_bit": "new-space chunks carry flags 0xa (FROM_PAGE|POINTERS_TO_HERE) or "
                             "0x12 (TO_PAGE|...); live Sessions are only on the 0x12 pages",
            "js_function_types": "JS_FUNCTION_TYPE 2065 and 15 subtypes, class constructors "
                                 "at 2080 (75 in the leak_ssr_cache core); 2081 is the first "
                                 "non-function (%ArrayIteratorPrototype%: no shared, no "
                                 "context), which a GC'd snapshot lists as an object",
            "bytecode_source_positions": "+32 (after handler_table +24): decodes to the abort "
                                         "line:col Node prints in every test core",
        },
    ),
    (11, 3): VersionFacts(
        v8=(11, 3), code_kind_turbofan=13, code_flags=48, code_instruction_stream=32, code_position_table=24,
        code_deopt_data=16, safepoint_header=8, code_instruction_size=56, native_context_type=212,
        isolate_roots=(-0xd240, 0x2000), node_major=20, page=_PAGE_10, meta_maps=1,
        js_function_types=(2066, 2081), bytecode_source_positions=32, js_function_code=48,
        free_space_type=None, free_space_unit=1, filler_types=(), scope_info_names_after_locals=6,
        promise_reaction_next=1,
        notes={
            "code_position_table": "Code +24 (exported source_position_table), deoptimization data +16; pc "
                                   "in the InstructionStream, whose +8 is the Code: port_optimized hotPath "
                                   "14:10 as Node prints",
            "promise_reaction_next": "as 10.2 (leak_promise_race core)",
            "native_context_type": f"{_CONTEXTS} -> 205+7 = 212; "
                                   "JSGlobalObject +24 (native_context) points at it in the "
                                   "leak_* cores; 24+8*length checked at open",
            "isolate_roots": "roots table (~800-1100 pointers to read-only maps, strings, "
                             "oddballs) from Heap*-0xd240; builtins table Heap*-0x4448..-8; Heap "
                             "fields to +0x6xx; nothing else up to +0x2000 (leak_map cores)",
            "page": "same header as 10.2 (checked on heap_basic core)",
            "js_function_types": "JS_FUNCTION_TYPE 2066 + 15 subtypes (class constructors "
                                 "2081); 2082 is %ArrayIteratorPrototype%, as 2081 on 10.2",
            "js_function_code": "not exported (10.2 exports +48): every function's word 6 "
                                "points at a Code object in the leak_ssr_cache core",
            "bytecode_source_positions": "+32, checked against Node's own abort stack",
        },
    ),
    (12, 4): VersionFacts(
        v8=(12, 4), code_kind_turbofan=12, code_position_table=16, code_deopt_data=8, native_context_type=197,
        safepoint_header=8,
        isolate_roots=(-0xde18, 0x2000), node_major=22, page=_PAGE_12, meta_maps=2,
        js_function_types=None, bytecode_source_positions=24,
        free_space_type=None, free_space_unit=1, filler_types=(), scope_info_names_after_locals=6,
        notes={
            "code_position_table": "Code +16 (TRUSTED_BYTE_ARRAY), deoptimization data +8, wrapper +24, "
                                   "InstructionStream +32: port_optimized hotPath 14:10 as Node prints",
            "native_context_type": f"{_CONTEXTS} -> 190+7 = 197; "
                                   "the contextful meta map's +32 (Map::native_context) points at it "
                                   "in the leak_* cores; 24+8*length checked at open",
            "isolate_roots": "roots table (~800-1100 pointers to read-only maps, strings, "
                             "oddballs) from Heap*-0xde18; builtins table Heap*-0x4818..-8; Heap "
                             "fields to +0x6xx; nothing else up to +0x2000 (leak_map cores)",
            "page": "in-page header: flags +0, self +8, size +16, Heap* +24, area +32/+40",
            "promise_reaction_next": "word 2 links 3,999 PromiseReaction in the "
                                     "leak_promise_race core; word 5 is the promise",
            "meta_maps": "read-only meta map plus the contextful meta map of the native "
                         "context (its constructor_or_back_pointer is the NativeContext)",
            "bytecode_source_positions": "+24, checked against Node's own abort stack",
        },
    ),
    (13, 6): VersionFacts(
        v8=(13, 6), code_kind_turbofan=12, code_position_table=16, code_deopt_data=8, safepoint_header=12,
        maglev_safepoint_header=16, sfi_function_data=8, translation_opcodes=TRANSLATION_OPCODES_13,
        scope_info_position=32, dispatch_handle=24, external_string_payload=True,
        native_context_type=227,
        isolate_roots=(-0xef68, 0x2000), node_major=24, page=_PAGE_13, meta_maps=2,
        js_function_types=None, bytecode_source_positions=24,
        free_space_type=268, free_space_unit=8, filler_types=(267,),
        date_value_raw=True, api_object_header=32, cpp_heap_wrappable=24,
        traced_block_header=72,
        scope_info_names_after_locals=6,
        notes={
            "maglev_safepoint_header": "16 (stack slots, length, configuration 0xa3, slot counts; "
                                       "entries pc, deopt index, trampoline, pushed registers, "
                                       "register indexes): port_optimized_maglev's pc 506 is entry 2, "
                                       "deopt index 12, trampoline 1049 = deoptimization entry 12's pc; "
                                       "its bytecode offset 37 (+1) gives 19:45 as Node printed",
            "sfi_function_data": "+8 holds the BytecodeArray (type checked on use)",
            "code_position_table": "as 12.4 (deoptimization data a PROTECTED_FIXED_ARRAY): port_optimized "
                                   "hotPath 14:10 as Node prints",
            "native_context_type": f"{_CONTEXTS} -> 220+7 = 227; "
                                   "the contextful meta map's +32 (Map::native_context) points at it "
                                   "in the leak_* cores; 24+8*length checked at open",
            **_V8_13_LAYOUT_NOTES,
            "isolate_roots": "roots table (~800-1100 pointers to read-only maps, strings, "
                             "oddballs) from Heap*-0xef68; builtins table Heap*-0x4b08..-8; Heap "
                             "fields to +0x6xx; nothing else up to +0x2000 (leak_map cores)",
            "page": "chunk holds flags +0 and MutablePageMetadata* +8; metadata: self +8, "
                    "size +16, area_end +56, Heap* +64, area_start +72",
            "promise_reaction_next": "as 12.4 (leak_promise_race core)",
            "external_string_payload": "a GC'd snapshot's builtin module sources (external "
                                       "one-byte strings) weigh header + length (93,946 "
                                       "bytes); Node 20/22 snapshots: no string over 4 KB",
            "dispatch_handle": "JSFunction +24 (u32; multiples of 0x100), between elements "
                               "and shared: 5,339 of 5,339 functions of the leak_ssr_cache "
                               "core find an entry with their parameter count and a Code",
            "free_space_type": "not exported; 268 sits alphabetically between "
                               "FEEDBACK_VECTOR 266 and HOLE 269 (FILLER 267, maps of size "
                               "8/16). Checked at open: its objects hold their size in "
                               "words (Smi at +8) and end where the next object starts "
                               "(heap.py _detect_free_space, which also finds it without "
                               "this entry)",
            "bytecode_source_positions": "+24, checked against Node's own abort stack",
        },
    ),
    (14, 6): VersionFacts(
        v8=(14, 6), code_kind_turbofan=13, code_position_table=16, code_deopt_data=8, safepoint_header=12,
        maglev_safepoint_header=16, sfi_function_data=8, translation_opcodes=TRANSLATION_OPCODES_13,
        scope_info_position=32, dispatch_handle=24, external_string_payload=True,
        native_context_type=228,
        isolate_roots=(-0xf330, 0x2000), node_major=26, page=_PAGE_13, meta_maps=2,
        js_function_types=None, bytecode_source_positions=24, position_table="kind2",
        date_value_raw=True, api_object_header=32, cpp_heap_wrappable=24,
        traced_block_header=72,
        free_space_type=273, free_space_unit=8, filler_types=(272,),
        scope_info_names_after_locals=6, weak_cell_weak_words=(3, 4),
        symbol_private_name_bit=1 << 1,
        notes={
            "symbol_private_name_bit": "leak_private_field core: the 59 Symbols described "
                                       "`#...` of class fields (`#sessions`) have flags 0x2, "
                                       "Node's private symbols 0x1, brands 0x3, the public "
                                       "Symbol('#jobs') 0x0 (13.6: 0x11, 0x1, 0x31, 0x0)",
            "weak_cell_weak_words": "leak_finalization_holdings core: the registry's "
                                    "active cells hold the held value {id, conn} in word "
                                    "2, the registered Connection in word 3, the unregister "
                                    "Token in word 4 (10.2-13.6: Connection 2, Token 3, "
                                    "held value 4)",
            "maglev_safepoint_header": "16 as 13.6: port_optimized_maglev's pc 506 is entry 2, deopt "
                                       "index 10, trampoline 1041 = deoptimization entry 10's pc; "
                                       "bytecode offset 38 (+1) gives 19:45 as Node printed",
            "sfi_function_data": "+8 as 13.6",
            "code_position_table": "as 13.6; table code offsets `delta << 2 | kind` like bytecode's: "
                                   "port_optimized hotPath 14:10 as Node prints",
            "native_context_type": f"{_CONTEXTS} -> 221+7 = 228 (FirstContextType moved "
                                   "from 220); derived from the data at open "
                                   "(heap.py _check_native_context) on every scenario core",
            **_V8_13_LAYOUT_NOTES,
            "isolate_roots": "start of the isolate's allocation (malloc chunk header at "
                             "-0xf338 or so) / its dense run of heap pointers, the roots table "
                             "begins with read-only maps; calibrate.derive_isolate_roots finds "
                             "-0xf330 on every scenario core (a lone heap pointer in the malloc "
                             "chunk below, at -0xf458, is not part of it)",
            "page": "same chunk/metadata layout as 13.6: 32 pages with one shared Heap* on "
                    "the heap_basic core (calibrate.derive_page_layout picks it too)",
            "meta_maps": "read-only meta map plus the contextful one, as 12.4/13.6",
            "free_space_type": "not exported; 273 (five types were added before it "
                               "alphabetically since 13.6); _detect_free_space finds 273 with "
                               "sizes in words (Smi at +8) on every scenario core",
            "bytecode_source_positions": "+24 is a TRUSTED_BYTE_ARRAY (handler table +32, "
                                         "constant pool +40); calibrate.derive_position_table "
                                         "picks it from all BytecodeArrays of the core",
            "position_table": "code offsets are `delta << 2 | kind` (kind 2 expression, 3 "
                              "statement, 1 rare) without zigzag: the 13.6 decoding puts "
                              "offsets past the bytecode end in every table of the heap_basic "
                              "core (0 of 2426 valid), this one in all; stack positions then "
                              "equal Node's printed trace (tests/v8/test_v8_stack.py)",
            "filler_types": "unexported type 272 with maps of size 8 and 16",
            "external_string_payload": "as 13.6 (leak_ssr_cache snapshot: builtin sources "
                                       "of 110,000 bytes)",
            "dispatch_handle": "as 13.6: JSFunction +24 (u32), between elements and shared; "
                               "all functions of the leak_ssr_cache core resolve",
        },
    ),
}

#: How the frame facts above were checked (every VersionFacts entry uses the defaults): on
#: the port_stack / port_frame cores of Node 18-26, fp-24 holds 3 for levelTwo('level two
#: args', 1) and 1 for stopWithAbort() (receiver only), the formal count is 3 and 2, the
#: receiver is at fp+off_fp_args (16, exported) and argument i at fp+24+8*i; a call with
#: fewer arguments than parameters has `undefined` in the missing slots (no arguments
#: adaptor frames since V8 8.9: the caller pads), so max(argc, formal) slots are readable.
FRAME_FACTS_NOTE = ("argc at fp-24 including the receiver, receiver at fp+16, argument i at "
                    "fp+24+8*i: checked on the port_stack and port_frame cores of V8 10.2-14.6")
#: Frame-type markers (`v8dbg_frametype_<Name>`, exported; their numbers change between
#: versions) shown in the JS stack as llnode does: the C++ side of a call out of JS
#: (runtime call, builtin or API callback) and the JS entry from C++.
EXIT_FRAME_TYPES = ("ExitFrame", "BuiltinExitFrame", "ApiCallbackExitFrame",
                    "ApiAccessorExitFrame", "ApiConstructExitFrame", "ApiNamedAccessorExitFrame",
                    "ApiIndexedAccessorExitFrame")
ENTRY_FRAME_TYPES = ("EntryFrame", "ConstructEntryFrame")
#: ScopeInfo (scope-info.tq): after flags, parameter_count, context_local_count and the
#: context locals (names, or one hash table from 75 on, then one info word each) come
#: optional fields whose presence is coded in flag bits that move between versions
#: (saved class variable, function variable name + slot, inferred name), then
#: position_info {start, end} (two Smis). `source.py` looks for that pair in this many words
#: after the locals and keeps the one that fits the Script's source.
SCOPE_INFO_POSITION_WINDOW = 8
SCOPE_INFO_INLINED_LOCALS_MAX = 75
#: The JSDispatchTable's layout (V8 13.6 and 14.6): entry index = handle >> 8, 16-byte
#: entries, the second word `Code pointer << 16 | parameter count`. Known from public
#: profilers' readers (research: node26-and-pipelines-2026.md) and checked on each core:
#: every function's entry carries its SharedFunctionInfo's parameter count and a pointer
#: to a Code object of the walk (`dispatch.py`; tests/v8/test_v8_graph_leaks.py).
DISPATCH_TABLE = {"handle_shift": 8, "entry": 16, "code_word": 8, "pointer_shift": 16,
                  "param_mask": 0xFFFF}

#: Baseline (Sparkplug) frames (`baseline.py`). The size of each bytecode comes from the node
#: binary's own table `uint8_t Bytecodes::kBytecodeSizes[3][kBytecodeCount]` (rows: single,
#: double, quadruple operand scale), in .symtab of every Node 18-26 binary (198 bytecodes on
#: V8 10.2/11.3, 203 on 12.4, 208 on 13.6, 212 on 14.6). Checked when read: 3 equal rows of
#: a plausible count, the prefixes first (size 1 in every row), every size growing with the
#: scale up to 1 + 5 operands * 4 bytes (21, the largest in every binary).
BYTECODE_SIZES_SYMBOL = "_ZN2v88internal11interpreter9Bytecodes14kBytecodeSizesE"
BYTECODE_COUNT_RANGE = (100, 1024)
BYTECODE_MAX_SIZE = 21
#: operand-scale prefix bytecodes -> the size-table row of the bytecode they prefix: Wide,
#: ExtraWide, DebugBreakWide, DebugBreakExtraWide are bytecodes 0-3 (bytecodes.h) on 10.2-14.6
BYTECODE_PREFIXES = {0: 1, 1: 2, 2: 1, 3: 2}
#: CodeKind BASELINE is two below TURBOFAN (... INTERPRETED_FUNCTION, BASELINE, MAGLEV,
#: TURBOFAN in code-kind.h of 10.2-14.6): the Code at a port_baseline frame's pc has kind 11
#: on V8 10.2/11.3/14.6 and 10 on 12.4/13.6
BASELINE_KIND_BELOW_TURBOFAN = 2

#: Object layouts V8 does not export and that are the same on every version in FACTS
#: (checked on the inspect_kinds core of each: tests/v8/test_v8_inspect_kinds.py).
#: Offsets in bytes from the object start.
#: JSPromise (promise.tq): reactions_or_result, flags (Smi; bits 0-1 the state)
PROMISE_RESULT, PROMISE_FLAGS = 24, 32
PROMISE_STATES = {0: "pending", 1: "fulfilled", 2: "rejected"}
#: JSBoundFunction (bound-function.tq): target, bound this, bound arguments (FixedArray)
BOUND_TARGET, BOUND_THIS, BOUND_ARGS = 24, 32, 40
#: JSProxy (proxy.tq, a JSReceiver without elements): target, handler
PROXY_TARGET, PROXY_HANDLER = 16, 24
#: JSGeneratorObject (generator-objects.tq) after the JSObject header: function, context,
#: receiver, input_or_debug_pos, resume_mode, continuation, parameters_and_registers (the
#: suspended frame's locals); JSAsyncFunctionObject adds its promise, JSAsyncGeneratorObject
#: its request queue
GENERATOR_FUNCTION, GENERATOR_CONTEXT, GENERATOR_RECEIVER, GENERATOR_REGISTERS = 24, 32, 40, 72
GENERATOR_EXTRA = 80
#: The same fields as edges of the heap graph, by word: named as V8's heap snapshot names
#: them where it does (a bound function's `bound_function`/`bound_this`/`bindings`, a
#: generator's `function`/`context`/`parameters_and_registers`), else by their Torque name
#: (a snapshot leaves a Proxy's two fields unnamed). Unlabelled, a core shows `hidden [4]`
#: where a snapshot names the edge, and a Proxy's target as its `elements`.
_GENERATOR_EDGES = {GENERATOR_FUNCTION // 8: "function", GENERATOR_CONTEXT // 8: "context",
                    GENERATOR_RECEIVER // 8: "receiver",
                    GENERATOR_REGISTERS // 8: "parameters_and_registers"}
UNEXPORTED_EDGES: dict[str, dict[int, str]] = {
    "JS_BOUND_FUNCTION_TYPE": {BOUND_TARGET // 8: "bound_function", BOUND_THIS // 8: "bound_this",
                               BOUND_ARGS // 8: "bindings"},
    "JS_PROXY_TYPE": {PROXY_TARGET // 8: "target", PROXY_HANDLER // 8: "handler"},
    "JS_GENERATOR_OBJECT_TYPE": _GENERATOR_EDGES,
    "JS_ASYNC_FUNCTION_OBJECT_TYPE": {**_GENERATOR_EDGES, GENERATOR_EXTRA // 8: "promise"},
    "JS_ASYNC_GENERATOR_OBJECT_TYPE": {**_GENERATOR_EDGES, GENERATOR_EXTRA // 8: "queue"},
}
#: JSMessageObject (js-objects.tq): V8's record of an uncaught exception, which
#: Isolate::Throw makes before --abort-on-uncaught-exception aborts: message_type (Smi), the
#: thrown value (`argument`), its Script, then stack_trace, shared_info and bytecode_offset
#: before the throw's start position (Smi). Checked on the scenario cores of Node 18-26.
MESSAGE_TYPE, MESSAGE_ARGUMENT, MESSAGE_SCRIPT, MESSAGE_START = 24, 32, 40, 72
#: JSRegExp::flags follows `source` (v8dbg exports source only); the Flag bits
#: (regexp-flags.h), listed in the order JS prints them (`RegExp.prototype.flags`)
REGEXP_FLAG_BITS = (("d", 1 << 7), ("g", 1 << 0), ("i", 1 << 1), ("m", 1 << 2),
                    ("s", 1 << 5), ("u", 1 << 4), ("v", 1 << 8), ("y", 1 << 3))

#: AccessorPair (struct.tq), the value of an accessor property (`get log() {...}`): getter,
#: setter. Node 18-24 export both fields, Node 26 neither: unnamed, a big string behind a
#: getter was no part of the object that defines it (`hidden [1]`, where the getter is).
ACCESSOR_PAIR_EDGES = {8 // 8: "getter", 16 // 8: "setter"}

#: Instance types no node binary exports, placed by exported neighbours (`typenames.py`):
#: (name, exported anchor, offset from it, exported check type, its offset from the named
#: type). Torque numbers leaf types in name order within each class range, so these hold
#: on 10.2-14.6 (checked on every major's scenario cores against V8's generated
#: instance-types.h of 10.2 and 14.x: the named maps have the expected instance sizes).
UNEXPORTED_TYPE_RULES: tuple[tuple[str, str, int, str | None, int], ...] = (
    # LAST_JS_SPECIAL_OBJECT_TYPE, right before the (exported) primitive wrapper: 1040
    ("JS_SPECIAL_API_OBJECT_TYPE", "JS_PRIMITIVE_WRAPPER_TYPE", -1, None, 0),
    # the generator range: GENERATOR, ASYNC_FUNCTION_OBJECT, ASYNC_GENERATOR_OBJECT
    ("JS_GENERATOR_OBJECT_TYPE", "JS_ASYNC_FUNCTION_OBJECT_TYPE", -1,
     "JS_ASYNC_GENERATOR_OBJECT_TYPE", 2),
    ("JS_CONTEXT_EXTENSION_OBJECT_TYPE", "JS_COLLATOR_TYPE", 1, "JS_DATE_TYPE", 1),
    ("JS_DISPOSABLE_STACK_BASE_TYPE", "JS_ASYNC_DISPOSABLE_STACK_TYPE", -1,
     "JS_SYNC_DISPOSABLE_STACK_TYPE", 2),  # V8 13+
    ("WASM_EXCEPTION_PACKAGE_TYPE", "WASM_GLOBAL_OBJECT_TYPE", -1, "JS_WEAK_REF_TYPE", -1),
    ("WASM_INSTANCE_OBJECT_TYPE", "WASM_GLOBAL_OBJECT_TYPE", 1,
     "WASM_MEMORY_OBJECT_TYPE", 1),  # exported from 12.4
    # the primitives after the strings: SYMBOL, BIGINT, HEAP_NUMBER, ODDBALL (128-131 in
    # V8 10.2-14.6); BIGINT_TYPE alone is not exported, and its digits are no pointers
    ("BIGINT_TYPE", "SYMBOL_TYPE", 1, "HEAP_NUMBER_TYPE", 1),
)
#: the run right after the JSFunction types (and JS_BOUND/WRAPPED_FUNCTION where those
#: follow them): V8's internal prototype objects, 56-byte maps in every core
INTERNAL_PROTOTYPE_TYPES = (
    "JS_ARRAY_ITERATOR_PROTOTYPE_TYPE", "JS_ITERATOR_PROTOTYPE_TYPE",
    "JS_MAP_ITERATOR_PROTOTYPE_TYPE", "JS_OBJECT_PROTOTYPE_TYPE", "JS_PROMISE_PROTOTYPE_TYPE",
    "JS_REG_EXP_PROTOTYPE_TYPE", "JS_SET_ITERATOR_PROTOTYPE_TYPE", "JS_SET_PROTOTYPE_TYPE",
    "JS_STRING_ITERATOR_PROTOTYPE_TYPE", "JS_TYPED_ARRAY_PROTOTYPE_TYPE")
#: after those (and the exported iterator helpers): Map/Set iterators, 40-byte maps
COLLECTION_ITERATOR_TYPES = (
    "JS_MAP_KEY_ITERATOR_TYPE", "JS_MAP_KEY_VALUE_ITERATOR_TYPE", "JS_MAP_VALUE_ITERATOR_TYPE",
    "JS_SET_KEY_VALUE_ITERATOR_TYPE", "JS_SET_VALUE_ITERATOR_TYPE")
#: FirstContextType..LastContextType (exported bounds), in name order
CONTEXT_TYPES = tuple(f"{k}_CONTEXT_TYPE" for k in (
    "AWAIT", "BLOCK", "CATCH", "DEBUG_EVALUATE", "EVAL", "FUNCTION", "MODULE", "NATIVE",
    "SCRIPT", "WITH"))

#: Environment hook: V8 versions ("14.6", comma-separated, or "all") whose table entry is
#: ignored, so the reader derives every fact as for a V8 it has never seen (the test that
#: the derived facts give the same answers as the table uses it on real cores).
IGNORE_ENV = "TRIAGE_V8_IGNORE_FACTS"


def ignored(version: tuple[int, ...] | None) -> bool:
    """True when `TRIAGE_V8_IGNORE_FACTS` names this V8 (major.minor) or says `all`."""
    want = {v.strip() for v in os.environ.get(IGNORE_ENV, "").split(",") if v.strip()}
    if not want or version is None:
        return bool(want & {"all"})
    return "all" in want or f"{version[0]}.{version[1]}" in want


def facts_for(version: tuple[int, ...] | None) -> VersionFacts | None:
    """Facts for a V8 version (major, minor, ...), or None when this V8 is unknown."""
    if version is None or ignored(version):
        return None
    return FACTS.get((version[0], version[1]))
