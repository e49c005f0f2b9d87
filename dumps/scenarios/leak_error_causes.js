// Leak pattern: a retry wrapper wraps each failure in a new error whose `cause` is the
// previous one, and keeps the last in `globalThis.lastFailure`: 3,000 RetryErrors are one
// linked list (by `cause`) held by one global property. Known by construction. Ends with
// process.abort() from a timer.
'use strict';

class RetryError extends Error {
  constructor(attempt, cause) {
    super(`attempt ${attempt} failed`, { cause });
    this.attempt = attempt;
  }
}

let last = null;
for (let i = 0; i < 3000; i++) last = new RetryError(i, last);
globalThis.lastFailure = last;

setTimeout(() => process.abort(), 5);
