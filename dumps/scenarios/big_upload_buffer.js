// One big Buffer: an upload of 64 chunks of 128 KiB is collected with Buffer.concat into
// one 8 MiB Buffer, kept as `globalThis.upload.body`. The Buffer is the big object, not the
// plain `{body}` wrapper around it. Known by construction. Ends with process.abort().
'use strict';

let body = Buffer.alloc(0);
for (let i = 0; i < 64; i++) body = Buffer.concat([body, Buffer.alloc(128 * 1024, i)]);
globalThis.upload = { body, receivedAt: Date.now() };

setTimeout(() => process.abort(), 5);
