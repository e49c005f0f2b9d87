// process.report.writeReport(err) from a named function; the error carries a code.
// Expected: trigger "API", event "JavaScript API", JS stack of the error:
//   makeError (report_api.js:8:15) <- writeDiagnostics (report_api.js:14:15)
//   <- main (report_api.js:19:3), errorProperties.code "ERR_PAYMENT_DECLINED", exit 0.
const pending = setInterval(() => {}, 60000);

function makeError() {
  const err = new Error("payment declined for order 42");
  err.code = "ERR_PAYMENT_DECLINED";
  return err;
}

function writeDiagnostics() {
  const err = makeError();
  process.report.writeReport(err);
}

function main() {
  writeDiagnostics();
  clearInterval(pending);
}

main();
