// Leak: a tracing helper tags each request with `Symbol.for('request-' + id)`. Symbol.for()
// registers the symbol in V8's registry, which keeps it (and its key) for the life of the
// process: 60,000 symbols, about 7 MB, held by no object of the program at all. Beside
// them, 20,000 unregistered symbols in a Map `tags` are the program's own (the control: that
// Map is a big object, not the registry). Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

function tagFor(requestId) {
  return Symbol.for(`request-${requestId}-${'x'.repeat(30)}`);
}

for (let id = 0; id < 60000; id++) tagFor(id);

const tags = new Map();
for (let id = 0; id < 20000; id++) tags.set(id, Symbol(`local-${id}-${'y'.repeat(30)}`));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  if (tags.size === 20000) process.abort();
}, 5);
