/* Time source for runtimes (NFs receive `now` as an argument). */
#ifndef NFLIB_TIME_H
#define NFLIB_TIME_H

#include "nflib/types.h"

#define NF_NS_PER_SEC 1000000000LL
#define NF_NS_PER_MS 1000000LL

/* CLOCK_MONOTONIC in ns. */
/*@ assigns \result \from \nothing;
    ensures \result >= 0; */
nf_time_t nf_time_now(void);

#endif /* NFLIB_TIME_H */
