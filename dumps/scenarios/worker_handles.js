// Two Workers whose own event loops hold handles and a pending request, and a diagnostic
// report (its `workers` array holds each worker's own `libuv` list) written just before
// process.abort(), so the core's worker loops are the report's.
// Worker "server" (this file, workerData 'server'): a TCP server listening on 127.0.0.1
// (port 0), an interval timer (Node's one uv_timer of the worker's Environment), and an
// fs.open of a FIFO that no one writes: the open blocks a thread-pool thread, so its
// FSReqCallback stays pending in the worker's request list and counted by the worker's loop
// until the abort. Worker "watcher" (workerData 'watcher'): an fs.watch of its directory.
// The main thread makes the FIFO, waits for both workers' "ready", writes the report,
// removes the FIFO (so no cached crash directory holds one) and aborts.
'use strict';
const fs = require('fs');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const FIFO = 'never-written.fifo';

if (isMainThread) {
  require('child_process').execFileSync('mkfifo', [FIFO]);
  let waiting = 2;
  function ready() {
    if (--waiting) return;
    setTimeout(function crash() {  // the open has reached the thread pool by then
      process.report.writeReport();
      fs.unlinkSync(FIFO);
      process.abort();
    }, 200);
  }
  new Worker(__filename, { workerData: 'server' }).on('message', ready);
  new Worker(__filename, { workerData: 'watcher' }).on('message', ready);
} else if (workerData === 'watcher') {
  globalThis.kept = fs.watch('.', () => {});
  parentPort.postMessage('ready');
} else {
  const net = require('net');
  const server = net.createServer(() => {});
  server.listen(0, '127.0.0.1', function listening() {
    const ticker = setInterval(() => {}, 60000);
    fs.open(FIFO, 'r', () => {});
    globalThis.kept = { server, ticker };
    parentPort.postMessage('ready');
  });
}
