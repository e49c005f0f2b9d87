// A native addon faults. crasher.node is built from dumps/native/crasher.c by
// dumps/crash.py before the run; CRASH_MODE selects segv (null write) or assert.
// Expected: SIGSEGV (SEGV_MAPERR) at address 0 in crash_with_null_write, or an
// assertion via __assert_fail.
function loadAddon() {
  const module = { exports: {} };
  process.dlopen(module, require("path").join(__dirname, "crasher.node"));
  return module.exports;
}

setTimeout(loadAddon, 1);
