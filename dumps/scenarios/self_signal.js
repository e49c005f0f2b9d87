// The process sends itself SIGSEGV from JavaScript (a "hard shutdown" some services do).
// Expected: crash kind self_signal (not a native fault): the faulting thread's native frames
// run through node::Kill -> uv_kill -> kill, and the JS stack names hardShutdown.
function hardShutdown() {
  process.kill(process.pid, "SIGSEGV");
}

function onTimer() {
  hardShutdown();
}

setTimeout(onTimer, 1);
