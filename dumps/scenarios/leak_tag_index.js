// Leak pattern: a tag index that is never pruned. `byTag` (a module-level Map) maps each
// of 1,500 tags to a Set of the Articles tagged with it; 6,000 Articles are indexed, each
// under 4 tags, so every Set holds 16 and each Article is in 4 Sets. Nothing removes an
// Article. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a
// heap snapshot.
'use strict';

class Article {
  constructor(n) {
    this.n = n;
    this.slug = `article-${n}`;
    this.text = `article ${n} `.padEnd(900, 'text ');
  }
}

const byTag = new Map();

function index(article, tags) {
  for (const tag of tags) {
    if (!byTag.has(tag)) byTag.set(tag, new Set());
    byTag.get(tag).add(article);
  }
}

for (let n = 0; n < 6000; n++) {
  // 4 distinct tags: n's slot in 4 blocks of 375 tags
  const tags = [0, 1, 2, 3].map((k) => `t${k * 375 + ((n * 11 + k) % 375)}`);
  index(new Article(n), tags);
}
module.exports = { lookup: (tag) => byTag.get(tag) };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
