// Leak pattern: one expiry timer per session, kept by id in the Map `globalThis.expiry`;
// sessions never close, so nothing clears them. Each of the 3,000 SessionState objects is
// held twice, by the Map and by Node's timer list, which meet only at the global object.
// Known by construction. Ends with process.abort() from a timer.
'use strict';

class SessionState {
  constructor(i) {
    this.id = i;
    this.data = { cart: [i], user: `u${i}` };
  }
}

globalThis.expiry = new Map();
for (let i = 0; i < 3000; i++) {
  const session = new SessionState(i);
  globalThis.expiry.set(i, setTimeout(() => session.id, 3_600_000));
}

setTimeout(() => process.abort(), 5);
