// An optimized (TurboFan) frame that runs inlined code when the program aborts.
// Run with --allow-natives-syntax: hotLoop is optimized with inner inlined into it; stopAt
// never is (so it keeps its own frame and its untaken abort branch cannot deoptimize).
// Expected, as Node prints it: stopAt < inner (inlined: no frame of its own in the core)
// < hotLoop [optimized] at the call of inner < the module.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
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
