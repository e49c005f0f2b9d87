// Uncaught throw of a plain object carrying a secret, under --abort-on-uncaught-exception.
// Known by construction: the thrown value is `{ code: 'E_AUTH', token: <a GitHub token> }`,
// thrown at uncaught_object.js:9:3 in `authorize`. The token must never reach the output.
// Field finding: no exception was found ("no Error object on the crashing thread's stack").
'use strict';

function authorize(user) {
  // the throw site
  throw { code: 'E_AUTH', user, token: 'ghp_Zq8TnW3xYb7KpL2mVc9RsD4fGh6JkA1uEo5i' };
}

setTimeout(function onRequest() { authorize('ana'); }, 1);
