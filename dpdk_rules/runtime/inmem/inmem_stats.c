#include "dpdk_rules/runtime/inmem/inmem_stats.h"

#include <inttypes.h>
#include <stdio.h>

void inmem_stats_print(const struct inmem_runtime *rt, const struct nf_par_tm *tm) {
  uint16_t workers = rt->opts.rt.workers;
  printf("%s: per-core statistics\n", nf_name);
  printf("%6s %6s %12s %12s %12s %12s %12s %12s\n", "worker", "cpu", "packets", "read_only",
         "write_rerun", "tm_commit", "tm_abort", "tm_fallback");
  for (uint16_t k = 0; k < workers; k++) {
    const struct nf_par_worker_stats *s = &rt->workers[k].exec.stats;
    printf("%6u %6d %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
           " %12" PRIu64 "\n",
           k, rt->workers[k].cpu, s->packets, s->read_only, s->write_reruns, s->tm.commits,
           s->tm.aborts, s->tm.fallbacks);
  }
  printf("%s: deferred refreshes per worker:", nf_name);
  for (uint16_t k = 0; k < workers; k++)
    printf(" %" PRIu64, rt->workers[k].exec.stats.deferred_refreshes);
  printf("\n");
  printf("%s: read-locked packets that wrote own objects per worker (hybrid):", nf_name);
  for (uint16_t k = 0; k < workers; k++)
    printf(" %" PRIu64, rt->workers[k].exec.stats.private_writes);
  printf("\n");
  if (tm != NULL) {
    struct nf_par_tm_stats sum = {0};
    for (uint16_t k = 0; k < workers; k++) {
      const struct nf_par_tm_stats *s = &rt->workers[k].exec.stats.tm;
      sum.commits += s->commits;
      sum.aborts += s->aborts;
      sum.aborts_locked += s->aborts_locked;
      sum.aborts_refreshes += s->aborts_refreshes;
      sum.fallbacks += s->fallbacks;
    }
    /* One line tests read (tests/equivalence/matrix.py). */
    printf("%s: tm path=%s commits=%" PRIu64 " aborts=%" PRIu64 " aborts_locked=%" PRIu64
           " aborts_refreshes=%" PRIu64 " fallbacks=%" PRIu64 "\n",
           nf_name, nf_par_tm_mode_name(tm->mode), sum.commits, sum.aborts, sum.aborts_locked,
           sum.aborts_refreshes, sum.fallbacks);
  }
}
