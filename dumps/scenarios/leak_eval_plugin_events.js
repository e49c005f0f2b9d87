// Leak pattern: a plugin loader runs plugin source with new Function(); the plugin's class
// PluginEvent is defined in code that has no script name, and 15,000 of its instances pile
// up in the host's Map `events`. Code compiled from a string at run time is the program's:
// the suspect is the accumulation of PluginEvent, defined in `<eval>`.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const pluginSource = `
  class PluginEvent {
    constructor(n) {
      this.n = n;
      this.body = 'e'.repeat(300) + n;
    }
  }
  return function make(n) { return new PluginEvent(n); };
`;
const make = new Function(pluginSource)();
const events = new Map();

function record(n) {
  events.set(n, make(n));
}

for (let n = 0; n < 15000; n++) record(n);

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (events.size === 15000) process.abort();
