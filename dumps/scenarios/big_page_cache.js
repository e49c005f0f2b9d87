// Big object: a server-side render cache, a Map from each page's URL to its rendered HTML
// (400 pages of 40 KB, never evicted: 16 MB). Its 400 keys are short strings and its 400
// values hold nearly all of it. No class of the program piles up: the one Map is the
// suspect. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a
// heap snapshot.
'use strict';

const rendered = new Map();

function render(page) {
  const url = `https://shop.example/catalog/page/${page}`;
  // (through a Buffer, as from a template engine's output: one flat string each; padEnd
  // alone makes cons strings that share one filler)
  const html = Buffer.from(`<main data-page="${page}">`.padEnd(40 * 1024, '<li>item</li>'));
  rendered.set(url, html.toString('latin1'));
}

for (let page = 0; page < 400; page++) render(page);
module.exports = { rendered };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
