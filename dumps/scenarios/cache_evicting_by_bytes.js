// A cache bounded by bytes: thumbnails in a Map, the oldest deleted while the total is over
// 6 MiB. After 5,000 requests for 2,000 ids it holds about 600 Thumb objects of 10 KB, the
// most of a small heap. A core shows the Map's deleted entries (`evicting-map`); a heap
// snapshot does not record them, so it must not say that nothing was deleted. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Thumb {
  constructor(id) {
    this.id = id;
    this.data = Buffer.alloc(10240, 97 + (id % 26)).toString('latin1');
  }
}

const MAX_BYTES = 6 * 1024 * 1024;
const thumbCache = new Map();
let bytes = 0;

function getThumb(id) {
  let thumb = thumbCache.get(id);
  if (thumb) {  // most recently used goes last
    thumbCache.delete(id);
    thumbCache.set(id, thumb);
    return thumb;
  }
  thumb = new Thumb(id);
  thumbCache.set(id, thumb);
  bytes += thumb.data.length;
  while (bytes > MAX_BYTES) {
    const [oldest, old] = thumbCache.entries().next().value;
    thumbCache.delete(oldest);
    bytes -= old.data.length;
  }
  return thumb;
}

module.exports.getThumb = getThumb;
for (let i = 0; i < 5000; i++) getThumb((i * 7919) % 2000);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
