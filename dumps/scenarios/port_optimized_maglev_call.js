// A Maglev frame (Node 24 on) calling a JS function directly, mid-expression, when the
// program aborts. Run with --allow-natives-syntax. Expected, as Node prints it:
// stopAt < hotLoop [Maglev] at the call of stopAt < the module.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function hotLoop(first) {
  let total = 0;
  for (let i = 0; i < 3; i++) {
    const value = first + i;
    total += value > 100 ? 0 : 2 * stopAt(value);
  }
  return total;
}

%NeverOptimizeFunction(stopAt);
%PrepareFunctionForOptimization(hotLoop);
hotLoop(1);
hotLoop(2);
%OptimizeMaglevOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
