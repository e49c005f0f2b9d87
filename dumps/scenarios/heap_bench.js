// Large heap for benchmarks/bench_core_histogram.py: `node heap_bench.js SESSIONS ORDERS`
// creates exactly that many Session and Order objects (defaults 2,000,000 / 1,000,000),
// keeps them reachable and aborts in inner() <- outer().
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

const sessions = Number(process.argv[2] || 2000000);
const orders = Number(process.argv[3] || 1000000);
const keep = { sessions: new Array(sessions), orders: new Array(orders) };
for (let i = 0; i < sessions; i++) keep.sessions[i] = new Session(i);
for (let i = 0; i < orders; i++) keep.orders[i] = new Order(i);
globalThis.keep = keep;

function inner() {
  process.abort();
}

function outer() {
  inner();
}

setTimeout(outer, 1);
