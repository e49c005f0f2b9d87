// Leak pattern: an audio decoder keeps 10,000 small Float32Array frames (views) into one 16 MiB arena in a
// Map that the main module exports (`module.exports = { tokens }`), never deleting one. The
// Map is reached through Node's own objects (`process.mainModule.exports`), and its
// instances are V8's class: both made it "Node's own structures", and no suspect, until
// December 2026. Known by construction. Ends with process.abort() from a timer.
'use strict';

const arena = new ArrayBuffer(16 * 1024 * 1024);
const tokens = new Map();
for (let i = 0; i < 10000; i++) {
  tokens.set(`t${i}`, new Float32Array(arena, i * 16, 4));
}
module.exports = { tokens };

setTimeout(() => process.abort(), 5);
