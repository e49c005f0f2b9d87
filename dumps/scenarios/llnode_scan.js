// Our equivalent of llnode's test/fixtures/scan-scenario.js, for tests/llnode_port/
// test_port_scan.py (findjsobjects, findjsinstances, findrefs): one `Class` instance (x, y,
// hashmap), ten `Class_B` held by an array that a `Class_C` holds as `.arr`, and one zlib
// handle referenced four ways (a Deflate's `_handle`, `exports.holder`, element [1] of an
// array, and the `scopedAPI` variable of closure()'s context). Run with
// --abort-on-uncaught-exception: `Class.prototype.method` throws and the process aborts.
'use strict';
const zlib = require('zlib');

let outerVar = 'outer variable';
exports.holder = {};

function closure() {
  function Class() {
    this.x = 1;
    this.y = 123.456;
    this.hashmap = {};
  }
  Class.prototype.method = function method() {
    throw new Error('Uncaught');
  };
  const c = new Class();

  let scopedVar = 'scoped value';
  let scopedAPI = zlib.createDeflate()._handle;
  let scopedArray = [0, scopedAPI];
  exports.holder = scopedAPI;
  c.hashmap.scoped = function name() {
    return scopedVar + outerVar + scopedAPI + scopedArray;
  };

  function Class_B() {
    this.my_class_b = 'Class B';
  }
  function Class_C(bs) {
    this.arr = bs;
    this.my_class_c = 'My Class C';
  }
  const bs = [];
  for (let i = 0; i < 10; i++) bs.push(new Class_B());
  const classC = new Class_C(bs);
  void classC;

  c.method();
}

closure();
