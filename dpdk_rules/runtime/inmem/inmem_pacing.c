#include "dpdk_rules/runtime/inmem/inmem_pacing.h"

#include <sched.h>

void inmem_pacing_init(struct inmem_runtime *rt) {
  for (uint16_t k = 0; k < rt->opts.rt.workers; k++) {
    struct inmem_worker *w = &rt->workers[k];
    atomic_init(&w->next_ts, w->queue.len ? rt->input.packets[w->queue.index[0]].ts_ns : INT64_MAX);
  }
}

void inmem_pacing_wait(const struct inmem_runtime *rt, const struct inmem_worker *w, int64_t ts) {
  int64_t limit = ts - rt->opts.rt.window_ns;
  for (uint16_t k = 0; k < rt->opts.rt.workers; k++) {
    const struct inmem_worker *other = &rt->workers[k];
    if (other == w) continue;
    while (atomic_load_explicit(&other->next_ts, memory_order_acquire) < limit) sched_yield();
  }
}

void inmem_pacing_advance(const struct inmem_runtime *rt, struct inmem_worker *w, uint32_t j) {
  int64_t next = j + 1 < w->queue.len ? rt->input.packets[w->queue.index[j + 1]].ts_ns : INT64_MAX;
  atomic_store_explicit(&w->next_ts, next, memory_order_release);
}
