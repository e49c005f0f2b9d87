// Leak: a feature-config client keeps every parsed response in a module-level
// `const parsed = {}`, one key per account, and never deletes one. Each value is a parsed
// document with one nested object (`owner`) and an Array (`flags`). Known by construction:
// 3,000 keys holding 6,000 Objects (and 3,000 Arrays) in one plain object `parsed`.
// Field finding: the suspect was "3,000 Array ... each in its value's .flags", the smaller
// part of what the dictionary keeps. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const parsed = {};

function load(account) {
  const body = JSON.stringify({
    account, plan: account % 3 ? 'team' : 'free',
    owner: { name: `owner-${account}`, email: `owner${account}@example.test` },
    flags: ['beta', `cohort-${account % 11}`],
  });
  parsed[`acct_${account}`] = JSON.parse(body);
}

for (let i = 0; i < 3000; i++) load(i);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
