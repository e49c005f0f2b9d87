// An optimized (TurboFan) frame's receiver and arguments, read as an interpreted frame's.
// Run with --allow-natives-syntax: hotPath is optimized before the call that aborts;
// stopAt never is (so it is never inlined and its untaken abort branch cannot deoptimize
// hotPath). Expected: <exit> < stopAt (interpreted) < hotPath [optimized](this=undefined,
// 7, 'optimized call') < the module.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function hotPath(count, label) {
  return stopAt(count) + label.length;
}

%NeverOptimizeFunction(stopAt);
%PrepareFunctionForOptimization(hotPath);
hotPath(1, 'warm');
hotPath(2, 'warm');
%OptimizeFunctionOnNextCall(hotPath);
hotPath(3, 'warm');
hotPath(7, 'optimized call');
