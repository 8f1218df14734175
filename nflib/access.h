/* Write-intent hook. Every nflib operation that changes state calls
 * nf_before_write() before its first side effect. The sequential NF leaves the
 * hook unset; the lock-based runtime sets it per thread to abandon a packet that
 * runs under the read lock and rerun it under the write lock. */
#ifndef NFLIB_ACCESS_H
#define NFLIB_ACCESS_H

#include "nflib/types.h"

typedef void (*nf_write_hook_fn)(void *ctx);

struct nf_write_hook {
  nf_write_hook_fn fn;
  void *ctx;
};

extern __thread struct nf_write_hook nf_current_write_hook;

/* Contracts of nflib functions hold modulo the hook: it must not touch nflib
 * state, and it either returns (nothing happened) or never returns (longjmp).
 * The proofs (Frama-C defines __FRAMAC__) take exactly that as the hook's
 * contract: it is an assumption about the runtimes, not proved here. */
#ifdef __FRAMAC__
/*@ assigns \nothing; */
void nf_before_write(void);
#else
static inline void nf_before_write(void) {
  if (nf_current_write_hook.fn) nf_current_write_hook.fn(nf_current_write_hook.ctx);
}
#endif

/* Object-aware write hook. nflib's state writes name the object they change:
 * nf_before_write_to(object) (the map, vector, dchain, sketch or LPM passed to
 * the operation). When a runtime sets nf_current_object_write_hook, it is
 * called instead of the plain hook, with the object, so the runtime can tell a
 * worker's own objects from shared ones (the hybrid strategy lets writes to
 * per-worker objects through and abandons only writes to shared objects).
 * Unset: exactly nf_before_write(). Same contract as the plain hook. */
typedef void (*nf_object_write_hook_fn)(void *ctx, const void *object);

struct nf_object_write_hook {
  nf_object_write_hook_fn fn;
  void *ctx;
};

extern __thread struct nf_object_write_hook nf_current_object_write_hook;

#ifdef __FRAMAC__
/*@ assigns \nothing; */
void nf_before_write_to(const void *object);
#else
static inline void nf_before_write_to(const void *object) {
  if (nf_current_object_write_hook.fn) {
    nf_current_object_write_hook.fn(nf_current_object_write_hook.ctx, object);
  } else {
    nf_before_write();
  }
}
#endif

/* Refresh hook. nf_dchain_rejuvenate asks it, after checking that the index is
 * allocated and before nf_before_write(), whether the runtime takes the refresh
 * over: true means the runtime recorded (chain, index, now) and will apply it
 * with nf_dchain_rejuvenate (hook declining) before anything looks at the
 * chain's timestamps or order, i.e. before the next write of the shared state
 * (expiry is a write); rejuvenate then returns NF_OK without touching the chain
 * and without calling nf_before_write(). Unset (the sequential NF) or false:
 * the refresh happens now. The lock-based runtime defers refreshes of packets
 * running under the read lock (docs/RUNTIMES.md). */
struct nf_dchain;

typedef bool (*nf_refresh_hook_fn)(void *ctx, struct nf_dchain *chain, int32_t index,
                                   nf_time_t now);

struct nf_refresh_hook {
  nf_refresh_hook_fn fn;
  void *ctx;
};

extern __thread struct nf_refresh_hook nf_current_refresh_hook;

/* The proofs are of the sequential NF: they take the hook as declining. */
#ifdef __FRAMAC__
/*@ assigns \nothing;
    ensures \result == \false; */
bool nf_refresh_deferred(struct nf_dchain *chain, int32_t index, nf_time_t now);
#else
static inline bool nf_refresh_deferred(struct nf_dchain *chain, int32_t index, nf_time_t now) {
  return nf_current_refresh_hook.fn &&
         nf_current_refresh_hook.fn(nf_current_refresh_hook.ctx, chain, index, now);
}
#endif

#endif /* NFLIB_ACCESS_H */
