// Issue #11's abort scenario: 12,345 LedgerEntry and 678 Admin (class Admin extends Base)
// kept alive, then process.abort() called from the module's top-level code through two
// named functions. Node 20+ prints the JS stack on abort; the reader must give the same
// function:line:column for every frame, the top-level (module) frame included. The loops
// run in fill() so that the top-level code stays interpreted (a hot loop at top level is
// compiled on-stack, and optimized frames carry no bytecode offset).
"use strict";
class LedgerEntry { constructor(i) { this.id = i; this.amount = i * 3 + 0.25; } }
class Base { constructor(name) { this.name = name; } }
class Admin extends Base { constructor(name) { super(name); this.level = 3; } }

function fill(books) {
  for (let i = 0; i < 12345; i++) books.entries.push(new LedgerEntry(i));
  for (let i = 0; i < 678; i++) books.admins.push(new Admin("admin-" + i));
  return books;
}

function closeBooks(books) {
  const total = books.entries.length + books.admins.length; process.abort(total);
}

function audit(books) {
  const checked = books.entries.length > 0;
  return checked && closeBooks(books);
}

const ledger = fill({ entries: [], admins: [] });
globalThis.ledger = ledger;
const started = Date.now();
audit(ledger);
