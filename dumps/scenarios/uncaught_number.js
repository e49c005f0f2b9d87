// Uncaught throw of a small integer, under --abort-on-uncaught-exception. V8 keeps it as a
// Smi, which no word of the stack can be told to hold: the tool must say the exception was
// not found rather than show some other value.
'use strict';

function exitWith(code) {
  throw code; // a number, not an Error
}

setTimeout(() => exitWith(42), 1);
