// External memory behind small views: a module-level Map `uploads` holds exactly 600
// `UploadRecord`s, each keeping a 32-byte `subarray` view (`head`) of one of 200 Buffers of
// 256 KiB (three records per Buffer). The views keep their Buffers' backing stores alive:
// 50 MiB outside the JS heap, retained by `uploads`. Ends with process.abort() from a timer;
// with WRITE_SNAPSHOT=1 it first writes a heap snapshot (which collects garbage), so the core
// and the snapshot hold the same live heap.
'use strict';

class UploadRecord {
  constructor(id, head) {
    this.id = id;
    this.head = head;
  }
}

const uploads = new Map();
for (let i = 0; i < 200; i++) {
  const body = Buffer.alloc(256 * 1024, i & 0xff);
  for (let j = 0; j < 3; j++) {
    uploads.set(`upload-${i}-${j}`, new UploadRecord(i * 3 + j, body.subarray(j * 32, j * 32 + 32)));
  }
}
module.exports = { uploads };

setTimeout(function crash() {
  if (uploads.size !== 600) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
