// Leak pattern: a DOM-like tree (children arrays, parent pointers) of 20,000 TreeNode built
// under one root held as `globalThis.page.documentRoot`, never pruned. Known by
// construction. Ends with process.abort() from a timer.
'use strict';

class TreeNode {
  constructor(tag, parent) {
    this.tag = tag;
    this.parent = parent;
    this.children = [];
    this.attrs = { id: tag };
  }
}

const documentRoot = new TreeNode('html', null);
let frontier = [documentRoot];
let made = 1;
while (made < 20000) {
  const next = [];
  for (const parent of frontier) {
    for (let k = 0; k < 4 && made < 20000; k++, made++) {
      const child = new TreeNode(`n${made}`, parent);
      parent.children.push(child);
      next.push(child);
    }
  }
  frontier = next;
}
frontier = null;
globalThis.page = { documentRoot };

setTimeout(() => process.abort(), 5);
