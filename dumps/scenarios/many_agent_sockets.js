// Leak with no accumulation point: a keep-alive http.Agent made for each outgoing request
// and never destroyed. Each Agent keeps its socket open and idle in its free list, and the
// server keeps the other end: 200 requests leave 400 open TCP handles (200 unreferenced
// client sockets, 200 server connections), each Socket held by its libuv handle, so no
// object holds many of them. Known by construction: 401 tcp handles with the listening
// server. Field finding (December 2026): the first page listed 12 handle lines and "… 389
// more", not what they were. Ends with process.abort() from a timer.
'use strict';
const http = require('http');

const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < 200; i++) {
    await new Promise((resolve) => {
      const agent = new http.Agent({ keepAlive: true });
      http.get({ host: '127.0.0.1', port, path: `/item/${i}`, agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
    });
  }
  setTimeout(() => process.abort(), 100);
});
