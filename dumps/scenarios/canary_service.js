// Redaction gate, service edition: a small HTTP service that holds real-looking secrets the
// way services do, then aborts (core). The test (tests/gate/service_canaries.py) passes:
//   * the service's own secrets in the environment (AWS, Datadog, Heroku, Mailgun, Twilio,
//     Sentry DSN, database URL, session secret) and on the command line
//     (`--db-password=...`, `--admin-token <value>`);
//   * CLIENT_FIXTURE: JSON of what a client sends (credentials, card, SSN, phone, PEM and
//     OpenSSH private keys, an opaque bearer token, a session id, an API key).
// The client part of this script sends real HTTP requests to the server part on 127.0.0.1
// (ephemeral port) with Authorization / Cookie / X-Api-Key headers and JSON bodies. The
// server keeps what it received in named classes (so `--instances` finds every holder):
// secrets as property values, Map keys, property names, Buffers, two-byte (UTF-16), cons
// and sliced strings, array elements, and card / SSN / phone numbers stored as JS numbers.
'use strict';
const http = require('http');
const v8 = require('v8');

const env = process.env;
const argv = process.argv.slice(2);
const fixture = JSON.parse(env.CLIENT_FIXTURE);

class ServiceConfig {
  constructor() {
    this.env = { ...env }; // config libraries copy the environment into plain objects
    this.integrations = [
      { provider: 'aws', id: env.AWS_ACCESS_KEY_ID, secret: env.AWS_SECRET_ACCESS_KEY },
      { provider: 'datadog', key: env.DD_API_KEY },
      { provider: 'heroku', key: env.HEROKU_API_KEY },
      { provider: 'mailgun', key: env.MAILGUN_API_KEY },
      { provider: 'twilio', account: env.TWILIO_ACCOUNT_SID, token: env.TWILIO_AUTH_TOKEN },
    ];
    this.sentry = env.SENTRY_DSN;
    this.database = env.DATABASE_URL;
    this.argv = argv.slice();
    this.adminToken = argv[argv.indexOf('--admin-token') + 1];
    // versions are not secrets: `V8 11.3.244.8` must not read as an IPv4 address
    this.versions = { node: process.version, v8: process.versions.v8,
                      banner: `Node ${process.version} V8 ${process.versions.v8.split('-')[0]}` };
    this.raw = Buffer.from(env.SESSION_SECRET); // Buffer bytes
  }
}

class RequestRecord {
  constructor(req, text) {
    this.method = req.method;
    this.url = req.url;
    this.headers = req.headers; // authorization, cookie, x-api-key
    this.rawHeaders = req.rawHeaders; // [name, value, name, value, ...]
    this.body = JSON.parse(text);
    this.rawBody = Buffer.from(text);
    this.bodyText = text;
    const auth = req.headers.authorization;
    this.bearer = auth.slice(7); // a sliced string of the header
    this.wide = `\u20ac${this.body.password}\u20ac`; // a two-byte (UTF-16) string
  }
}

class Session {
  constructor(user, csrf, cookie) {
    this.user = user;
    this.csrf = csrf;
    this.cookie = cookie;
    this.hits = 1;
  }
}

class SessionStore {
  constructor() {
    this.sessions = new Map(); // session id (from the cookie) -> Session
    this.byCookie = {}; // the whole Cookie header used as a property name
    this.apiKeys = new Map(); // X-Api-Key value -> owner
    this.byToken = Object.create(null); // bearer token used as a property name
    this.recentTokens = [];
  }
}

class Customer {
  constructor(body) {
    this.email = body.email;
    this.card = Number(body.payment.cardNumber.replace(/ /g, '')); // a card number as a number
    this.ssn = Number(body.ssn.replace(/-/g, '')); // an SSN as a number
    this.phone = Number(body.phone.replace(/\D/g, '').slice(1)); // a phone number as a number
    this.cardText = `${body.payment.cardNumber.slice(0, 9)}${body.payment.cardNumber.slice(9)}`;
    this.numbers = [this.card, this.ssn, this.phone];
  }
}

class KeyRing {
  constructor(body) {
    this.tls = body.tlsKey;
    this.tlsLines = body.tlsKey.split('\n'); // the key's lines one by one
    this.deploy = body.deployKey;
    this.deployLines = body.deployKey.split('\n');
    this.pinned = body.tlsKey.slice(0, 200); // a sliced head of the key
  }
}

const store = new SessionStore();
const customers = [];
const keyrings = [];
const requests = [];
const config = new ServiceConfig();
globalThis.service = { config, store, customers, keyrings, requests };

function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    const record = new RequestRecord(req, text);
    requests.push(record);
    const sid = /connect\.sid=([^;]+)/.exec(req.headers.cookie)[1];
    const session = new Session(record.body.email, record.body.csrf, req.headers.cookie);
    store.sessions.set(decodeURIComponent(sid), session);
    store.byCookie[req.headers.cookie] = session;
    store.apiKeys.set(req.headers['x-api-key'], { owner: record.body.email });
    store.byToken[record.bearer] = record.body.email;
    store.recentTokens.push('Bearer ' + record.bearer); // a cons string
    customers.push(new Customer(record.body));
    keyrings.push(new KeyRing(record.body));
    res.writeHead(204);
    res.end();
  });
}

function send(port, i) {
  const body = JSON.stringify({ ...fixture.body, request: i });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: `/orders?attempt=${i}`,
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${fixture.bearer}`,
        Cookie: `connect.sid=${encodeURIComponent(fixture.sid)}; csrf_token=${fixture.body.csrf}`,
        'X-Api-Key': fixture.apiKey,
      },
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
}

const server = http.createServer(handle);
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < 3; i++) await send(port, i);
  process.report.writeReport('report.canary_service.json');
  v8.writeHeapSnapshot('canary_service.heapsnapshot');
  process.abort();
});
