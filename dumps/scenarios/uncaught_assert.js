// An assert.strictEqual that fails, uncaught, under --abort-on-uncaught-exception. The
// crash's top JS frame is node:assert's own (`innerFail`), while the AssertionError's stack
// starts at the program's `checkBalance` (assert hides its own frames). Known by
// construction: AssertionError "balance mismatch 100 != 99". Field finding: the error was
// on the stack but "none captured at the crash's top JS frame innerFail".
'use strict';
const assert = require('assert');

function checkBalance(a, b) {
  assert.strictEqual(a, b, `balance mismatch ${a} != ${b}`);
}

setTimeout(function reconcile() { checkBalance(100, 99); }, 1);
