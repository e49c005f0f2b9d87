// Builds many realistic strings (request logs, headers, user records, SQL,
// URLs, error messages, identifiers) plus a few planted fake secrets, then
// writes a heap snapshot. Used by benchmarks/bench_redaction.py as a corpus
// of the strings a real heap holds; no crash.
const v8 = require('v8');

let seed = 12345;
function rnd(n) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; }
const words = ['user', 'order', 'cart', 'item', 'price', 'session', 'invoice', 'customer',
  'product', 'shipping', 'payment', 'account', 'profile', 'search', 'report', 'queue'];
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[rnd(16)]).join('');
const alnum = (n) => Array.from({ length: n },
  () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[rnd(62)]).join('');

const records = [];
for (let i = 0; i < 60000; i++) {
  const w = words[rnd(words.length)];
  const id = rnd(1000000);
  records.push({
    [`${w}Id`]: `${w}-${id}`,
    path: `/api/v1/${w}s/${id}?page=${rnd(50)}&sort=createdAt`,
    log: `${new Date(1700000000000 + i * 1000).toISOString()} INFO ${w} ${id} handled in ${rnd(900)}ms`,
    sql: `SELECT id, name, created_at FROM ${w}s WHERE id = ${id} AND deleted_at IS NULL`,
    uuid: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
    etag: `W/"${hex(16)}"`,
    message: `Cannot read properties of undefined (reading '${w}Name')`,
    file: `/srv/app/node_modules/${w}-lib/dist/index.js`,
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0',
  });
  if (i % 500 === 0) {
    records.push({
      authorization: `Bearer ${alnum(40)}`,
      email: `${w}.${id}@example.com`,
      ip: `10.${rnd(255)}.${rnd(255)}.${rnd(255)}`,
      github: `ghp_${alnum(36)}`,
      dsn: `postgres://app:${alnum(12)}@db.internal:5432/${w}`,
    });
  }
}
// Template literals are rope (cons) strings, which a snapshot does not list
// whole; a JSON round trip makes every value a flat string, as parsed
// request bodies and DB rows are.
globalThis.keep = JSON.parse(JSON.stringify(records));
v8.writeHeapSnapshot('bench.heapsnapshot');
