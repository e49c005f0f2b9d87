// Redaction gate: fake secrets ("canaries") planted in every place a dump can hold them.
// The test passes canaries through the environment (CANARY_* plus realistic names) and
// argv; this program copies them into object properties, Map keys, cons strings,
// two-byte strings, Buffers and error messages, writes a heap snapshot and a diagnostic
// report, then aborts (core). Harmless look-alikes sit beside them and must stay visible.
const v8 = require("v8");

const env = process.env;
const argToken = process.argv.find((a) => a.startsWith("--api-key=")).slice("--api-key=".length);

class Vault {
  constructor() {
    this.password = env.CANARY_PASSWORD; // sensitive property name
    this.note = `deploy with ${env.CANARY_GITHUB}`; // token inside a sentence
    this.connection = `postgres://app:${env.CANARY_DB_PASSWORD}@db.internal:5432/app`;
    this.authHeader = "Bearer " + env.CANARY_JWT.slice(0, 20) + env.CANARY_JWT.slice(20); // cons string
    this.wide = `${env.CANARY_STRIPE}\u20ac`; // two-byte string
    this.apiKey = argToken;
    this.raw = Buffer.from(env.CANARY_AWS_SECRET); // Buffer bytes
    this.requestId = env.LOOKALIKE_UUID; // harmless look-alikes
    this.commit = env.LOOKALIKE_GIT_SHA;
  }
}

const vaults = [];
for (let i = 0; i < 30; i++) vaults.push(new Vault());
const byOwner = new Map();
byOwner.set(env.CANARY_EMAIL, vaults[0]); // Map key
byOwner.set(env.CANARY_AWS_KEY_ID, vaults[1]);
globalThis.vaults = vaults;
globalThis.byOwner = byOwner;

function failLogin() {
  const err = new Error(`login failed for ${env.CANARY_EMAIL} using ${env.CANARY_GITHUB}`);
  globalThis.lastError = err;
  return err;
}

function crash() {
  const err = failLogin();
  v8.writeHeapSnapshot("canary.heapsnapshot");
  process.report.writeReport("report.canary.json", err);
  process.abort();
}

setTimeout(crash, 1);
