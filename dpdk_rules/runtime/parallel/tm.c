/* Compiled with -mrtm (only this file): _xbegin/_xend/_xabort are executed
 * only in NF_PAR_TM_RTM mode, which needs cpuid to report RTM. The emulated
 * mode borrows RTM's abort status encoding (_XABORT_*), not its instructions. */
#include "dpdk_rules/runtime/parallel/tm.h"

#include <cpuid.h>
#include <immintrin.h>

#define TM_ABORT_LOCKED 0xff
#define TM_ABORT_REFRESHES_PENDING 0xfe

/* Emulated aborts, one in 2^k: at begin (a conflict; or an abort RTM does not
 * retry, as an interrupt or a read-set overflow, which sends read-only packets
 * to the fallback lock too), at the first state write (a conflict, or a
 * write-set overflow). */
#define EMU_BEGIN_CONFLICT_LOG2 3
#define EMU_BEGIN_NO_RETRY_LOG2 5
#define EMU_WRITE_CONFLICT_LOG2 3
#define EMU_WRITE_CAPACITY_LOG2 5

bool nf_par_cpu_has_rtm(void) {
  unsigned int eax, ebx, ecx, edx;
  if (__get_cpuid_max(0, NULL) < 7) return false;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return (ebx & (1u << 11)) != 0;
}

enum nf_par_tm_mode nf_par_tm_choose_mode(bool force_fallback, bool emulate) {
  if (emulate) return NF_PAR_TM_EMULATED;
  if (force_fallback || !nf_par_cpu_has_rtm()) return NF_PAR_TM_FALLBACK;
  return NF_PAR_TM_RTM;
}

const char *nf_par_tm_mode_name(enum nf_par_tm_mode mode) {
  switch (mode) {
    case NF_PAR_TM_RTM:
      return "RTM";
    case NF_PAR_TM_EMULATED:
      return "emulated HTM";
    case NF_PAR_TM_FALLBACK:
    default:
      return "fallback lock";
  }
}

const char *nf_par_tm_path_text(enum nf_par_tm_mode mode) {
  if (mode != NF_PAR_TM_FALLBACK) return nf_par_tm_mode_name(mode);
  return nf_par_cpu_has_rtm() ? "fallback lock (forced; this CPU has RTM)"
                              : "fallback lock (this CPU has no RTM)";
}

void nf_par_tm_init(struct nf_par_tm *tm, enum nf_par_tm_mode mode, uint32_t retries) {
  atomic_init(&tm->fallback_lock, 0);
  atomic_init(&tm->emulation_lock, 0);
  tm->mode = mode;
  tm->retries = retries;
}

void nf_par_tm_worker_init(struct nf_par_tm_worker *worker, const struct nf_par_tm *tm,
                           struct nf_par_refresh_buffer *own, const struct nf_par_refreshes *all,
                           uint64_t seed) {
  worker->wrote = false;
  worker->in_transaction = false;
  worker->mode = tm->mode;
  worker->own = own;
  worker->all = all;
  /* xorshift needs a non-zero state; spread nearby seeds apart. */
  worker->emulation.random = (seed + 1) * 0x9E3779B97F4A7C15ull;
}

static void spin_lock(_Atomic uint32_t *word) {
  for (;;) {
    uint32_t expected = 0;
    if (atomic_compare_exchange_weak(word, &expected, 1)) return;
    while (atomic_load_explicit(word, memory_order_relaxed) != 0) nf_par_cpu_relax();
  }
}

static void spin_unlock(_Atomic uint32_t *word) {
  atomic_store_explicit(word, 0, memory_order_release);
}

/* --- The emulated mode ---------------------------------------------------- */

/* True once in 2^log2 draws. */
static bool emu_draw(struct nf_par_tm_emulation *emu, unsigned log2) {
  uint64_t x = emu->random;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  emu->random = x;
  return (x >> 40 & ((1u << log2) - 1)) == 0;
}

/* Unwinds the emulated transaction to its begin with `status`. */
__attribute__((noreturn)) static void emu_abort(struct nf_par_tm_worker *worker,
                                                unsigned int status) {
  worker->emulation.status = status;
  longjmp(worker->emulation.restart, 1);
}

/* --- Both transactional modes ---------------------------------------------- */

__attribute__((noreturn)) static void abort_explicit(struct nf_par_tm_worker *worker,
                                                     unsigned char code) {
  if (worker->mode == NF_PAR_TM_EMULATED) {
    emu_abort(worker, _XABORT_EXPLICIT | ((unsigned int)code << 24));
  }
  /* _xabort takes an immediate. Called only inside an RTM transaction, where
   * it does not return. */
  if (code == TM_ABORT_LOCKED) _xabort(TM_ABORT_LOCKED);
  _xabort(TM_ABORT_REFRESHES_PENDING);
  __builtin_unreachable();
}

void nf_par_tm_before_write(struct nf_par_tm_worker *worker) {
  if (worker->in_transaction && !worker->wrote) {
    if (nf_par_refresh_pending(worker->all)) {
      abort_explicit(worker, TM_ABORT_REFRESHES_PENDING);
    }
    if (worker->mode == NF_PAR_TM_EMULATED) {
      struct nf_par_tm_emulation *emu = &worker->emulation;
      if (emu_draw(emu, EMU_WRITE_CONFLICT_LOG2)) {
        emu_abort(worker, _XABORT_RETRY | _XABORT_CONFLICT);
      }
      if (emu_draw(emu, EMU_WRITE_CAPACITY_LOG2)) emu_abort(worker, _XABORT_CAPACITY);
    }
  }
  worker->wrote = true;
}

/* What a transaction runs between begin and commit. */
static int transaction_body(const struct nf_par_tm *tm, struct nf_par_serial *serial,
                            struct nf_state *state, struct nf_packet *pkt, uint16_t in_port,
                            nf_time_t now, struct nf_par_tm_worker *worker,
                            struct nf_par_serial_point *point) {
  /* Puts the lock word in the read set: a fallback holder aborts us. */
  if (atomic_load_explicit(&tm->fallback_lock, memory_order_relaxed) != 0) {
    abort_explicit(worker, TM_ABORT_LOCKED);
  }
  /* The clock and the write number are in the read set too (and in the write
   * set of writers): a committing writer aborts concurrent transactions, so
   * the record is exact. */
  worker->wrote = false;
  worker->in_transaction = true;
  const uint32_t mark = worker->own->count;
  nf_time_t effective = nf_par_serial_time(serial, now);
  int verdict = nf_process(state, pkt, in_port, effective);
  worker->in_transaction = false;
  /* Only a transaction that has not written defers (nf_par_tm_may_defer). */
  nf_par_serial_record(serial, effective, worker->wrote,
                       worker->wrote ? 0 : worker->own->count - mark, point);
  return verdict;
}

/* One attempt; _XBEGIN_STARTED when it committed (*verdict set), else the
 * abort status. Everything the attempt wrote is rolled back on abort. */
static unsigned int attempt_rtm(const struct nf_par_tm *tm, struct nf_par_serial *serial,
                                struct nf_state *state, struct nf_packet *pkt, uint16_t in_port,
                                nf_time_t now, struct nf_par_tm_worker *worker,
                                struct nf_par_serial_point *point, int *verdict) {
  unsigned int status = _xbegin();
  if (status != _XBEGIN_STARTED) return status;
  *verdict = transaction_body(tm, serial, state, pkt, in_port, now, worker, point);
  _xend();
  return _XBEGIN_STARTED;
}

static unsigned int attempt_emulated(struct nf_par_tm *tm, struct nf_par_serial *serial,
                                     struct nf_state *state, struct nf_packet *pkt,
                                     uint16_t in_port, nf_time_t now,
                                     struct nf_par_tm_worker *worker,
                                     struct nf_par_serial_point *point, int *verdict) {
  struct nf_par_tm_emulation *emu = &worker->emulation;
  spin_lock(&tm->emulation_lock);
  nf_par_packet_save(&emu->packet, pkt);
  emu->own_count = worker->own->count;
  if (setjmp(emu->restart) != 0) {
    /* Aborted before the attempt's first state write: undo the rest. */
    nf_par_packet_restore(&emu->packet, pkt);
    worker->own->count = emu->own_count;
    worker->wrote = false;
    worker->in_transaction = false;
    spin_unlock(&tm->emulation_lock);
    return emu->status;
  }
  if (emu_draw(emu, EMU_BEGIN_CONFLICT_LOG2)) emu_abort(worker, _XABORT_RETRY | _XABORT_CONFLICT);
  if (emu_draw(emu, EMU_BEGIN_NO_RETRY_LOG2)) emu_abort(worker, _XABORT_CAPACITY);
  *verdict = transaction_body(tm, serial, state, pkt, in_port, now, worker, point);
  spin_unlock(&tm->emulation_lock);
  return _XBEGIN_STARTED;
}

int nf_par_tm_process(struct nf_par_tm *tm, struct nf_par_serial *serial,
                      struct nf_par_refreshes *refreshes, struct nf_state *state,
                      struct nf_packet *pkt, uint16_t in_port, nf_time_t now,
                      struct nf_par_tm_worker *worker, struct nf_par_serial_point *point,
                      struct nf_par_tm_stats *stats) {
  if (tm->mode != NF_PAR_TM_FALLBACK) {
    for (uint32_t attempt = 0; attempt < tm->retries; attempt++) {
      int verdict = 0;
      unsigned int status =
          tm->mode == NF_PAR_TM_RTM
              ? attempt_rtm(tm, serial, state, pkt, in_port, now, worker, point, &verdict)
              : attempt_emulated(tm, serial, state, pkt, in_port, now, worker, point, &verdict);
      if (status == _XBEGIN_STARTED) {
        stats->commits++;
        return verdict;
      }
      stats->aborts++;
      if ((status & _XABORT_EXPLICIT) && _XABORT_CODE(status) == TM_ABORT_LOCKED) {
        stats->aborts_locked++;
        while (atomic_load_explicit(&tm->fallback_lock, memory_order_relaxed) != 0) {
          nf_par_cpu_relax();
        }
        continue;
      }
      if ((status & _XABORT_EXPLICIT) && _XABORT_CODE(status) == TM_ABORT_REFRESHES_PENDING) {
        stats->aborts_refreshes++;
      }
      /* A write with refreshes pending needs the fallback lock's drain; capacity
       * overflows and other non-transient aborts will not succeed either. */
      if (!(status & _XABORT_RETRY)) break;
    }
  }
  spin_lock(&tm->fallback_lock);
  /* Emulated transactions are excluded by their own lock (RTM's would abort). */
  if (tm->mode == NF_PAR_TM_EMULATED) spin_lock(&tm->emulation_lock);
  /* Excludes every transaction: apply the deferred refreshes, then run. */
  const uint64_t applied_before = refreshes->applied;
  nf_par_serial_advance(serial, nf_par_refresh_drain(refreshes));
  const bool drained = refreshes->applied != applied_before;
  worker->wrote = false;
  nf_time_t effective = nf_par_serial_time(serial, now);
  int verdict = nf_process(state, pkt, in_port, effective);
  /* A write in the record when the packet wrote or the drain applied anything
   * (tm.h): the drain changed the chains and may have moved the clock. */
  nf_par_serial_record(serial, effective, worker->wrote || drained, 0, point);
  if (tm->mode == NF_PAR_TM_EMULATED) spin_unlock(&tm->emulation_lock);
  spin_unlock(&tm->fallback_lock);
  stats->fallbacks++;
  return verdict;
}
