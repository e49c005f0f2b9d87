// Leak pattern: a server keeps every accepted socket in an Array and never drops one when
// it closes. 150 clients connect and end; the server's 150 sockets are closed (destroyed)
// yet still referenced. Known by construction. Aborts once all 150 have closed.
'use strict';

const net = require('net');

const open = [];
let closed = 0;
const server = net.createServer((socket) => {
  open.push(socket);
  socket.resume();
  socket.on('close', () => {
    if (++closed === 150) setTimeout(() => process.abort(), 20);
  });
});
server.listen(0, '127.0.0.1', () => {
  for (let i = 0; i < 150; i++) {
    const client = net.connect(server.address().port, '127.0.0.1', () => client.end());
    client.on('error', () => {});
  }
});
globalThis.connections = { open };
