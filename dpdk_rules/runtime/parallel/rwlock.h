/* A scalable reader-writer lock for the lock-based runtime: every worker has
 * its own reader flag on its own cache line, so read locking touches only the
 * worker's line and the (read-shared) writer word. A writer takes the global
 * writer word, then waits until every reader flag is clear. Readers that see a
 * writer step back (clear their flag) and wait, so writers cannot starve. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_RWLOCK_H
#define DPDK_RULES_RUNTIME_PARALLEL_RWLOCK_H

#include <stdatomic.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"

#define NF_PAR_CACHE_LINE 64

static inline void nf_par_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

struct nf_par_reader_flag {
  _Atomic uint32_t active;
  uint8_t pad[NF_PAR_CACHE_LINE - sizeof(uint32_t)];
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

struct nf_par_rwlock {
  _Atomic uint32_t writer __attribute__((aligned(NF_PAR_CACHE_LINE)));
  uint16_t reader_count;
  struct nf_par_reader_flag readers[NF_PAR_MAX_WORKERS];
};

/*@ requires \valid(lock);
    requires 1 <= readers <= NF_PAR_MAX_WORKERS;
    assigns *lock; */
static inline void nf_par_rwlock_init(struct nf_par_rwlock *lock, uint16_t readers) {
  atomic_init(&lock->writer, 0);
  lock->reader_count = readers;
  for (uint16_t i = 0; i < NF_PAR_MAX_WORKERS; i++) atomic_init(&lock->readers[i].active, 0);
}

/*@ requires reader < lock->reader_count; */
static inline void nf_par_read_lock(struct nf_par_rwlock *lock, uint16_t reader) {
  for (;;) {
    /* seq_cst store then load: a writer that set `writer` before our flag was
     * visible is seen here, and one that sets it later sees our flag. */
    atomic_store(&lock->readers[reader].active, 1);
    if (atomic_load(&lock->writer) == 0) return;
    atomic_store_explicit(&lock->readers[reader].active, 0, memory_order_release);
    while (atomic_load_explicit(&lock->writer, memory_order_relaxed) != 0) nf_par_cpu_relax();
  }
}

static inline void nf_par_read_unlock(struct nf_par_rwlock *lock, uint16_t reader) {
  atomic_store_explicit(&lock->readers[reader].active, 0, memory_order_release);
}

/* The caller must not hold its own read lock. */
static inline void nf_par_write_lock(struct nf_par_rwlock *lock) {
  for (;;) {
    uint32_t expected = 0;
    if (atomic_compare_exchange_weak(&lock->writer, &expected, 1)) break;
    while (atomic_load_explicit(&lock->writer, memory_order_relaxed) != 0) nf_par_cpu_relax();
  }
  for (uint16_t i = 0; i < lock->reader_count; i++) {
    while (atomic_load(&lock->readers[i].active) != 0) nf_par_cpu_relax();
  }
}

static inline void nf_par_write_unlock(struct nf_par_rwlock *lock) {
  atomic_store_explicit(&lock->writer, 0, memory_order_release);
}

#endif
