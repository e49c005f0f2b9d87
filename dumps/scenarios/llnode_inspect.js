// Our equivalent of llnode's test/fixtures/inspect-scenario.js, for tests/llnode_port/
// test_port_inspect.py: one `Class` instance whose `hashmap` holds one value of each kind
// llnode's inspect test checks (strings of every representation, arrays, RegExp, Date, Error
// with and without a formatted stack, Promise, ArrayBuffer, a symbol key), a function
// context holding a string, a zlib handle (an API object) and an array, whose outer
// context holds `outerVar`. Run with --abort-on-uncaught-exception
// --expose-externalize-string: `Class.prototype.method` throws and the process aborts with
// every object alive on the stack of `closure`.
'use strict';
const zlib = require('zlib');

let outerVar = ['outer', 'variable'].join(' '); // a module-context variable
const oneSymbol = Symbol('oneSymbol');
exports.holder = {};

function thinFrom(left, right) {
  // a cons string used once as a property key is internalized: the cons becomes a thin string
  const joined = left + right;
  const probe = {};
  void probe[joined];
  return joined;
}

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
  const h = c.hashmap;
  h['some-key'] = 42;
  h['other-key'] = 'ohai';
  const half = 'this could be a bit smaller, but v8 wants big str.';
  h['cons-string'] = half;
  h['cons-string'] += half; // a ConsString of the two halves
  h['internalized-string'] = 'foobar';
  h['thin-string'] = thinFrom('foo', 'bar');
  // V8 11.4+ externalizes only strings outside the young generation: its d8 helper
  // createExternalizableString makes one there (older V8 externalizes any flat string)
  let external = ['string that will', 'be externalized and sliced'].join(' ');
  if (typeof createExternalizableString === 'function') external = createExternalizableString(external);
  externalizeString(external);
  h['externalized-string'] = external;
  h['sliced-externalized-string'] = external.substring(10, 36); // a SlicedString of it
  h['array'] = [true, 1, undefined, null, 'test', Class];
  h['long-array'] = new Array(20).fill(5);
  h['array-buffer'] = Uint8Array.of(1, 2, 3, 4, 5).buffer;
  const error = new Error('test');
  error.code = 'ERR_TEST';
  error.errno = 1;
  h['error'] = error; // its stack is never read: V8 keeps the captured frames
  const stringified = new Error('test');
  h['stringifiedError'] = stringified;
  h['stringifiedErrorStack'] = stringified.stack; // reading .stack formats it to a string
  h['promise'] = new Promise(() => {});
  h[0] = null;
  h[4] = undefined;
  h[23] = /regexp/;
  h[25] = (a, b) => { a + b; };
  h[oneSymbol] = 42;

  let scopedVar = 'scoped value';
  let scopedAPI = zlib.createDeflate()._handle;
  let scopedArray = [0, scopedAPI];

  h['date_1'] = new Date('2000-01-01');
  h['date_2'] = new Date(1);

  exports.holder = scopedAPI;
  h.scoped = function name() {
    // captures scopedVar, scopedAPI and scopedArray in closure()'s context, outerVar in the
    // module's
    return scopedVar + outerVar + scopedAPI + scopedArray;
  };

  function Class_B() {
    this.name = 'Class B';
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
