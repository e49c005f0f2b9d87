// Our equivalent of the backtrace part of llnode's inspect scenario: a method of a class
// defined inside a closure throws (run with --abort-on-uncaught-exception). Its frame's
// `this` is the Holder (x = 1, y = 123.456, table = a plain object) and its function's
// source text is known.
'use strict';

function makeAndThrow() {
  function Holder() {
    this.x = 1;
    this.y = 123.456;
    this.table = {};
  }

  Holder.prototype.method = function method() {
    throw new Error('Uncaught');
  };

  const holder = new Holder();
  holder.table['some-key'] = 42;
  holder.method();
}

makeAndThrow();
