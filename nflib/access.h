/* Write-intent hook. Every nflib operation that changes state calls
 * nf_before_write() before its first side effect. The sequential NF leaves the
 * hook unset; the lock-based runtime sets it per thread to abandon a packet that
 * runs under the read lock and rerun it under the write lock. */
#ifndef NFLIB_ACCESS_H
#define NFLIB_ACCESS_H

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

#endif /* NFLIB_ACCESS_H */
