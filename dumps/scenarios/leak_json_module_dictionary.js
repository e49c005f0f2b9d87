// No leak: a JSON module of 3,000 media types, required once, as mime-db's `db.json` is in
// every express app. The file is written to a temporary directory and removed before the
// crash. Known by construction: one plain object of 3,000 keys, each a small object, that
// is the `exports` of a `.json` Module; no leak suspect. Field finding (express, December
// 2026): "2,279 Object objects are properties of one plain object `db` used as a
// dictionary: an unbounded cache unless something deletes from it". Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-json-'));
const file = path.join(dir, 'db.json');
const types = {};
for (let i = 0; i < 3000; i++) {
  types[`application/x-type-${i}`] = { source: 'iana', compressible: i % 2 === 0,
                                        extensions: [`t${i}`, `x${i}`] };
}
fs.writeFileSync(file, JSON.stringify(types));
const db = require(file);
fs.rmSync(dir, { recursive: true });

setTimeout(function crash() {
  if (db['application/x-type-7'].source !== 'iana') throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
