// One object keeps 64 MiB through two of its own paths: `globalThis.engine` holds a
// WebAssembly.Memory of 64 MiB (`mem`) and a view of that memory's buffer (`view`). The
// buffer is dominated by `engine` but is none of its direct parts. Ends with process.abort().
'use strict';

const mem = new WebAssembly.Memory({ initial: 1024, maximum: 2048 });
new Uint8Array(mem.buffer).fill(1);
globalThis.engine = { mem, view: new Uint8Array(mem.buffer, 0, 16) };

setTimeout(() => process.abort(), 5);
