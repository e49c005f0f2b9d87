// Leak pattern: a node-cache-like store exported by the main module. Entries live in a plain
// object keyed by session id (TTL 0: forever), so the object grows as a dictionary. No
// module variable outlives the module function (nothing captures `sessions`); the store is
// reachable as `module.exports` of the main module (`process.mainModule.exports`) and through
// its own check timer, whose arrow function captures `this`.
// Known by construction: exactly 20000 UserSession objects, in `process.mainModule.exports.data`.
// Ends with process.abort() from a timer.
'use strict';

class TTLCache {
  constructor({ stdTTL = 0, checkperiod = 600 } = {}) {
    this.data = {};
    this.options = { stdTTL, checkperiod };
    this.stats = { hits: 0, misses: 0, keys: 0 };
    this.timer = setInterval(() => this.checkData(), checkperiod * 1000);
    this.timer.unref();
  }

  set(key, value, ttl = this.options.stdTTL) {
    this.data[key] = { t: ttl ? Date.now() + ttl * 1000 : 0, v: value };
    this.stats.keys++;
  }

  get(key) {
    const entry = this.data[key];
    if (entry) {
      this.stats.hits++;
      return entry.v;
    }
    this.stats.misses++;
    return undefined;
  }

  checkData() {
    const now = Date.now();
    for (const key of Object.keys(this.data)) {
      if (this.data[key].t && this.data[key].t < now) delete this.data[key];
    }
  }
}

class UserSession {
  constructor(id) {
    this.sessionId = `s${id.toString(36)}x${(id * 7919).toString(16)}`;
    this.userId = id;
    this.roles = ['reader'];
    this.lastSeen = Date.now();
  }
}

const sessions = new TTLCache({ stdTTL: 0 });
module.exports = sessions;

for (let i = 0; i < 20000; i++) {
  const session = new UserSession(i);
  sessions.set(session.sessionId, session);
  sessions.get(session.sessionId);
}
setTimeout(function crash() {
  process.abort();
}, 5);
