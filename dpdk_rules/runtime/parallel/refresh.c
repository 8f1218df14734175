#include "dpdk_rules/runtime/parallel/refresh.h"

#include <stdio.h>
#include <stdlib.h>

#include "nflib/access.h"

void nf_par_refreshes_init(struct nf_par_refreshes *refreshes, uint16_t workers) {
  refreshes->workers = workers;
  refreshes->applied = 0;
  for (uint16_t k = 0; k < NF_PAR_MAX_WORKERS; k++) refreshes->buffers[k].count = 0;
}

static void apply(const struct nf_par_refresh *r, uint16_t worker) {
  if (nf_dchain_rejuvenate(r->chain, r->index, r->now) != NF_OK) {
    fprintf(stderr,
            "parallel runtime: deferred refresh of index %d (worker %u, time %lld ns) found the "
            "index free: a write ran without draining the deferred refreshes first\n",
            r->index, worker, (long long)r->now);
    abort();
  }
}

nf_time_t nf_par_refresh_drain(struct nf_par_refreshes *refreshes) {
  const struct nf_refresh_hook saved = nf_current_refresh_hook;
  nf_current_refresh_hook.fn = 0; /* apply, do not defer again */
  uint16_t active[NF_PAR_MAX_WORKERS];
  uint32_t next[NF_PAR_MAX_WORKERS];
  uint16_t active_count = 0;
  for (uint16_t k = 0; k < refreshes->workers; k++) {
    if (refreshes->buffers[k].count != 0) {
      next[active_count] = 0;
      active[active_count++] = k;
    }
  }
  nf_time_t latest = INT64_MIN;
  /* Merge: the smallest head time first, the lowest worker among equal times
   * (active[] is in worker order and only a strictly smaller time wins). */
  while (active_count > 0) {
    uint16_t best = 0;
    for (uint16_t a = 1; a < active_count; a++) {
      const struct nf_par_refresh *head = &refreshes->buffers[active[a]].entries[next[a]];
      if (head->now < refreshes->buffers[active[best]].entries[next[best]].now) best = a;
    }
    struct nf_par_refresh_buffer *buffer = &refreshes->buffers[active[best]];
    const struct nf_par_refresh *r = &buffer->entries[next[best]];
    apply(r, active[best]);
    refreshes->applied++;
    if (r->now > latest) latest = r->now;
    if (++next[best] == buffer->count) {
      buffer->count = 0;
      for (uint16_t a = best; a + 1 < active_count; a++) {
        active[a] = active[a + 1];
        next[a] = next[a + 1];
      }
      active_count--;
    }
  }
  nf_current_refresh_hook = saved;
  return latest;
}
