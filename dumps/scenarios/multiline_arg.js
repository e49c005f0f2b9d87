// A JS frame whose argument is a multi-line string: llnode's `v8 bt` prints the value with
// its newlines, so one frame spans several lines of its output. The llnode cross-check must
// still read every frame (no false "differs" alarm).
function render(template, count) {
  globalThis.lastTemplate = template;
  process.abort();
}

function main() {
  render("Dear customer,\nyour order shipped.\nRegards", 3);
}

setTimeout(main, 1);
