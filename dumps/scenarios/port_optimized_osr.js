// An optimized frame entered by on-stack replacement: the loop of longLoop is compiled by
// TurboFan while it runs (%OptimizeOsr), and a later iteration calls stopAt, which aborts.
// Run with --allow-natives-syntax. Expected, as Node prints it: stopAt < longLoop
// [optimized, OSR code] at the call of stopAt < the module.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function longLoop() {
  let total = 0;
  for (let i = 0; i < 10; i++) {
    %OptimizeOsr();
    %PrepareFunctionForOptimization(longLoop);
    total += stopAt(i);
  }
  return total;
}

%NeverOptimizeFunction(stopAt);
%PrepareFunctionForOptimization(longLoop);
longLoop();
