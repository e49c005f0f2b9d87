// Uploads kept as Blobs, whose bytes are native (Node's DataQueue), not ArrayBuffers: a
// global Array `uploads` of 120 Blobs of 256 KiB made from Buffers (30 MiB outside the JS
// heap), an Array `previews` of 10 slices of 1 KiB of the first upload (they share its
// bytes), and, where fs.openAsBlob exists (Node 20+), an Array `files` of 3 file-backed Blobs
// of 4 MiB (on disk, holding no memory). Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot (which collects garbage), so the core and
// the snapshot hold the same live heap.
'use strict';
const fs = require('fs');

globalThis.uploads = [];
for (let i = 0; i < 120; i++) uploads.push(new Blob([Buffer.alloc(256 * 1024, i & 0xff)]));
globalThis.previews = [];
for (let i = 0; i < 10; i++) previews.push(uploads[0].slice(i * 1024, (i + 1) * 1024));
globalThis.files = [];

async function main() {
  if (fs.openAsBlob) {
    fs.writeFileSync('upload.bin', Buffer.alloc(4 << 20));
    for (let i = 0; i < 3; i++) files.push(await fs.openAsBlob('upload.bin'));
  }
  setTimeout(function crash() {
    if (uploads.length !== 120) throw new Error('unreachable');
    if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
    process.abort();
  }, 5);
}
main();
