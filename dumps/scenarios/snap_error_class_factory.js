// No leak: an error-class factory, as http-errors (in every express app) makes at load,
// defines 60 classes that inherit from one `HttpError`, each with its own prototype
// object, and keeps them in `createError[code]`. Known by construction: 60 prototype
// objects named `ClientError.prototype` by their own `constructor`, which a core's graph
// names them by; no leak suspect. Field finding (express, December 2026): a GC'd snapshot
// names each prototype by the class it inherits from, and "41 HttpError objects accumulate
// in one Function `createError`" was a suspect that the core of the same run did not have.
// Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap
// snapshot.
'use strict';

function HttpError() {
  throw new TypeError('cannot construct abstract class');
}
Object.setPrototypeOf(HttpError.prototype, Error.prototype);

function createError(status, message) {
  return new createError[status](message);
}

function makeClientError(status, name) {
  function ClientError(message) {
    const err = new Error(message || name);
    Object.setPrototypeOf(err, ClientError.prototype);
    return err;
  }
  Object.setPrototypeOf(ClientError.prototype, HttpError.prototype);
  ClientError.prototype.status = status;
  ClientError.prototype.statusCode = status;
  ClientError.prototype.expose = status < 500;
  ClientError.prototype.name = name;
  ClientError.prototype.describe = function describe() { return `${status} ${name}`; };
  return ClientError;
}

for (let i = 0; i < 60; i++) createError[400 + i] = makeClientError(400 + i, `Error${400 + i}`);
globalThis.createError = createError;

setTimeout(function crash() {
  if (createError(404).status !== 404) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
