// An optimized (TurboFan) frame running a function inlined two levels deep when the program
// aborts: hotLoop is optimized with middle inlined into it and inner inlined into middle;
// stopAt never is (it keeps its own frame). Run with --allow-natives-syntax.
// Expected, as Node prints it: stopAt < inner (inlined) < middle (inlined) < hotLoop
// [optimized] at the call of middle < the module.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function inner(n) {
  return stopAt(n) + 1;
}

function middle(n) {
  const half = n >> 1;
  return half + inner(n);
}

function hotLoop(first) {
  let total = 0;
  for (let i = 0; i < 3; i++) total += middle(first + i);
  return total;
}

%NeverOptimizeFunction(stopAt);
%PrepareFunctionForOptimization(inner);
%PrepareFunctionForOptimization(middle);
%PrepareFunctionForOptimization(hotLoop);
hotLoop(1);
hotLoop(2);
%OptimizeFunctionOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
