// A secret passed as a JS argument is in the aborting frame: the frame's argument values
// are shown (bt, JSON) only after redaction. Expected: connectTo's arg0 is a URL with
// credentials, redacted; its host part and the function name stay visible.
'use strict';

function connectTo(url, retries) {
  process.abort();
  return [url, retries];
}

connectTo(['postgres://admin:', 'Tr0ub4dor-', 'Zq81', '@db.internal:5432/app'].join(''), 3);
