// Our equivalent of llnode's test/fixtures/workqueue-scenario.js: an interval timer, a
// listening HTTP server and a pending fs.readFile, then an uncaught ReferenceError at the
// top level (run with --abort-on-uncaught-exception). llnode's workqueue test expects
// `v8 getactivehandles` to list a TCP object and `v8 getactiverequests` an FSReq* object.
// Port 0 instead of llnode's fixed 4321: cores of several majors may be made at once.
// Node 26 runs fs.readFile as a ReadFileJob thread-pool task (no FSReq object), so an
// fs.stat keeps one FSReqCallback pending on every major, as llnode's test expects.
"use strict";
const http = require("http");
const fs = require("fs");

setInterval(() => {}, 500);

const server = http.createServer((req, res) => { res.end("test"); });
server.listen(0, () => {});

fs.readFile("invalidFile", () => {});
fs.stat("invalidFile", () => {});

uncaughtException();
