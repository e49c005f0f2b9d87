// A Maglev frame (Node 24 on) whose code is deoptimized while its call runs: stopAt
// deoptimizes hotLoop, then aborts, so V8 rewrote hotLoop's return address to a
// deoptimization exit. Run with --allow-natives-syntax. Expected, as Node prints it:
// stopAt < hotLoop at the call of stopAt < the module.
'use strict';

function stopAt(n) {
  if (n === 7) { %DeoptimizeFunction(hotLoop); process.abort(); }
  return n;
}

function hotLoop(first) {
  let total = 0;
  for (let i = 0; i < 3; i++) total += stopAt(first + i);
  return total;
}

%NeverOptimizeFunction(stopAt);
%PrepareFunctionForOptimization(hotLoop);
hotLoop(1);
hotLoop(2);
%OptimizeMaglevOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
