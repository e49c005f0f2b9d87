// Leak pattern: a connection tracker registers each Connection with a FinalizationRegistry
// and a held value that references the connection itself (`{id, conn}`), with an
// unregister Token kept in an Array. A registry holds its held values strongly, so no
// Connection can ever be collected: 3,000 leak. The target and the token are held weakly.
// Known by construction. Ends with process.abort() from a timer.
'use strict';

class Connection {
  constructor(id) {
    this.id = id;
    this.buffer = new Array(20).fill(id);
  }
}

class Token {
  constructor(id) {
    this.id = id;
  }
}

const tokens = [];
globalThis.tracker = new FinalizationRegistry((held) => console.log('closed', held.id));
for (let i = 0; i < 3000; i++) {
  const conn = new Connection(i);
  const token = new Token(i);
  tokens.push(token);
  globalThis.tracker.register(conn, { id: i, conn }, token);
}
globalThis.tokens = tokens;

setTimeout(() => process.abort(), 5);
