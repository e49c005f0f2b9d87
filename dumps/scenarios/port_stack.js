// Our equivalent of llnode's stack scenario (test/fixtures/stack-scenario.js), run with
// --abort-on-uncaught-exception: four JS frames with known receivers and arguments.
// Expected frames (innermost first): Widget.explode(this=Widget, 'explode args', 1.23,
// null) < levelThree('level three args', 1, {b: 2}) < levelTwo('level two args', 1)
// < levelOne() < the module; the throw aborts the process.
'use strict';

function levelOne() {
  levelTwo('level two args', 1);
}

function levelTwo(text, count) {
  levelThree('level three args', 1, { b: 2 });
}

function levelThree(text, count, options) {
  const widget = new Widget();
  widget.explode('explode args', 1.23, null);
}

function Widget() {
}

Widget.prototype.explode = function explode(text, ratio, nothing) {
  throw new Error('Uncaught');
};

levelOne();
