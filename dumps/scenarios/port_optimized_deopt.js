// An optimized frame whose code is deoptimized while its call runs: stopAt deoptimizes
// hotPath, then aborts. V8 rewrites hotPath's return address to a deoptimization exit of
// its code, so the pc no longer says where the call was; the frame must show function and
// script only (Node prints 14:10 from the deoptimization translation, not read here).
// Run with --allow-natives-syntax.
'use strict';

function stopAt(n) {
  if (n === 7) { %DeoptimizeFunction(hotPath); process.abort(); }
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
