/* Compiled with -mrtm (only this file): _xbegin/_xend/_xabort are executed
 * only after cpuid reported RTM. */
#include "dpdk_rules/runtime/parallel/tm.h"

#include <cpuid.h>
#include <immintrin.h>

#define TM_ABORT_LOCKED 0xff
#define TM_ABORT_REFRESHES_PENDING 0xfe

bool nf_par_cpu_has_rtm(void) {
  unsigned int eax, ebx, ecx, edx;
  if (__get_cpuid_max(0, NULL) < 7) return false;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return (ebx & (1u << 11)) != 0;
}

void nf_par_tm_init(struct nf_par_tm *tm, bool force_fallback, uint32_t retries) {
  atomic_init(&tm->fallback_lock, 0);
  tm->use_rtm = !force_fallback && nf_par_cpu_has_rtm();
  tm->retries = retries;
}

static void fallback_lock(struct nf_par_tm *tm) {
  for (;;) {
    uint32_t expected = 0;
    if (atomic_compare_exchange_weak(&tm->fallback_lock, &expected, 1)) return;
    while (atomic_load_explicit(&tm->fallback_lock, memory_order_relaxed) != 0) {
      nf_par_cpu_relax();
    }
  }
}

void nf_par_tm_before_write(struct nf_par_tm_worker *worker) {
  if (worker->in_transaction && !worker->wrote && nf_par_refresh_pending(worker->all)) {
    _xabort(TM_ABORT_REFRESHES_PENDING);
  }
  worker->wrote = true;
}

int nf_par_tm_process(struct nf_par_tm *tm, struct nf_par_serial *serial,
                      struct nf_par_refreshes *refreshes, struct nf_state *state,
                      struct nf_packet *pkt, uint16_t in_port, nf_time_t now,
                      struct nf_par_tm_worker *worker, struct nf_par_serial_point *point,
                      struct nf_par_tm_stats *stats) {
  if (tm->use_rtm) {
    for (uint32_t attempt = 0; attempt < tm->retries; attempt++) {
      unsigned int status = _xbegin();
      if (status == _XBEGIN_STARTED) {
        /* Puts the lock word in the read set: a fallback holder aborts us. */
        if (atomic_load_explicit(&tm->fallback_lock, memory_order_relaxed) != 0) {
          _xabort(TM_ABORT_LOCKED);
        }
        /* The clock and the write number are in the read set too (and in the
         * write set of writers): a committing writer aborts concurrent
         * transactions, so the record is exact. */
        worker->wrote = false;
        worker->in_transaction = true;
        const uint32_t mark = worker->own->count;
        nf_time_t effective = nf_par_serial_time(serial, now);
        int verdict = nf_process(state, pkt, in_port, effective);
        worker->in_transaction = false;
        nf_par_serial_record(serial, effective, worker->wrote,
                             worker->wrote ? 0 : worker->own->count - mark, point);
        _xend();
        stats->commits++;
        return verdict;
      }
      /* Everything the attempt wrote is rolled back, in_transaction included. */
      stats->aborts++;
      if ((status & _XABORT_EXPLICIT) && _XABORT_CODE(status) == TM_ABORT_LOCKED) {
        while (atomic_load_explicit(&tm->fallback_lock, memory_order_relaxed) != 0) {
          nf_par_cpu_relax();
        }
        continue;
      }
      /* A write with refreshes pending needs the fallback lock's drain; capacity
       * overflows and other non-transient aborts will not succeed either. */
      if (!(status & _XABORT_RETRY)) break;
    }
  }
  fallback_lock(tm);
  /* Excludes every transaction: apply the deferred refreshes, then run. */
  nf_par_serial_advance(serial, nf_par_refresh_drain(refreshes));
  worker->wrote = false;
  nf_time_t effective = nf_par_serial_time(serial, now);
  int verdict = nf_process(state, pkt, in_port, effective);
  nf_par_serial_record(serial, effective, worker->wrote, 0, point);
  atomic_store_explicit(&tm->fallback_lock, 0, memory_order_release);
  stats->fallbacks++;
  return verdict;
}
