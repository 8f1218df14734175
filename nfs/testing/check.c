#include "nfs/testing/check.h"

int test_failure_count = 0;

int test_main_result(void) {
  if (test_failure_count == 0) {
    fprintf(stderr, "all checks passed\n");
    return 0;
  }
  fprintf(stderr, "%d check(s) failed\n", test_failure_count);
  return 1;
}
