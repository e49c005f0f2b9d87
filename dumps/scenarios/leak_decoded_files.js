// A static-file cache keyed by path and deploy version: each version adds one CachedFile
// whose body is a 1.5 MiB file decoded with toString('latin1'), and old versions are never
// dropped. Node makes a string decoded from a Buffer of a megabyte or more an external
// string: its characters live outside the JS heap (30 MiB for 20 versions), and up to
// Node 22 a heap snapshot weighs each by its 32-byte header. Ends with process.abort() from
// a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class CachedFile {
  constructor(path, body) {
    this.path = path;
    this.etag = `W/"${body.length.toString(16)}"`;
    this.body = body;
  }
}

const fileCache = new Map();

function readFromDisk(path, version) {
  const bytes = Buffer.alloc(1536 * 1024, 65 + (version % 26));
  bytes.write(path, 0, 'latin1');
  return bytes;
}

function readStatic(path, version) {
  const key = `${path}?v=${version}`;
  let file = fileCache.get(key);
  if (!file) {
    file = new CachedFile(path, readFromDisk(path, version).toString('latin1'));
    fileCache.set(key, file);
  }
  return file.body;
}

module.exports.readStatic = readStatic;
for (let version = 0; version < 20; version++) readStatic('/assets/app.bundle.js', version);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
