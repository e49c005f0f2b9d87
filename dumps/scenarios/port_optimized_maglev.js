// An optimized frame compiled by Maglev (Node 24 on; earlier Node keeps hotLoop
// interpreted): its code's position table gives the loop statement (19:3) where V8 prints
// the call (19:45), so the frame must show no position rather than that one.
// Expected: stopAt < replacer < JSON.stringify < hotLoop.
// (Run with --allow-natives-syntax; %OptimizeMaglevOnNextCall exists on every major.)
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function replacer(key, value) {
  return typeof value === 'number' ? stopAt(value) : value;
}

function hotLoop(first) {
  let total = 0;
  for (let i = 0; i < 3; i++) total += JSON.stringify({ n: first + i }, replacer).length;
  return total;
}

%NeverOptimizeFunction(stopAt);
%NeverOptimizeFunction(replacer);
%PrepareFunctionForOptimization(hotLoop);
hotLoop(1);
hotLoop(2);
%OptimizeMaglevOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
