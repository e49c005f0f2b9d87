// Leak pattern: one deflate stream per connection, written to and never closed, kept in
// `globalThis.compressors`. Each holds a 16 KiB output buffer in the JS heap's external
// memory and zlib's native state outside it. Known by construction: 100 Deflate streams.
// Ends with process.abort() from a timer.
'use strict';

const zlib = require('zlib');

globalThis.compressors = [];
for (let i = 0; i < 100; i++) {
  const deflate = zlib.createDeflate({ level: 6 });
  deflate.write(Buffer.alloc(1024, i));
  globalThis.compressors.push(deflate);
}

setTimeout(() => process.abort(), 200);
