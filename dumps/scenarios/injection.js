// Strings crafted to attack the terminal and the ticket: ANSI escapes, rich markup,
// Markdown and HTML. They sit in an error message (report + core), in Map keys (retainer
// paths and suspect reasons) and in object properties (inspect). triage must print them
// as inert data.
const PAYLOADS = [
  "\x1b[2J\x1b[31mTERMINAL-HIJACK\x1b[0m\x07",
  "[bold red]RICH-MARKUP[/bold red]",
  "<script>alert('HTML-INJECT')</script>",
  "```\n# MARKDOWN-HEADING\n| a | b |",
  "\u202eBIDI-OVERRIDE",
];

class Payload {
  constructor(text) {
    this.text = text;
  }
}

const hostileCache = new Map();
for (let i = 0; i < 200; i++) {
  const text = PAYLOADS[i % PAYLOADS.length] + i;
  hostileCache.set(text, new Payload(text));
}
globalThis.hostileCache = hostileCache;

function crash() {
  const err = new Error(PAYLOADS.join(" "));
  require("v8").writeHeapSnapshot("injection.heapsnapshot");
  process.report.writeReport("report.injection.json", err);
  process.abort();
}

setTimeout(crash, 1);
