// Aborts from a MessagePort 'message' listener. libuv delivers the message through the
// port's async handle: uv__io_poll calls uv__io_cb, which jumps (a tail call, no frame) to
// uv__async_io. lldb's backtrace shows an artificial frame for uv__io_cb there (from DWARF
// call-site records); a stack unwinder cannot, and need not, see it. Ends with
// process.abort().
'use strict';

const { port1, port2 } = new MessageChannel();
port1.on('message', function onMessage() {
  process.abort();
});
port2.postMessage('stop');
