/* A tiny Node-API addon whose registration crashes on purpose.
 * Node calls napi_register_module_v1 when the addon is loaded; no Node headers
 * are needed because we never call back into Node. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) void crash_with_null_write(void) {
  volatile int *nowhere = (volatile int *)0;
  *nowhere = 42;
}

__attribute__((noinline)) void crash_with_failed_assert(int value) {
  assert(value == 0 && "crasher: invariant violated");
}

void *napi_register_module_v1(void *env, void *exports) {
  const char *mode = getenv("CRASH_MODE");
  if (mode && strcmp(mode, "assert") == 0) {
    crash_with_failed_assert(1);
  }
  crash_with_null_write();
  return exports;
}
