// Leak: an API client caches every parsed response by its URL in a plain object exported
// as `responseCache` and never deletes one. 200 pages, each a parsed document of 500 items
// with a `tags` Array (about 25 MB). The dictionary's 200 keys each hold a tree of about
// 500 Objects and 500 Arrays: no single key holds most of it. Ends with process.abort()
// from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

module.exports.responseCache = {};

function fetchPage(url, page) {
  const items = [];
  for (let j = 0; j < 500; j++) {
    items.push({ id: page * 500 + j, title: Buffer.alloc(120, 97 + (j % 26)).toString('latin1') + j, tags: ['t' + j, 'page' + page] });
  }
  return JSON.stringify({ url, page, items });
}

for (let page = 0; page < 200; page++) {
  const url = `https://api.example.test/v1/items?page=${page}`;
  module.exports.responseCache[url] = JSON.parse(fetchPage(url, page));
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
