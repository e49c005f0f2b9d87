// Leak: a UI model removes a panel from its page, but a module of the program remembers
// the last selected widget of it in `lastSelected`. Each Widget knows its `owner` and its
// `items`, so that one leaf keeps the whole removed subtree: 1 panel, 25 groups of 40
// rows of 16 cells (16,000 cells with 1 KB of text each, about 17 MB), all through
// `.owner`. A second, small, live page stays attached (no leak). Ends with process.abort()
// from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Widget {
  constructor(kind, owner) {
    this.kind = kind;
    this.owner = owner;
    this.items = [];
    this.label = '';
    if (owner) owner.items.push(this);
  }

  detach() {
    const siblings = this.owner.items;
    siblings.splice(siblings.indexOf(this), 1); // `owner` and every item stay linked
  }
}

const page = new Widget('page', null);
new Widget('toolbar', page).label = 'tools';
const panel = new Widget('panel', page);
for (let g = 0; g < 25; g++) {
  const group = new Widget('group', panel);
  for (let r = 0; r < 40; r++) {
    const row = new Widget('row', group);
    for (let c = 0; c < 16; c++) {
      new Widget('cell', row).label = Buffer.alloc(1024, 97 + (c % 26)).toString('latin1');
    }
  }
}

let lastSelected = panel.items[11].items[7].items[3];
panel.detach();

module.exports.page = page;
module.exports.selection = () => lastSelected;

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
