// Not a leak: a Buffer of 16-byte records whose u16 at +10 counts 0, 1, 2, ..., as the
// index of V8's traced-handle nodes does (binary protocols lay out record tables so), and
// one whose first records read 0, 1 and the 64th 63. Neither is a block of traced handles:
// no TracedNodeBlock header with this isolate's TracedHandles* precedes them. Field
// finding (December 2026): three words of a Node 20 core that read 0, 1, 63 were taken for
// blocks that could not be read, and the roots were reported degraded. Ends with
// process.abort() from a timer.
'use strict';

const records = Buffer.alloc(16 * 256 + 16 * 64);
for (let i = 0; i < 256; i++) {
  records.writeBigUInt64LE(0x1000n + BigInt(i), 16 * i);
  records.writeUInt16LE(i, 16 * i + 10);
  records.writeUInt8(1, 16 * i + 12);  // "in use"
}
const short = 16 * 256;
records.writeUInt16LE(1, short + 16 + 10);
records.writeUInt16LE(63, short + 16 * 63 + 10);
globalThis.records = records;

setTimeout(function crash() {
  if (records.readUInt16LE(16 * 255 + 10) !== 255) throw new Error('unreachable');
  process.abort();
}, 5);
