// A Maglev frame (Node 24 on) running a function inlined two levels deep when the program
// aborts: Maglev inlines middle into hotLoop and inner into middle; stopAt never is.
// Run with --allow-natives-syntax. Expected, as Node prints it: stopAt < inner < middle <
// hotLoop at the call of middle < the module. Earlier Node runs them interpreted.
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
%OptimizeMaglevOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
