// A baseline (Sparkplug) frame when the program aborts. Run with --allow-natives-syntax:
// warm is compiled by Sparkplug before the call that aborts; stopAt never is optimized.
// Expected, as Node prints it: stopAt < warm [baseline] at the call of stopAt < the module.
// The frame gives function and script only, saying that the baseline pc -> bytecode
// offset table is not read, never a position of another kind of code.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function warm(n) {
  return stopAt(n) + 1;
}

%NeverOptimizeFunction(stopAt);
%NeverOptimizeFunction(warm);
%CompileBaseline(warm);
warm(1);
warm(7);
