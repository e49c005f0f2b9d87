// Heap with known contents for the core heap reader (tests/v8).
// Counts by construction: 3000 Session, 1500 Order, 700 Admin (class Admin extends Base),
// 250 Buffers of 4099 bytes, 40 Maps tagged "m<i>" (1 entry each), 12 Sets, 1 Probe whose
// properties cover every string representation, a dictionary-mode object and a closure.
// Ends with process.abort() in inner() <- middle() <- outer() <- a timer callback.
"use strict";

class Session {
  constructor(i) {
    this.id = i;
    this.user = "user-" + i;
    this.active = i % 2 === 0;
  }
}

class Order {
  constructor(i) {
    this.orderId = i;
    this.amount = i + 0.5;
  }
}

class Base {
  constructor(name) {
    this.name = name;
  }
}

class Admin extends Base {
  constructor(name) {
    super(name);
    this.level = 7;
  }
}

class Probe {}

function makeCounter(start) {
  let secretCount = start;
  const counterLabel = "counter-label";
  return function counter() {
    secretCount += 1;
    return counterLabel + secretCount;
  };
}

const keep = { sessions: [], orders: [], admins: [], buffers: [], maps: [], sets: [] };
for (let i = 0; i < 3000; i++) keep.sessions.push(new Session(i));
for (let i = 0; i < 1500; i++) keep.orders.push(new Order(i));
for (let i = 0; i < 700; i++) keep.admins.push(new Admin("admin-" + i));
for (let i = 0; i < 250; i++) keep.buffers.push(Buffer.alloc(4099, i & 0xff));
for (let i = 0; i < 40; i++) keep.maps.push(new Map([["tag", "m" + i]]));
for (let i = 0; i < 12; i++) keep.sets.push(new Set([i, i + 1]));

const left = ["left-part-of-a-cons-string", String(Date.now() % 7)].join("-");
const right = ["right-part-of-a-cons-string", String(process.pid % 3)].join("+");
const parent = ["a-long-parent-string-used-for-slicing", "-0123456789abcdef"].join("");
const dict = { alpha: 1, beta: "two", gamma: 3, delta: 4 };
delete dict.alpha; // deleting a non-last property turns the object into dictionary mode

const probe = new Probe();
probe.smallInt = 42;
probe.ratio = 0.25;
probe.oneByte = "plain ascii value";
probe.twoByte = "caf\u00e9 \u4e2d\u6587 two-byte";
probe.cons = left + right;
probe.sliced = parent.substring(2, 30);
probe.dict = dict;
probe.list = [1, 2, 3];
probe.map = keep.maps[0];
probe.counter = makeCounter(1000);
probe.buffer = keep.buffers[0];
probe.nothing = null;
globalThis.keep = keep;
globalThis.probe = probe;

function inner() {
  process.abort();
}

function middle() {
  inner();
}

function outer() {
  middle();
}

setTimeout(outer, 1);
