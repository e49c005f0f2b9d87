// Class naming: a derived class is named by its own constructor, not its base. Known by
// construction: exactly 7 `Admin` (extends Base), 5 `Base`, and 4 objects of an anonymous
// class expression assigned to `Widget`, all held by the module-level `registry` array.
'use strict';
const v8 = require('v8');

class Base {
  constructor(name) {
    this.name = name;
  }
}
class Admin extends Base {
  constructor(name) {
    super(name);
    this.level = `level-${name}`;
  }
}
const Widget = class {
  constructor(i) {
    this.i = `w${i}`;
  }
};

const registry = [];
for (let i = 0; i < 7; i++) registry.push(new Admin(`admin${i}`));
for (let i = 0; i < 5; i++) registry.push(new Base(`base${i}`));
for (let i = 0; i < 4; i++) registry.push(new Widget(i));
setTimeout(() => {
  v8.writeHeapSnapshot('classes.heapsnapshot');
  process.exit(registry.length === 16 ? 0 : 1);
}, 10);
