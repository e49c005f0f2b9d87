// An optimized frame deoptimized while a function inlined into it runs a call: stopAt
// deoptimizes hotLoop (into which inner is inlined), then aborts. V8 rewrites hotLoop's
// return address to a deoptimization exit; its safepoint table gives the call back.
// Run with --allow-natives-syntax. Expected, as Node prints it: stopAt < inner (inlined)
// < hotLoop at the call of inner < the module.
'use strict';

function stopAt(n) {
  if (n === 7) { %DeoptimizeFunction(hotLoop); process.abort(); }
  return n;
}

function inner(n) {
  return stopAt(n) + 1;
}

function hotLoop(first) {
  let total = 0;
  for (let i = 0; i < 3; i++) total += inner(first + i);
  return total;
}

%NeverOptimizeFunction(stopAt);
%PrepareFunctionForOptimization(inner);
%PrepareFunctionForOptimization(hotLoop);
hotLoop(1);
hotLoop(2);
%OptimizeFunctionOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
