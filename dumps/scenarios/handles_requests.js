// An event loop with one handle of each common kind, then a diagnostic report and
// process.abort() in the same tick, so the core's handles are the report's.
// Expected handles (besides Node's own): a listening TCP server on 127.0.0.1 (port 0: the
// kernel picks one), a client socket connected to it (its remoteAddress read once, which
// caches _peername in the heap), an interval timer, a SIGUSR2 signal handler, an fs.watch
// (fs_event). Requests: two pending fs requests, which libuv counts in its active_reqs:
// fs.stat's FSReqCallback, and fs.readFile's open (an FSReqCallback up to Node 24; Node 26
// runs it as one ReadFileJob thread-pool task, which is no ReqWrap and so not in Node's
// request list); and the client's TCPConnectWrap, done in libuv (not counted) but still in
// Node's list while its callback, which aborts, runs.
"use strict";
const fs = require("fs");
const net = require("net");

const server = net.createServer(() => {});  // accepts and keeps the socket: no pending write
server.listen(0, "127.0.0.1", () => {
  const ticker = setInterval(() => {}, 60000);
  process.on("SIGUSR2", () => {});
  const watcher = fs.watch(".", () => {});
  const client = net.connect(server.address().port, "127.0.0.1", () => {
    process.stderr.write(`connected to ${client.remoteAddress}:${client.remotePort}\n`);
    fs.readFile("missing-file-for-a-pending-request", () => {});
    fs.stat("missing-file-for-a-pending-stat", () => {});
    globalThis.kept = { server, ticker, watcher, client };
    process.report.writeReport();
    process.abort();
  });
});
