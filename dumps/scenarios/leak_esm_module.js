// Leak pattern: the leak lives in an ES module's private variable. The script writes
// `cart_store.mjs` next to itself and imports it; its module-level `const cartLines = []`
// gains 15,000 CartLine and is never emptied. A module's context has one more header slot
// (the module) and, on V8 12+, its ScopeInfo counts module variables before the names: both
// shifted every variable name of an ES module by one ("accumulate in one Array `CartLine`",
// or "(Array) via cascadedLoader"). Known by construction. Ends with process.abort().
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const store = path.join(__dirname, 'cart_store.mjs');
fs.writeFileSync(store, `
class CartLine {
  constructor(i) { this.sku = 'SKU-' + i; this.qty = i % 5; this.meta = { i }; }
}
const cartLines = [];
export function add(i) { cartLines.push(new CartLine(i)); }
export const size = () => cartLines.length;
`);

import(pathToFileURL(store).href).then((cart) => {
  for (let i = 0; i < 15000; i++) cart.add(i);
  setTimeout(() => process.abort(), 5);
});
