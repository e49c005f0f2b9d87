// Leak pattern: Brotli compressors opened per response and never ended (a client that went
// away mid-response), kept in the module Map `responses`: 8 BrotliCompress streams at
// quality 5 (one 256 KiB write each) and 20 BrotliDecompress streams (one chunk each, which
// inflates to 256 KiB). Brotli's state is malloc'd by Node outside the JS heap and every
// ArrayBuffer, MiBs per compressor by quality and window: a heap snapshot shows it as
// `Node / zlib_memory`, and a core counted only the streams' JS objects until December 2026. Ends with process.abort() once
// every write has completed; with WRITE_SNAPSHOT=1 it first writes a heap snapshot (which
// collects garbage), so both hold the same live heap. Known by construction: 28 streams in
// `responses`; about 10 MiB of Brotli state per compressor, 280 KiB per decompressor.
'use strict';
const zlib = require('zlib');

const responses = new Map();
const { BROTLI_PARAM_QUALITY } = zlib.constants;
// a page of text that compresses like one: words from a small vocabulary, in a varied order
const words = ['order', 'item', 'price', 'customer', 'shipped', 'pending', 'total', 'id'];
function page(seed) {
  let text = '';
  for (let i = 0; text.length < 256 * 1024; i++) text += words[(i * 7 + seed + (i >> 3)) % 8] + ` ${i} `;
  return Buffer.from(text.slice(0, 256 * 1024));
}
const chunk = zlib.brotliCompressSync(page(0));
let pending = 0;

function open(id, stream, input) {
  pending++;
  stream.on('data', () => {});
  stream.write(input, () => { if (--pending === 0) setImmediate(crash); });
  responses.set(`response-${id}`, { id, stream, startedAt: Date.now() });
}

for (let i = 0; i < 8; i++) {
  const compressor = zlib.createBrotliCompress({ params: { [BROTLI_PARAM_QUALITY]: 5 } });
  open(i, compressor, page(i));
}
for (let i = 8; i < 28; i++) open(i, zlib.createBrotliDecompress(), chunk);

function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}
setInterval(() => responses.size, 60000);
