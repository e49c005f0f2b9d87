// One object of each common JS kind with known values, for inspect (tests/v8/
// test_v8_inspect_kinds.py). All are properties of one `Kinds` instance kept as
// `globalThis.kinds`. Prints one line, `KINDS {json}` (the Error's formatted stack, whose
// paths depend on the working directory), then aborts from a timer.
"use strict";
const zlib = require("zlib");

class Kinds {}

function boundTarget(a, b) {
  return [this, a, b];
}

const kinds = new Kinds();
kinds.regexp = /ab+c/gi;
kinds.date = new Date(Date.UTC(2000, 0, 1));
const bytes = new ArrayBuffer(80);
const all = new Uint8Array(bytes);
for (let i = 0; i < all.length; i++) all[i] = i;
kinds.arrayBuffer = bytes; // 00 01 .. 4f: 80 bytes, more than the 64 shown
kinds.typedArray = new Uint8Array(bytes, 4, 8); // 04 .. 0b
kinds.dataView = new DataView(bytes, 2, 4); // 02 03 04 05
kinds.int32Array = new Int32Array([1, -1, 0x01020304]);
// a GitHub-style token in a buffer's bytes: inspect's hex must be redacted like a string
kinds.payload = Buffer.from("auth ghp_" + "Zq8".repeat(12) + " end");
kinds.error = new Error("kinds error message");
kinds.error.code = "ERR_KINDS";
const stack = kinds.error.stack; // formats the stack: a string from here on
kinds.unreadError = new Error("stack never read"); // its stack stays unformatted frames
kinds.promisePending = new Promise(() => {});
kinds.promiseFulfilled = Promise.resolve(42);
kinds.promiseRejected = Promise.reject("kinds-rejected");
kinds.promiseRejected.catch(() => {});
kinds.map = new Map([["mk", "mv"]]);
kinds.set = new Set(["sv"]);
kinds.deflate = zlib.createDeflate();
kinds.zlibHandle = kinds.deflate._handle;
kinds.boundThis = { tag: "bound-this" };
kinds.bound = boundTarget.bind(kinds.boundThis, 1, "two");
kinds.proxyTarget = { target: 1 };
kinds.proxyHandler = { get() { return 2; } };
kinds.proxy = new Proxy(kinds.proxyTarget, kinds.proxyHandler);
function* pager() {
  const page = { tag: "generator-local" };
  yield 1;
  yield page;
}
kinds.generator = pager(); // suspended at its first yield: `page` is in its registers
kinds.generator.next();
globalThis.kinds = kinds;

process.stderr.write("KINDS " + JSON.stringify({ stack }) + "\n");
// every global data property holding an object or function: the heap graph names each
const globalObjects = Object.getOwnPropertyNames(globalThis).filter((key) => {
  const d = Object.getOwnPropertyDescriptor(globalThis, key);
  return "value" in d && d.value !== null && ["object", "function"].includes(typeof d.value);
});
process.stderr.write("GLOBALS " + JSON.stringify(globalObjects) + "\n");

setTimeout(() => process.abort(), 10);
