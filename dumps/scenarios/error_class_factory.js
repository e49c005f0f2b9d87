// Control: an error-class factory, as http-errors (inside every express app) has. At load
// it makes 120 constructors that are all called `ClientError`, each with a prototype object
// of its own, kept as properties of the exported function: code, not data, made once. Nothing accumulates afterwards, so no prototype
// object may be reported as a leak. Ends with process.abort().
'use strict';

class HttpError extends Error {}

function createClientError(status, phrase) {
  function ClientError(message) {
    const err = new Error(message || phrase);
    Object.setPrototypeOf(err, ClientError.prototype);
    err.status = status;
    return err;
  }
  Object.setPrototypeOf(ClientError.prototype, HttpError.prototype);
  ClientError.prototype.status = status;
  ClientError.prototype.phrase = phrase;
  ClientError.prototype.expose = true;
  ClientError.prototype.headers = { 'x-status': `${status}` };
  ClientError.prototype.toJSON = function toJSON() { return { status, phrase }; };
  return ClientError;
}

function createError(status, message) {
  return new createError[`E${status}`](message);
}
for (let status = 400; status < 520; status++) {
  createError[`E${status}`] = createClientError(status, `client error ${status}`);
}
const errors = createError;
module.exports = createError;

let served = 0;
function handle(i) {
  served += i % 7 === 0 ? new errors.E404(`/missing/${i}`).status : 200;
  return served;
}
for (let i = 0; i < 2000; i++) handle(i);
globalThis.handleRequest = handle;

setTimeout(() => process.abort(), 5);
