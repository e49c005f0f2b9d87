// Report on SIGUSR2 (--report-on-signal), sent by the process to itself, while a Worker
// thread runs and a loopback TCP server holds one open connection, plus two JS timers.
// Expected: trigger "Signal", event "SIGUSR2", no JS stack, one worker sub-report,
// tcp handles (listener, client, accepted socket), a timer handle, exit 0.
const fs = require("fs");
const net = require("net");
const { Worker } = require("worker_threads");

const workerCode = `
const { parentPort } = require("worker_threads");
const tick = setInterval(() => {}, 1000);
parentPort.on("message", (m) => { if (m === "stop") { clearInterval(tick); parentPort.close(); } });
parentPort.postMessage("ready");
`;

const keepAlive = setInterval(() => {}, 1000);
const idle = setTimeout(() => {}, 600000);
const accepted = [];

function reportsHere() {
  return fs.readdirSync(".").filter((f) => f.startsWith("report.") && f.endsWith(".json"));
}

function shutdown(server, client, worker) {
  clearInterval(keepAlive);
  clearTimeout(idle);
  client.destroy();
  for (const s of accepted) s.destroy();
  server.close();
  worker.postMessage("stop");
}

function waitForReport(server, client, worker, tries) {
  if (reportsHere().length > 0 || tries > 200) {
    shutdown(server, client, worker);
    return;
  }
  setTimeout(() => waitForReport(server, client, worker, tries + 1), 50);
}

function start() {
  const worker = new Worker(workerCode, { eval: true, name: "WorkerThread" });
  worker.once("message", () => {
    const server = net.createServer((sock) => accepted.push(sock));
    server.listen(0, "127.0.0.1", () => {
      const client = net.connect(server.address().port, "127.0.0.1", () => {
        setTimeout(() => {
          process.kill(process.pid, "SIGUSR2");
          waitForReport(server, client, worker, 0);
        }, 100);
      });
    });
  });
}

start();
