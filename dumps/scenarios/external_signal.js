// Killed from outside: another process sends SIGQUIT (which dumps core).
// Expected: crash kind external_signal, sender pid = the kill command's pid.
const { spawn } = require("child_process");

function waitForever() {
  setInterval(() => {}, 1000);
}

waitForever();
spawn("kill", ["-QUIT", String(process.pid)], { stdio: "ignore" });
