// Native memory outside every JS object: messages posted to a MessagePort that never
// receives (it was never started) wait in Node's native queue, serialized. 2,000 messages
// of 10 KB are 20 MB of malloc'd memory, where the JS heap holds two ports. argv[2]: how
// many messages (0 for the control run). Ends with process.abort() from a timer.
'use strict';

const { MessageChannel } = require('worker_threads');

const count = Number(process.argv[2] ?? 2000);
const { port1, port2 } = new MessageChannel();
globalThis.ports = { port1, port2 };
const body = 'm'.repeat(10000); // one string: each message is a serialized copy of it
for (let i = 0; i < count; i++) port1.postMessage({ i, body });

setTimeout(() => process.abort(), 50);
