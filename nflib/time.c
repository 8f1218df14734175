/* Monotonic time source in nanoseconds. */
#include "nflib/time.h"

#include <time.h>

nf_time_t nf_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (nf_time_t)ts.tv_sec * NF_NS_PER_SEC + ts.tv_nsec;
}
