#include "dpdk_rules/runtime/parallel/exec.h"

#include <string.h>

#include "nflib/access.h"

void nf_par_shared_init(struct nf_par_shared *shared, uint16_t workers, bool tm_force_fallback,
                        uint32_t tm_retries) {
  nf_par_rwlock_init(&shared->rwlock, workers);
  nf_par_tm_init(&shared->tm, tm_force_fallback, tm_retries);
  nf_par_serial_init(&shared->serial);
}

void nf_par_exec_init(struct nf_par_exec *exec, enum nf_par_strategy strategy, uint16_t worker,
                      struct nf_state *state, struct nf_par_shared *shared) {
  memset(exec, 0, sizeof(*exec));
  exec->strategy = strategy;
  exec->worker = worker;
  exec->state = state;
  exec->shared = shared;
}

/* The nflib write hook: a write during a read attempt abandons it. Called
 * before the write's first side effect, so the shared state is untouched. */
static void abandon_read_attempt(void *ctx) {
  struct nf_par_exec *exec = ctx;
  if (!exec->in_read_attempt) return;
  exec->in_read_attempt = false;
  nf_par_read_unlock(&exec->shared->rwlock, exec->worker);
  longjmp(exec->restart, 1);
}

/* The tm write hook: notes that the packet writes (serial.h); inside a
 * transaction the note is rolled back with everything else on abort. */
static void note_write(void *ctx) {
  struct nf_par_exec *exec = ctx;
  exec->wrote = true;
}

void nf_par_exec_attach(struct nf_par_exec *exec) {
  if (exec->strategy == NF_PAR_LOCKS) {
    nf_current_write_hook.fn = abandon_read_attempt;
    nf_current_write_hook.ctx = exec;
  } else if (exec->strategy == NF_PAR_TRANSACTIONAL_MEMORY) {
    nf_current_write_hook.fn = note_write;
    nf_current_write_hook.ctx = exec;
  }
}

void nf_par_exec_detach(struct nf_par_exec *exec) {
  (void)exec;
  nf_current_write_hook.fn = 0;
  nf_current_write_hook.ctx = 0;
}

static int process_locked(struct nf_par_exec *exec, struct nf_packet *pkt, uint16_t in_port,
                          nf_time_t now) {
  struct nf_par_rwlock *lock = &exec->shared->rwlock;
  struct nf_par_serial *serial = &exec->shared->serial;
  const uint32_t saved =
      pkt->len < NF_PAR_SAVED_HEADER_BYTES ? pkt->len : NF_PAR_SAVED_HEADER_BYTES;
  const struct nf_packet parsed = *pkt;
  memcpy(exec->saved_header, pkt->data, saved);
  if (setjmp(exec->restart) == 0) {
    nf_par_read_lock(lock, exec->worker);
    exec->in_read_attempt = true;
    nf_time_t effective = nf_par_serial_time(serial, now);
    int verdict = nf_process(exec->state, pkt, in_port, effective);
    exec->in_read_attempt = false;
    nf_par_serial_record(serial, effective, false, &exec->last);
    nf_par_read_unlock(lock, exec->worker);
    exec->stats.read_only++;
    return verdict;
  }
  /* Abandoned by abandon_read_attempt (read lock already released). */
  memcpy(pkt->data, exec->saved_header, saved);
  *pkt = parsed;
  nf_par_write_lock(lock);
  nf_time_t effective = nf_par_serial_time(serial, now);
  int verdict = nf_process(exec->state, pkt, in_port, effective);
  nf_par_serial_record(serial, effective, true, &exec->last);
  nf_par_write_unlock(lock);
  exec->stats.write_reruns++;
  return verdict;
}

int nf_par_exec_process(struct nf_par_exec *exec, struct nf_packet *pkt, uint16_t in_port,
                        nf_time_t now) {
  exec->stats.packets++;
  switch (exec->strategy) {
    case NF_PAR_LOCKS:
      return process_locked(exec, pkt, in_port, now);
    case NF_PAR_TRANSACTIONAL_MEMORY:
      return nf_par_tm_process(&exec->shared->tm, &exec->shared->serial, exec->state, pkt, in_port,
                               now, &exec->wrote, &exec->last, &exec->stats.tm);
    case NF_PAR_SHARED_NOTHING:
    default:
      exec->last = (struct nf_par_serial_point){.write_seq = 0, .now = now, .wrote = false};
      return nf_process(exec->state, pkt, in_port, now);
  }
}
