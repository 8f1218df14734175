#include "dpdk_rules/runtime/parallel/exec.h"

#include <string.h>

#include "nflib/access.h"

void nf_par_shared_init(struct nf_par_shared *shared, uint16_t workers, enum nf_par_tm_mode tm_mode,
                        uint32_t tm_retries) {
  nf_par_rwlock_init(&shared->rwlock, workers);
  nf_par_tm_init(&shared->tm, tm_mode, tm_retries);
  nf_par_serial_init(&shared->serial);
  nf_par_refreshes_init(&shared->refreshes, workers);
  memset(&shared->objects, 0, sizeof(shared->objects));
  shared->workers = workers;
  for (uint16_t k = 0; k < NF_PAR_MAX_WORKERS; k++) shared->read_clocks[k].latest = INT64_MIN;
}

void nf_par_exec_init(struct nf_par_exec *exec, enum nf_par_strategy strategy, uint16_t worker,
                      struct nf_state *state, struct nf_par_shared *shared) {
  memset(exec, 0, sizeof(*exec));
  exec->strategy = strategy;
  exec->worker = worker;
  exec->state = state;
  exec->shared = shared;
  if (shared != NULL) {
    exec->refresh_buffer = &shared->refreshes.buffers[worker];
    nf_par_tm_worker_init(&exec->tm, &shared->tm, exec->refresh_buffer, &shared->refreshes, worker);
  }
}

/* The nflib write hook: a write during a read attempt abandons it. Called
 * before the write's first side effect, so the shared state is untouched. */
static void abandon_read_attempt(void *ctx) {
  struct nf_par_exec *exec = ctx;
  if (!exec->in_read_attempt) return;
  exec->in_read_attempt = false;
  /* Drop the attempt's deferred refreshes while still excluding writers (one
   * could drain this buffer as soon as the read lock is released). */
  exec->refresh_buffer->count = exec->refresh_mark;
  nf_par_read_unlock(&exec->shared->rwlock, exec->worker);
  longjmp(exec->restart, 1);
}

/* The hybrid write hook (nflib's object-aware one): writes to the worker's own
 * objects (partitioned shares, replicated copies) go through; a write to a
 * shared object during a read attempt abandons it as under locks. The
 * abandoned attempt's own writes stay: the plan allows hybrid only where a
 * path writes its own objects before a shared one by expiry alone, which the
 * rerun, at a time no earlier, repeats to the same effect (docs/RUNTIMES.md). */
static void hybrid_before_write(void *ctx, const void *object) {
  struct nf_par_exec *exec = ctx;
  if (!exec->in_read_attempt) return;
  if (!nf_par_is_shared_object(&exec->shared->objects, object)) {
    exec->private_written = true;
    return;
  }
  if (exec->private_written) exec->stats.private_reruns++;
  abandon_read_attempt(ctx);
}

/* The latest effective time of the read sections completed so far (hybrid),
 * read under the write lock. */
static nf_time_t latest_read(const struct nf_par_shared *shared) {
  nf_time_t latest = INT64_MIN;
  for (uint16_t k = 0; k < shared->workers; k++) {
    if (shared->read_clocks[k].latest > latest) latest = shared->read_clocks[k].latest;
  }
  return latest;
}

/* The tm write hook: notes that the packet writes (serial.h); inside a
 * transaction the note is rolled back with everything else on abort (tm.h). */
static void note_write(void *ctx) {
  struct nf_par_exec *exec = ctx;
  nf_par_tm_before_write(&exec->tm);
}

/* The nflib refresh hook: under the read lock (locks) or inside a transaction
 * that has not written (tm), a refresh goes to the worker's buffer while it has
 * room. */
static bool defer_refresh(void *ctx, struct nf_dchain *chain, int32_t index, nf_time_t now) {
  struct nf_par_exec *exec = ctx;
  if (!exec->in_read_attempt && !nf_par_tm_may_defer(&exec->tm)) return false;
  /* hybrid: a worker's own chain is refreshed now (a write of its own). */
  if (exec->strategy == NF_PAR_HYBRID && !nf_par_is_shared_object(&exec->shared->objects, chain))
    return false;
  return nf_par_refresh_defer(exec->refresh_buffer, chain, index, now);
}

void nf_par_exec_attach(struct nf_par_exec *exec) {
  if (exec->strategy == NF_PAR_LOCKS) {
    nf_current_write_hook.fn = abandon_read_attempt;
    nf_current_write_hook.ctx = exec;
  } else if (exec->strategy == NF_PAR_TRANSACTIONAL_MEMORY) {
    nf_current_write_hook.fn = note_write;
    nf_current_write_hook.ctx = exec;
  } else if (exec->strategy == NF_PAR_HYBRID) {
    nf_current_object_write_hook.fn = hybrid_before_write;
    nf_current_object_write_hook.ctx = exec;
  }
  if (exec->strategy != NF_PAR_SHARED_NOTHING) {
    nf_current_refresh_hook.fn = defer_refresh;
    nf_current_refresh_hook.ctx = exec;
  }
}

void nf_par_exec_detach(struct nf_par_exec *exec) {
  (void)exec;
  nf_current_write_hook.fn = 0;
  nf_current_write_hook.ctx = 0;
  nf_current_object_write_hook.fn = 0;
  nf_current_object_write_hook.ctx = 0;
  nf_current_refresh_hook.fn = 0;
  nf_current_refresh_hook.ctx = 0;
}

/* locks and hybrid (which differ in their hooks and in the read clocks). */
static int process_locked(struct nf_par_exec *exec, struct nf_packet *pkt, uint16_t in_port,
                          nf_time_t now) {
  const bool hybrid = exec->strategy == NF_PAR_HYBRID;
  struct nf_par_rwlock *lock = &exec->shared->rwlock;
  struct nf_par_serial *serial = &exec->shared->serial;
  nf_par_packet_save(&exec->snapshot, pkt);
  if (setjmp(exec->restart) == 0) {
    nf_par_read_lock(lock, exec->worker);
    exec->refresh_mark = exec->refresh_buffer->count; /* a writer may have drained it */
    exec->private_written = false;
    exec->in_read_attempt = true;
    nf_time_t effective = nf_par_serial_time(serial, now);
    int verdict = nf_process(exec->state, pkt, in_port, effective);
    exec->in_read_attempt = false;
    uint32_t deferred = exec->refresh_buffer->count - exec->refresh_mark;
    nf_par_serial_record(serial, effective, false, deferred, &exec->last);
    if (hybrid) {
      struct nf_par_read_clock *mine = &exec->shared->read_clocks[exec->worker];
      if (effective > mine->latest) mine->latest = effective;
      exec->stats.private_writes += exec->private_written;
    }
    nf_par_read_unlock(lock, exec->worker);
    exec->stats.read_only++;
    exec->stats.deferred_refreshes += deferred;
    return verdict;
  }
  /* Abandoned by abandon_read_attempt (read lock already released). */
  nf_par_packet_restore(&exec->snapshot, pkt);
  nf_par_write_lock(lock);
  /* Readers are excluded: apply every worker's deferred refreshes first. */
  nf_par_serial_advance(serial, nf_par_refresh_drain(&exec->shared->refreshes));
  /* hybrid: and no earlier than any read section (they wrote their own
   * objects at their times), so the serialization's times never go back. */
  if (hybrid) nf_par_serial_advance(serial, latest_read(exec->shared));
  nf_time_t effective = nf_par_serial_time(serial, now);
  int verdict = nf_process(exec->state, pkt, in_port, effective);
  nf_par_serial_record(serial, effective, true, 0, &exec->last);
  nf_par_write_unlock(lock);
  exec->stats.write_reruns++;
  return verdict;
}

int nf_par_exec_process(struct nf_par_exec *exec, struct nf_packet *pkt, uint16_t in_port,
                        nf_time_t now) {
  exec->stats.packets++;
  switch (exec->strategy) {
    case NF_PAR_LOCKS:
    case NF_PAR_HYBRID:
      return process_locked(exec, pkt, in_port, now);
    case NF_PAR_TRANSACTIONAL_MEMORY: {
      int verdict = nf_par_tm_process(&exec->shared->tm, &exec->shared->serial,
                                      &exec->shared->refreshes, exec->state, pkt, in_port, now,
                                      &exec->tm, &exec->last, &exec->stats.tm);
      exec->stats.deferred_refreshes += exec->last.refreshes;
      return verdict;
    }
    case NF_PAR_SHARED_NOTHING:
    default:
      exec->last =
          (struct nf_par_serial_point){.write_seq = 0, .now = now, .refreshes = 0, .wrote = false};
      return nf_process(exec->state, pkt, in_port, now);
  }
}
