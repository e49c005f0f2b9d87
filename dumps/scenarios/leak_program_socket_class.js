// Leak: a chat server of the program's own keeps a `Socket` object (a class of the program,
// not net.Socket) per connection in the Map `io.sockets` and never removes one on
// disconnect. Known by construction: 3,000 Socket in `io.sockets`, nothing deleted. Field
// finding: the reason said "streams or sockets ... until it is destroyed", advice for
// Node's own sockets that this class does not have. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Socket {
  constructor(id) {
    this.id = id;
    this.rooms = new Set(['lobby', `room${id.length % 10}`]);
    this.connected = false;
  }
}

class Server {
  constructor() { this.sockets = new Map(); }

  connect(id) { this.sockets.set(id, new Socket(id)); }
}

globalThis.io = new Server();
for (let i = 0; i < 3000; i++) globalThis.io.connect(`sock${i}`);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
