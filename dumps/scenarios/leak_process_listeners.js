// Leak pattern: every request adds a `process.on('exit')` listener that closes over an 8 KB
// string of its own and never removes it (setMaxListeners(0) silenced the warning). No class
// of the program is involved, and `process` is Node's object: what grows is
// `process._events.exit`, 2,000 closures keeping 16 MB. Ends with process.abort() from a timer.
'use strict';

// With the argument `bound`, each listener is `cleanup.bind(null, note)`: a bound function
// is V8's builtin, and only its target is the program's.
function cleanup(note) {
  return note.length;
}

process.setMaxListeners(0);
for (let i = 0; i < 2000; i++) {
  const note = Buffer.alloc(8000, 97 + (i % 26)).toString('latin1');
  process.on('exit', process.argv[2] === 'bound' ? cleanup.bind(null, note) : () => note.length);
}

setTimeout(function crash() {
  process.abort();
}, 5);
