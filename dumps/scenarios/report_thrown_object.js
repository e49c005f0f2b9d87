// Uncaught throw of a plain object (no Error), with --report-uncaught-exception. Node's
// report then records the JavaScript stack as message "No stack." and stack
// ["Unavailable."]: a placeholder, not the exception's message. Field finding: the first
// page said `message  No stack.`. Known by construction: exit 1, trigger "Exception".
'use strict';

function authorize() {
  throw { code: 'E_AUTH' };
}

setTimeout(function onRequest() { authorize(); }, 1);
