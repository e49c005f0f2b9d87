// An optimized (TurboFan) loop that calls into a builtin, like the OOM scenario's
// `sessionCache.set(...)`, when the program aborts: JSON.stringify calls its replacer
// from C++, and the replacer aborts. Run with --allow-natives-syntax. Expected, as Node
// prints it: stopAt < replacer < JSON.stringify < hotLoop [optimized] at the call of
// JSON.stringify < the module.
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
%OptimizeFunctionOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
