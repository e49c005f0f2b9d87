"""The JS frames of a deoptimization translation: what V8 rebuilds an optimized frame into.

A translation (DeoptimizationData's FrameTranslation byte array, at an entry's translation
index) starts with a BEGIN opcode (lookback distance, frame count, JS frame count), then
one opcode per frame, each followed by the opcodes of that frame's values. Opcodes are a
byte, operands VLQ (7 bits a byte, low bit the sign for signed ones). To save space a
translation may repeat opcodes of the one `lookback` bytes before it
(MATCH_PREVIOUS_TRANSLATION, or an opcode byte past the last opcode: repeat that many
minus the opcode count), read from a second cursor there: this follows V8's
`DeoptTranslationIterator`. Interpreted frames' first two operands are the bytecode offset
and the literal index of their SharedFunctionInfo; outermost frame first.

Opcode numbers and operand counts change between V8 versions (`versions.py`); every walk
is bounded and any byte out of place gives None, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

_MAX_OPS = 10_000


@dataclass(frozen=True)
class OpcodeTable:
    """One V8 version's translation opcodes: operand count by opcode number, and which
    numbers are BEGIN, MATCH_PREVIOUS_TRANSLATION, interpreted and other frames."""

    operands: tuple[int, ...]
    begin: tuple[int, ...]
    match_previous: int
    interpreted: tuple[int, ...]
    frames: tuple[int, ...]  # every frame opcode, interpreted ones included

    @classmethod
    def from_names(cls, opcodes: tuple[tuple[str, int], ...]) -> OpcodeTable:
        """From a version's (name, operand count) list in opcode number order."""
        names = [name for name, _ in opcodes]
        return cls(operands=tuple(n for _, n in opcodes),
                   begin=tuple(i for i, n in enumerate(names) if n.startswith("BEGIN")),
                   match_previous=names.index("MATCH_PREVIOUS_TRANSLATION"),
                   interpreted=tuple(i for i, n in enumerate(names) if n.startswith("INTERPRETED_FRAME")),
                   frames=tuple(i for i, n in enumerate(names) if n.endswith("_FRAME")
                                or n.startswith("INTERPRETED_FRAME") or n == "INLINED_EXTRA_ARGUMENTS"))


class _Corrupt(Exception):
    pass


class _Cursor:
    def __init__(self, raw: bytes, index: int, table: OpcodeTable) -> None:
        self.raw, self.index, self.table = raw, index, table
        self.previous = 0
        self.remaining = 0  # ops still to take from the previous translation
        self.since = 0  # ops since `previous` was last moved on

    def _byte(self, at: int) -> int:
        if not 0 <= at < len(self.raw):
            raise _Corrupt
        return self.raw[at]

    def _unsigned(self, at: int) -> tuple[int, int]:
        value = shift = 0
        for _ in range(5):
            b = self._byte(at)
            at += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value, at
        raise _Corrupt

    def operand(self, signed: bool = True) -> int:
        if self.remaining:
            value, self.previous = self._unsigned(self.previous)
        else:
            value, self.index = self._unsigned(self.index)
        if not signed:
            return value
        return -(value >> 1) if value & 1 else value >> 1

    def _opcode_at_previous(self) -> int:
        op = self._byte(self.previous)
        self.previous += 1
        if op >= len(self.table.operands) or op == self.table.match_previous:
            raise _Corrupt
        return op

    def opcode(self) -> int:
        t = self.table
        if self.remaining:
            self.remaining -= 1
        if self.remaining:
            return self._opcode_at_previous()
        op = self._byte(self.index)
        self.index += 1
        if op >= len(t.operands):
            self.remaining, op = op - len(t.operands), t.match_previous
        elif op == t.match_previous:
            self.remaining = self.operand(signed=False)
        if op in t.begin:
            lookback, _ = self._unsigned(self.index)
            if lookback:
                self.previous = self.index - 1 - lookback
                if self._byte(self.previous) not in t.begin:
                    raise _Corrupt
            self.since = 1
        elif op == t.match_previous:
            for _ in range(self.since):
                for _ in range(t.operands[self._opcode_at_previous()]):
                    self._unsigned_at_previous()
            self.since = 0
            op = self._opcode_at_previous()
        else:
            self.since += 1
        return op

    def _unsigned_at_previous(self) -> None:
        _, self.previous = self._unsigned(self.previous)


def interpreted_frames(raw: bytes, index: int, table: OpcodeTable) -> list[tuple[int, int]] | None:
    """(bytecode offset, literal index) of each interpreted frame of the translation at
    `index`, outermost first; None when the bytes do not decode as one, or it has a frame
    of another kind (a builtin continuation, a constructor stub...)."""
    cursor = _Cursor(raw, index, table)
    try:
        if cursor.opcode() not in table.begin:
            return None
        cursor.operand(signed=False)  # lookback distance, used above
        frame_count, js_count = cursor.operand(), cursor.operand()
        if not 0 < frame_count <= 64 or js_count != frame_count:
            return None
        frames: list[tuple[int, int]] = []
        for _ in range(_MAX_OPS):
            op = cursor.opcode()
            if op in table.begin:
                return None
            if op in table.frames and op not in table.interpreted:
                return None
            values = [cursor.operand() for _ in range(table.operands[op])]
            if op in table.interpreted:
                if len(values) < 2:
                    return None
                frames.append((values[0], values[1]))
                if len(frames) == frame_count:
                    return frames
    except _Corrupt:
        return None
    return None
