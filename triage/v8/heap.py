"""The V8 heap of a Node core: pages, maps, the exact object walk and the histogram.

`V8Heap.open(core, binary)` ties it together. Discovery works from the data with the
per-version facts: pages are the 256 KiB-aligned chunks whose header (or, from V8 13,
metadata) points back at them; maps are the objects whose map word is a meta map
(a self-referential Map); objects come from the compiled exact walk (`walk.py`).
New-space from-pages hold stale pre-scavenge copies and are never walked.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from triage.coredump import CoreFile, ElfFile
from triage.crashmodel import Capability
from triage.v8 import walk as W
from triage.v8.constants import V8Constants
from triage.v8.reader import MapInfo, Reader, is_heap_object
from triage.v8.versions import PageLayout, VersionFacts, facts_for

if TYPE_CHECKING:
    from triage.heapgraph.model import HeapGraph

ENGINE = "triage.v8 (core heap walk)"


_MAX_AREA_OFFSET = 0x4000  # header (+ code-page guard page) before a chunk's object area
_USER_SCRIPTS_LIMIT = 10_000  # Script names read for `user_scripts` (an app loads hundreds)


@dataclass(frozen=True)
class Page:
    address: int
    area_start: int
    area_end: int
    flags: int
    heap: int

    def kind(self, facts: VersionFacts) -> str:
        if self.flags >> facts.page.from_page_bit & 1:
            return "new-from"
        if self.flags >> facts.page.to_page_bit & 1:
            return "new-to"
        return "old"


@dataclass
class WalkResult:
    """Every object found by the walk, as parallel arrays sorted by address."""

    address: np.ndarray  # uint64, untagged object start
    map_index: np.ndarray  # int32 index into V8Heap.map_keys
    size: np.ndarray  # int64 bytes
    skipped_bytes: int = 0
    inferred: int = 0
    stale_pages: int = 0
    unreadable_pages: int = 0
    seconds: float = 0.0


@dataclass
class _Discovery:
    pages: list[Page] = field(default_factory=list)
    meta_maps: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class V8Heap:
    """The V8 heap of one core, read with the constants of the node binary that made it."""

    def __init__(self, core: CoreFile, binary: ElfFile, consts: V8Constants,
                 facts: VersionFacts, exact_version: bool, heap_pointer: int | None = None):
        self.core = core
        self.wanted_heap = heap_pointer
        self.binary = binary
        self.constants = consts
        self.facts = facts
        self.exact_version = exact_version
        self.reader = Reader(core, consts, facts)
        self.problems: list[str] = []
        self.underived: list[str] = []  # facts a table-less V8 needed and could not derive
        self.isolates: list = []  # every isolate of the core (isolates.IsolateRef)
        self.isolate = None  # the one this V8Heap reads
        self._walk: WalkResult | None = None
        self._names: list[str] | None = None
        self._user_scripts: list[str] | None = None
        self._discover()

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, core: CoreFile, binary: ElfFile, heap_pointer: int | None = None) -> V8Heap:
        """Read constants and version from `binary`, find pages and maps in `core`.

        A core can hold several isolates (`isolates.py`); `heap_pointer` picks one by its
        `Heap*` (one of `V8Heap.isolates`), the default is the main thread's."""
        consts = V8Constants(binary, core)
        if len(consts) < 100:
            from triage.errors import BinaryProblem

            raise BinaryProblem(f"{binary.path} exports no V8 postmortem constants (v8dbg_*)")
        compressed = consts.pointer_compression()
        if compressed:
            from triage.errors import BinaryProblem

            raise BinaryProblem(compressed)
        facts = facts_for(consts.version)
        if facts is None:  # no table entry (or ignored): derive the facts (calibrate.py)
            from triage.v8.calibrate import initial_facts

            facts = initial_facts(consts, core)
        wanted = core.executable_build_id()
        if wanted and binary.build_id and wanted != binary.build_id:
            from triage.errors import BinaryProblem

            raise BinaryProblem(f"{binary.path} is not the node binary that made this core "
                                f"(build-id {binary.build_id}, core wants {wanted})")
        exe = core.executable_mapping()
        if exe is not None:
            core.attach_file(exe.path, binary)
        return cls(core, binary, consts, facts, True, heap_pointer)

    def open_isolate(self, heap_pointer: int) -> V8Heap:
        """Another isolate of the same core, sharing this one's constants and page scan."""
        return type(self)(self.core, self.binary, self.constants, self.facts,
                          self.exact_version, heap_pointer)

    @property
    def version(self) -> str:
        v = self.constants.version
        return ".".join(map(str, v)) if v else "unknown"

    def _discover(self) -> None:
        t0 = time.perf_counter()
        self.pages = self._find_pages()
        if not self.pages:
            self.problems.append("no V8 heap pages found (page header layout not recognised)")
        self.meta_maps = self._find_meta_maps()
        if self.facts.source == "table" and len(self.meta_maps) != self.facts.meta_maps:
            self.problems.append(
                f"found {len(self.meta_maps)} meta maps, expected {self.facts.meta_maps}")
        self._find_maps()
        from triage.v8.calibrate import complete

        complete(self)  # derive (no table entry) or cross-check the facts that need maps
        self.discovery_seconds = time.perf_counter() - t0

    def _scan_pages(self, lay: PageLayout | None = None) -> list[Page]:
        """Every chunk header in the core, of every isolate, under this heap's page layout
        (computed once per core) or under `lay` (calibration tries each known layout)."""
        use_cache = lay is None
        if use_cache:
            cached = self.core.__dict__.get("_v8_page_scan")
            if cached is not None:
                return cached
            lay = self.facts.page
        align = lay.chunk_alignment
        core = self.core
        found: list[Page] = []
        for start, end, off in core.data_segments_array().tolist():  # a hole holds no header
            p = (start + align - 1) // align * align
            done = start
            while p + 64 <= end:
                if p - done >= 32 << 20:  # headers only: drop the read-ahead around them
                    core.drop_pages(off + done - start, p - done)
                    done = p
                hdr = core.view(p, p + 64)
                words = hdr.view("<u8") if hdr is not None else None
                p_next = p + align
                if words is None:
                    p = p_next
                    continue
                src = words
                if lay.metadata_pointer is not None:
                    md = int(words[lay.metadata_pointer // 8])
                    raw = core.try_read(md, 96) if md else None
                    if raw is None:
                        p = p_next
                        continue
                    src = np.frombuffer(raw, dtype="<u8")
                    # read-only pages' metadata (ReadOnlyPageMetadata) leaves the self
                    # pointer and Heap* zero; the area bounds are still checked below
                    if int(src[1]) != p and not (int(src[1]) == 0 and int(src[8]) == 0):
                        p = p_next
                        continue
                elif lay.self_pointer is not None and int(words[lay.self_pointer // 8]) != p:
                    p = p_next
                    continue
                a0 = int(src[lay.area_start // 8])
                a1 = int(src[lay.area_end // 8])
                size = int(src[lay.size // 8]) if lay.size is not None else 0
                size = size or a1 - p  # (13.6 read-only page metadata leaves the size 0)
                # code pages (V8 10.2) put a guard page after the header: area at +0x3000
                if p < a0 <= p + _MAX_AREA_OFFSET and a0 < a1 <= p + size and a0 % 8 == 0 \
                        and size < (1 << 40):
                    found.append(Page(p, a0, a1, int(words[lay.flags // 8]),
                                      int(src[lay.heap // 8])))
                p = p_next
            core.drop_pages(off + done - start, end - done)
        if use_cache:
            self.core.__dict__["_v8_page_scan"] = found
        return found

    def _find_pages(self) -> list[Page]:
        """The pages of one isolate (`wanted_heap`, default the main one) and read-only pages.

        Pages are grouped by their `Heap*`; groups that are not isolates (a malloc'ed block
        that looks like a chunk header by chance: seen in Node 18/20 cores, a "page" with
        Heap* 1 and an area to 16 GiB) are rejected, see `isolates.py`."""
        from triage.v8.isolates import assign_threads, group_pages, real_heaps

        found = self._scan_pages()
        groups = group_pages(found)
        cached = self.core.__dict__.get("_v8_isolates")
        if cached is None:
            heaps = real_heaps(self.core, self.facts, groups)
            if not heaps and any(groups):  # no group passed: keep the old rule (most pages)
                heaps = [max((h for h in groups if h), key=lambda h: len(groups[h]))]
                others = sum(1 for h in groups if h and h != heaps[0])
                if others:
                    self.core.__dict__["_v8_isolate_problem"] = (
                        f"isolates not verified (no isolate roots table recognised): read the "
                        f"largest of {others + 1} page groups; the others (other isolates, or "
                        "malloc blocks that look like pages) are not read")
            cached = assign_threads(self.core, self.facts, groups, heaps)
            self.core.__dict__["_v8_isolates"] = cached
        self.isolates = cached
        if self.core.__dict__.get("_v8_isolate_problem"):
            self.problems.append(self.core.__dict__["_v8_isolate_problem"])
        want = self.wanted_heap
        self.isolate = next((i for i in cached if i.heap_pointer == want), None) if want \
            else next((i for i in cached if i.is_main), None)
        if want and self.isolate is None:
            self.problems.append(f"no isolate with Heap* 0x{want:x} in this core")
        shared = self.isolate.heap_pointer if self.isolate else None
        self.rejected_pages = [pg for pg in found if pg.heap not in (0, shared)
                               and pg.heap not in {i.heap_pointer for i in cached}]
        self.other_isolate_pages = [pg for pg in found if pg.heap not in (0, shared)
                                    and pg.heap in {i.heap_pointer for i in cached}]
        return [pg for pg in found if pg.heap in (0, shared)]

    def areas(self, include_stale: bool = False) -> list[tuple[int, int, Page]]:
        """Dumped (start, end) pieces of page object areas, from-pages left out."""
        out = []
        segs = self.core.segments_array()
        for page in self.pages:
            if not include_stale and page.kind(self.facts) == "new-from":
                continue
            i = int(np.searchsorted(segs[:, 0], np.uint64(page.area_start), side="right")) - 1
            a = page.area_start
            while a < page.area_end and 0 <= i < len(segs):
                e = int(segs[i, 1])
                if a >= e:
                    i += 1
                    if i < len(segs) and int(segs[i, 0]) < page.area_end:
                        a = max(a, int(segs[i, 0]))
                        continue
                    break
                b = min(e, page.area_end)
                if b > a:
                    out.append((a, b, page))
                a = b
        return out

    def _words(self, start: int, end: int) -> np.ndarray | None:
        v = self.core.view(start, end)
        return None if v is None else v.view("<u8")

    def _find_meta_maps(self) -> list[int]:
        map_type = self.constants.type_id("MAP_TYPE")
        metas = []
        for a, b, _ in self.areas():
            words = self._words(a, b)
            if words is None or len(words) < 2:
                continue
            addrs = np.uint64(a) + np.arange(len(words), dtype=np.uint64) * np.uint64(8)
            hits = np.flatnonzero(words == addrs + np.uint64(1))
            for h in hits.tolist():
                if h + 1 < len(words) and (int(words[h + 1]) >> 32) & 0xFFFF == map_type:
                    metas.append(a + 8 * h + 1)
        return sorted(set(metas))

    def _find_maps(self) -> None:
        keys = np.array(self.meta_maps, dtype=np.uint64)
        maps: set[int] = set(self.meta_maps)
        if len(keys):
            for a, b, _ in self.areas():
                words = self._words(a, b)
                if words is None:
                    continue
                for i in W.scan_map_words(words, keys).tolist():
                    maps.add(a + 8 * i + 1)
        infos: list[MapInfo] = []
        for m in sorted(maps):
            info = self.reader.map_info(m)
            if info is None or info.instance_type > 0x1000 or (
                    info.instance_type == 0 and m not in self.meta_maps
                    and not self._is_string_map_zero(info)):
                continue
            infos.append(info)
        self.maps = infos
        self.map_keys = np.array([i.address for i in infos], dtype=np.uint64)
        self._assign_kinds()

    def _is_string_map_zero(self, info: MapInfo) -> bool:
        """Type 0 is a real type: INTERNALIZED_TWO_BYTE_STRING_TYPE = kTwoByteStringTag |
        kSeqStringTag | kInternalizedTag, all three 0 in V8 10.2-13.6 (never exported by
        name). Its read-only map has no instance size and `null` as prototype; a zeroed or
        stray word pointing at the meta map has neither."""
        if info.instance_size or not is_heap_object(info.prototype):
            return False
        proto = self.reader.map_of(info.prototype)
        return proto is not None and proto.instance_type == self.reader.oddball_type

    def _assign_kinds(self) -> None:
        c = self.constants
        r = self.reader
        t = c.types
        names = r.type_names
        free_space = t.get("FREE_SPACE_TYPE", self.facts.free_space_type)
        kinds = np.zeros(len(self.maps), dtype=np.int32)
        params = np.zeros(len(self.maps), dtype=np.int64)
        bytecode_data = c.field("BytecodeArray", "data", 56)
        descriptor_header = c.get("class_DescriptorArray__header_size__uintptr_t") or 24
        fixed_array_like = ("FIXED_ARRAY_TYPE", "FIXED_DOUBLE_ARRAY_TYPE", "HASH_TABLE_TYPE",
                            "DICTIONARY_TYPE", "EMBEDDER_DATA_ARRAY_TYPE",
                            "CLOSURE_FEEDBACK_CELL_ARRAY_TYPE", "WEAK_FIXED_ARRAY_TYPE",
                            "TRANSITION_ARRAY_TYPE", "HASH_MAP_TYPE", "HASH_SET_TYPE")
        for i, m in enumerate(self.maps):
            it = m.instance_type
            name = names.get(it, "")
            if m.instance_size:
                kinds[i], params[i] = W.KIND_FIXED, m.instance_size
            elif r.is_string_type(it):
                if it & 7 == 0:
                    kinds[i] = W.KIND_SEQ_ONE_BYTE if it & 8 else W.KIND_SEQ_TWO_BYTE
                    params[i] = 16
            elif it == free_space and free_space is not None:
                kinds[i] = W.KIND_FREE_SPACE
            elif name in ("BYTE_ARRAY_TYPE", "TRUSTED_BYTE_ARRAY_TYPE"):
                kinds[i] = W.KIND_BYTE_ARRAY
            elif name in ("DESCRIPTOR_ARRAY_TYPE", "STRONG_DESCRIPTOR_ARRAY_TYPE"):
                kinds[i], params[i] = W.KIND_DESCRIPTORS, descriptor_header
            elif name == "PROPERTY_ARRAY_TYPE":
                kinds[i] = W.KIND_PROPERTY_ARRAY
            elif name == "WEAK_ARRAY_LIST_TYPE":
                kinds[i] = W.KIND_WEAK_ARRAY_LIST
            elif name == "BYTECODE_ARRAY_TYPE":
                kinds[i], params[i] = W.KIND_BYTECODE, bytecode_data
            elif r.is_context_type(it) or name.endswith(fixed_array_like):
                kinds[i] = W.KIND_FIXED_ARRAY
        self.map_kinds = kinds
        self.map_params = params
        self.native_context_type = self._check_native_context()
        for i, m in enumerate(self.maps):
            if m.instance_type == self.native_context_type and not m.instance_size:
                params[i] = 8  # the MicrotaskQueue* after the slots (versions.py)
        detected = self._detect_free_space()
        if detected is None:
            self.free_space_type = free_space
            if free_space is None:
                self.problems.append("FREE_SPACE_TYPE neither exported nor detected")
            unit = self.facts.free_space_unit
        else:
            self.free_space_type, unit = detected
            if free_space is not None and free_space != detected[0]:
                self.problems.append(f"FREE_SPACE_TYPE {free_space} but the data says "
                                     f"{detected[0]}")
        for i, m in enumerate(self.maps):
            if m.instance_type == self.free_space_type:
                kinds[i], params[i] = W.KIND_FREE_SPACE, unit

    def _check_native_context(self) -> int | None:
        """NATIVE_CONTEXT_TYPE, checked against the data: the context type whose objects end
        one word after their slots (`24 + 8*length`: the raw MicrotaskQueue* follows them),
        where the next object or the area end starts. A type the data contradicts, or finds
        elsewhere, is a problem (the walk would lose sync in every native context)."""
        r = self.reader
        want = self.facts.native_context_type
        cand = [i for i, m in enumerate(self.maps)
                if r.is_context_type(m.instance_type) and not m.instance_size]
        if not cand:
            return want
        keys = np.sort(self.map_keys[cand])
        types = {int(self.maps[i].address): self.maps[i].instance_type for i in cand}
        found: Counter[int] = Counter()
        for a, b, _ in self.areas():
            words = self._words(a, b)
            if words is None:
                continue
            for off in W.scan_map_words(words, keys).tolist():
                h = int(words[off + 1]) if off + 1 < len(words) else 1
                n = h >> 32
                if h & 0xFFFFFFFF or not 16 <= n < 4096:
                    continue
                end = off + 3 + n
                if end <= len(words) and not self._is_map_word(int(words[end - 1])) and (
                        end == len(words) or int(words[end]) == 0
                        or self._is_map_word(int(words[end]))):
                    found[types[int(words[off])]] += 1
        if not found:
            self.problems.append("no native context found (NATIVE_CONTEXT_TYPE "
                                 f"{want} unconfirmed)")
            return want
        seen = found.most_common(1)[0][0]
        if want is not None and seen != want:
            self.problems.append(f"NATIVE_CONTEXT_TYPE {want} but the data says {seen}")
        return seen

    def _is_map_word(self, word: int) -> bool:
        k = int(np.searchsorted(self.map_keys, np.uint64(word)))
        return k < len(self.map_keys) and int(self.map_keys[k]) == word

    def _detect_free_space(self) -> tuple[int, int] | None:
        """(FREE_SPACE_TYPE, size unit) from the data: the variable-size type whose objects
        hold their own size as a Smi at +8 (bytes, or words from V8 13) and end exactly where
        the next object (or the area) starts. Checks the exported value on older V8s too."""
        exported = self.constants.type_id("FREE_SPACE_TYPE")
        cand = [i for i, m in enumerate(self.maps)
                if not m.instance_size and not self.reader.is_string_type(m.instance_type)
                and (m.instance_type not in self.reader.type_names
                     or m.instance_type == exported)]
        if not cand:
            return None
        keys = self.map_keys[cand]
        order = np.argsort(keys)
        keys = keys[order]
        score: Counter[tuple[int, int]] = Counter()
        total: Counter[int] = Counter()
        all_keys = self.map_keys

        def is_map(word: int) -> bool:
            k = int(np.searchsorted(all_keys, np.uint64(word)))
            return k < len(all_keys) and int(all_keys[k]) == word

        for a, b, _ in self.areas():
            words = self._words(a, b)
            if words is None:
                continue
            for off in W.scan_map_words(words, keys).tolist():
                if off + 1 >= len(words):
                    continue
                k = int(np.searchsorted(keys, words[off]))
                t = self.maps[cand[int(order[k])]].instance_type
                value = int(words[off + 1]) >> 32
                total[t] += 1
                for unit in (1, 8):
                    size = value * unit
                    if size < 16 or size % 8:
                        continue
                    end = off + size // 8
                    if end == len(words) or end < len(words) and (
                            int(words[end]) == 0 or is_map(int(words[end]))):
                        score[(t, unit)] += 1
        best = [(score[k] / total[k[0]], total[k[0]], k) for k in score if total[k[0]] >= 3]
        best.sort(reverse=True)
        if best and best[0][0] >= 0.9:
            return best[0][2]
        return None

    # -- walking --------------------------------------------------------------------------

    def walk(self) -> WalkResult:
        """Every object on the live pages (exact walk), computed once."""
        if self._walk is not None:
            return self._walk
        t0 = time.perf_counter()
        addrs, maps, sizes = [], [], []
        skipped = inferred = unreadable = 0
        for a, b, _ in self.areas():
            one = self._walk_area(a, b)
            if one is None:
                unreadable += 1
                continue
            addrs.append(one[0])
            maps.append(one[1])
            sizes.append(one[2])
            skipped += one[3]
            inferred += one[4]
        stale = sum(1 for p in self.pages if p.kind(self.facts) == "new-from")
        result = WalkResult(
            address=np.concatenate(addrs) if addrs else np.zeros(0, np.uint64),
            map_index=np.concatenate(maps) if maps else np.zeros(0, np.int32),
            size=np.concatenate(sizes) if sizes else np.zeros(0, np.int64),
            skipped_bytes=skipped, inferred=inferred, stale_pages=stale,
            unreadable_pages=unreadable,
        )
        order = np.argsort(result.address, kind="stable")
        result.address, result.map_index, result.size = (
            result.address[order], result.map_index[order], result.size[order])
        result.seconds = time.perf_counter() - t0
        self._walk = result
        return result

    def _walk_area(self, a: int, b: int, code: bool = False) -> tuple | None:
        """(addresses, map indexes, sizes, skipped, inferred) of the objects of one area;
        `code`: walk it as a code page (resync on code maps only) whatever object comes first."""
        words = self._words(a, b)
        if words is None:
            return None
        if not hasattr(self, "_code_keys"):
            self._code_keys = self._code_page_keys()
        code_keys = self._code_keys
        n = len(words)
        keys = self.map_keys
        if code_keys is not None and n and (code or int(words[0]) in self._code_maps):
            keys = code_keys  # machine code embeds map pointers: resync on code maps only
        off = np.empty(n // 2 + 1, dtype=np.int64)
        mi = np.empty(n // 2 + 1, dtype=np.int32)
        sz = np.empty(n // 2 + 1, dtype=np.int64)
        if keys is self.map_keys:
            cnt, sk, inf = W.walk_area(words, keys, self.map_kinds, self.map_params, off, mi, sz)
        else:
            cnt, sk, inf = W.walk_area(words, keys, self.map_kinds[self._code_idx],
                                       self.map_params[self._code_idx], off, mi, sz)
            mi[:cnt] = self._code_idx[mi[:cnt]]
        return (np.uint64(a) + off[:cnt].astype(np.uint64) * np.uint64(8), mi[:cnt].copy(),
                sz[:cnt].copy(), sk, inf)

    def object_at(self, address: int, code: bool = False) -> tuple[int, int] | None:
        """(tagged object, map index) of the walked object whose body holds `address`,
        walking only the one page area that contains it (a JIT pc -> its code object, with
        `code`: a code page whose first object is a filler is walked as one too)."""
        for a, b, _ in self.areas():
            if a <= address < b:
                one = self._walk_area(a, b, code)
                if one is None:
                    return None
                addrs, maps, sizes = one[0], one[1], one[2]
                k = int(np.searchsorted(addrs, np.uint64(address), side="right")) - 1
                if k >= 0 and address < int(addrs[k]) + int(sizes[k]):
                    return int(addrs[k]) + 1, int(maps[k])
                return None
        return None

    def release_walk(self) -> None:
        """Drop the cached walk (about 20 bytes an object) and the core's resident pages.

        For the end of a big analysis, once the reference graph is built: nothing after it
        needs the walk, and `walk()` recomputes it (the same result) if something does.
        With Workers in the core, the main thread's scripts are read first: each Worker is
        named by a script the main thread did not load (`core_isolates.worker_script`).
        """
        if len(self.isolates) > 1:
            self.user_scripts()
        self._walk = None
        from triage.v8.graph import release_core_pages

        release_core_pages(self)

    def _code_page_keys(self) -> np.ndarray | None:
        """Map words allowed on code pages: code objects, free space and fillers."""
        t = self.constants.types
        code_types = {t[n] for n in ("INSTRUCTION_STREAM_TYPE", "CODE_TYPE") if n in t}
        if "INSTRUCTION_STREAM_TYPE" in t:
            code_types = {t["INSTRUCTION_STREAM_TYPE"]}
        allowed = []
        self._code_maps: set[int] = set()
        for i, m in enumerate(self.maps):
            if m.instance_type in code_types:
                self._code_maps.add(m.address)
                allowed.append(i)
            elif m.instance_type == self.free_space_type or (
                    m.instance_size in (8, 16) and m.instance_type not in self.reader.type_names):
                allowed.append(i)
            elif self.reader.type_names.get(m.instance_type) == "FILLER_TYPE":
                allowed.append(i)
        if not self._code_maps:
            return None
        self._code_idx = np.array(allowed, dtype=np.int32)
        return self.map_keys[self._code_idx]

    # -- naming ---------------------------------------------------------------------------

    def map_names(self) -> list[str]:
        """Class name per map (index like `maps`), DevTools-style; computed once."""
        if self._names is None:
            from triage.v8.naming import name_maps

            self._names = name_maps(self)
        return self._names

    def histogram(self, include_internal: bool = True) -> list[dict]:
        """[{type, count, shallow_bytes}] by constructor / class name, largest first.

        Free space and fillers are left out; objects on new-space from-pages are never
        walked. `include_internal=False` keeps only JS-visible kinds (objects, arrays,
        strings, closures, numbers...), dropping V8's "(system) ..." entries.
        """
        w = self.walk()
        names = self.map_names()
        n = len(self.maps)
        counts = np.bincount(w.map_index, minlength=n)
        sizes = np.bincount(w.map_index, weights=w.size, minlength=n)
        agg_count: Counter[str] = Counter()
        agg_size: Counter[str] = Counter()
        for i in np.flatnonzero(counts).tolist():
            name = names[i]
            if name in ("(free space)", "(filler)"):
                continue
            if not include_internal and name.startswith("(system)"):
                continue
            agg_count[name] += int(counts[i])
            agg_size[name] += int(sizes[i])
        rows = [{"type": k, "count": agg_count[k], "shallow_bytes": agg_size[k]} for k in agg_count]
        rows.sort(key=lambda r: (-r["shallow_bytes"], r["type"]))
        return rows

    def instances(self, type_name: str, limit: int | None = 100) -> list[int]:
        """Tagged addresses of objects whose class name is `type_name` (address order)."""
        sel = self._instance_rows(type_name)
        if limit is not None:
            sel = sel[:limit]
        return [int(a) + 1 for a in self.walk().address[sel].tolist()]

    def objects_of_instance_type(self, instance_type_name: str) -> list[int]:
        """Tagged addresses of every walked object of one V8 instance type
        (`JS_MESSAGE_OBJECT_TYPE`), garbage included, address order."""
        rows = self._rows_of_maps([i for i, m in enumerate(self.maps)
                                   if self.reader.type_name(m.instance_type) == instance_type_name])
        return [int(a) + 1 for a in self.walk().address[rows].tolist()]

    def instance_count(self, type_name: str) -> int:
        """How many objects `instances` would list without a limit (so a listing can say
        that it shows 5 of 10)."""
        return len(self._instance_rows(type_name))

    def _instance_rows(self, type_name: str) -> np.ndarray:
        return self._rows_of_maps([i for i, n in enumerate(self.map_names()) if n == type_name])

    def _rows_of_maps(self, maps: list[int]) -> np.ndarray:
        """Rows of the walk whose map is one of `maps` (indexes into `self.maps`)."""
        if not maps:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.walk().map_index, np.array(maps, dtype=np.int32)))

    def user_scripts(self) -> list[str]:
        """Names of the Script objects that are not Node's own (`node:...`), address order;
        computed once.

        A Worker's isolate compiles its entry script (or `[worker eval]`) itself, so this
        names the worker. All of them, up to `_USER_SCRIPTS_LIMIT`: a Worker is named by its
        first script the main thread did not load, and an app loads hundreds of modules (20,
        the limit before, left most of them out of that comparison)."""
        if self._user_scripts is not None:
            return self._user_scripts
        r = self.reader
        if r.script_type is None:
            return []
        idx = [i for i, m in enumerate(self.maps) if m.instance_type == r.script_type]
        w = self.walk()
        out: list[str] = []
        seen: set[str] = set()
        for a in w.address[np.isin(w.map_index, np.array(idx, dtype=np.int32))].tolist():
            name = r.script_name(int(a) + 1)
            if name and not name.startswith("node:") and name not in seen:
                seen.add(name)
                out.append(name)
                if len(out) >= _USER_SCRIPTS_LIMIT:
                    break
        self._user_scripts = out
        return out

    def class_name_of(self, obj: int) -> str | None:
        """Class name of one object (through its map), as the histogram names it."""
        if not is_heap_object(obj):
            return None
        mword = self.reader.u64(obj - 1)
        if mword is None:
            return None
        k = int(np.searchsorted(self.map_keys, np.uint64(mword)))
        if k < len(self.map_keys) and int(self.map_keys[k]) == mword:
            return self.map_names()[k]
        return None

    # -- other views (implemented in their own modules) -------------------------------------

    def inspect(self, address: int, depth: int = 1, source: bool = False) -> dict:
        """A plain-dict description of the object at `address` (tagged or untagged); with
        `source`, a function's source text."""
        from triage.v8.inspect import inspect_object

        return inspect_object(self, address, depth, source)

    def js_stack(self, thread: int | None = None, markers: bool = False) -> list:
        """JS frames of `thread` (a tid; default: the crashing thread), innermost first;
        with `markers`, V8's `<exit>` / `<entry>` frames between them."""
        from triage.v8.stack import js_stack

        return js_stack(self, thread, markers)

    def js_stack_from_frames(self, frames: list[tuple[int, int]]) -> list:
        """JS frames from (fp, pc) pairs given by an external unwinder such as lldb."""
        from triage.v8.stack import js_frames_from_fps

        return js_frames_from_fps(self, frames)

    def capabilities(self) -> dict[str, Capability]:
        from triage.v8.probe import capabilities

        return capabilities(self)

    def to_heap_graph(self) -> HeapGraph:
        """The reference graph of this heap with its GC roots (`graph.py`, `roots.py`).

        `graph.meta["capability"]` says whether the roots were exact or conservative.
        """
        from triage.v8.graph import build_heap_graph

        return build_heap_graph(self)


def find_pages(core: CoreFile, lay: PageLayout) -> tuple[list[Page], list[Page]]:
    """(pages, rejected) of `core` under one chunk layout (`calibrate` tries each): the
    pages of the Heap* most pages share, and read-only pages; the rest rejected."""
    bare = object.__new__(V8Heap)
    bare.core = core
    found = bare._scan_pages(lay)
    heaps = Counter(pg.heap for pg in found if pg.heap)
    if not heaps:
        return found, []
    shared = heaps.most_common(1)[0][0]
    return ([pg for pg in found if pg.heap in (0, shared)],
            [pg for pg in found if pg.heap not in (0, shared)])
