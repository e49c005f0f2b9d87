// Leak: a multi-tenant service keeps sessions in a Map of Maps, one inner Map per tenant
// (`sessionsByTenant.get(tenant).set(id, session)`), and never deletes a session. 25
// tenants of 800 `UserSession`s of about 1 KB: 20,000 sessions (about 22 MB) in 25 inner
// Maps, while the outer Map has 25 entries. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class UserSession {
  constructor(tenant, n) {
    this.tenant = tenant;
    this.id = `${tenant}:${n}`;
    this.claims = Buffer.alloc(1000, 97 + (n % 26)).toString('latin1');
  }
}

const sessionsByTenant = new Map();
module.exports.sessionsByTenant = sessionsByTenant;

function login(tenant, n) {
  if (!sessionsByTenant.has(tenant)) sessionsByTenant.set(tenant, new Map());
  sessionsByTenant.get(tenant).set(n, new UserSession(tenant, n));
}

for (let n = 0; n < 20000; n++) login(`tenant-${n % 25}`, n);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
