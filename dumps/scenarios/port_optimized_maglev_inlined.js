// A Maglev frame (Node 24 on) that may run an inlined function when the program aborts:
// inner is small and hot, so Maglev may inline it into hotLoop. Run with
// --allow-natives-syntax. Expected, as Node prints it: stopAt < inner < hotLoop < the module.
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
%OptimizeMaglevOnNextCall(hotLoop);
hotLoop(3);
hotLoop(5);
