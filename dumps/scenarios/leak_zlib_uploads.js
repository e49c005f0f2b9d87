// Leak pattern: compression streams opened per upload and never closed. Each entry of the
// module Map `openStreams` keeps a zlib Deflate (300 of them, each after one write) or an
// Inflate (100, each after inflating one compressed chunk, so it has its window). zlib's own
// state is malloc'd by Node (about 280 KiB per compressor at the defaults, 41 KiB per
// decompressor), outside the JS heap and every ArrayBuffer: a heap snapshot shows it as
// `Node / zlib_memory`, where a core counted only the few KiB of JS objects per stream
// until December 2026. Known by construction: 400 streams in `openStreams`, 85 MiB of zlib
// state. Ends with process.abort() once every write has completed; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot (which collects garbage), so both hold the same live heap.
'use strict';
const zlib = require('zlib');

const openStreams = new Map();
const chunk = zlib.deflateSync(Buffer.alloc(64 * 1024, 'a'));
let pending = 0;

function open(id, stream, input) {
  pending++;
  stream.on('data', () => {});
  stream.write(input, () => { if (--pending === 0) setImmediate(crash); });
  openStreams.set(`upload-${id}`, { id, stream, startedAt: Date.now() });
}

for (let i = 0; i < 300; i++) open(i, zlib.createDeflate(), Buffer.alloc(1024, i & 0xff));
for (let i = 300; i < 400; i++) open(i, zlib.createInflate(), chunk);

function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}
setInterval(() => openStreams.size, 60000);
