/* The serialization record and the clock of a shared state (locks and tm).
 *
 * Time rule: workers read their clocks independently, so the `now` values of
 * packets that reach one shared state are not ordered (nflib's dchain and token
 * buckets need non-decreasing time). The shared state keeps a clock, the
 * largest effective time of the writes committed so far; a packet runs with the
 * effective time max(now, clock), read inside its critical section (read lock,
 * write lock, transaction or fallback lock). A packet that wrote sets the clock
 * to its effective time; a read-only packet leaves it as it is (it cannot write
 * shared memory under the read lock, and nothing it did depends on later
 * times). So the writes see non-decreasing times and every packet sees a time
 * no earlier than the last write it observed.
 *
 * Serialization record: every write gets the next write sequence number (1, 2,
 * ...), taken inside its critical section; a read-only packet records the
 * number of the last write it observed. Replaying the sequential NF over the
 * writes in sequence order, each read-only packet after the write it observed
 * (per queue order among equals), each with its recorded effective time, gives
 * every packet the state and the time it had in the parallel run: equal
 * outcomes check atomicity and isolation (tests/equivalence).
 *
 * Deferred refreshes (refresh.h): a read-only packet may refresh dchain
 * timestamps without writing the chain; the refreshes are applied at the start
 * of the next section that may write, which also advances the clock to their
 * largest time (nf_par_serial_advance). So a write runs at max(now, clock,
 * times of the refreshing read-only packets that observed the previous write),
 * and the replay orders a write's read-only successors by (time, worker, queue
 * order), the order in which their refreshes were applied. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_SERIAL_H
#define DPDK_RULES_RUNTIME_PARALLEL_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/rwlock.h"
#include "nflib/types.h"

/* Written only inside a critical section that excludes every other packet. */
struct nf_par_serial {
  uint64_t write_seq; /* writes committed so far */
  nf_time_t clock;    /* largest effective time of those writes */
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

/* Where one packet sits in the serialization. */
struct nf_par_serial_point {
  uint64_t write_seq; /* wrote: its own number; read-only: the last write it saw */
  nf_time_t now;      /* the effective time nf_process got */
  uint32_t refreshes; /* read-only: dchain refreshes it deferred (refresh.h) */
  bool wrote;
};

/*@ requires \valid(serial);
    assigns *serial;
    ensures serial->write_seq == 0 && serial->clock == INT64_MIN; */
static inline void nf_par_serial_init(struct nf_par_serial *serial) {
  serial->write_seq = 0;
  serial->clock = INT64_MIN;
}

/* The effective time of a packet that arrived at `now`: max(now, clock). Call
 * inside the critical section. */
/*@ requires \valid_read(serial);
    assigns \nothing;
    ensures \result >= now && \result >= serial->clock;
    ensures \result == now || \result == serial->clock; */
static inline nf_time_t nf_par_serial_time(const struct nf_par_serial *serial, nf_time_t now) {
  return now > serial->clock ? now : serial->clock;
}

/* Advances the clock to `latest` if it is later: the largest time of the
 * deferred refreshes a writer applied before running (refresh.h). Call in a
 * section that excludes every other packet. */
/*@ requires \valid(serial);
    assigns serial->clock;
    ensures serial->clock == (latest > \old(serial->clock) ? latest : \old(serial->clock)); */
static inline void nf_par_serial_advance(struct nf_par_serial *serial, nf_time_t latest) {
  if (latest > serial->clock) serial->clock = latest;
}

/* Records a packet that completed with effective time `now`, inside the same
 * critical section: a write takes the next number and advances the clock;
 * `refreshes`: how many refreshes the packet deferred (0 for a write). */
/*@ requires \valid(serial) && \valid(point) && \separated(serial, point);
    requires now >= serial->clock;
    requires serial->write_seq < UINT64_MAX;
    requires wrote ==> refreshes == 0;
    assigns *serial, *point;
    ensures point->now == now && point->wrote == wrote && point->refreshes == refreshes;
    ensures wrote ==> serial->write_seq == \old(serial->write_seq) + 1 && serial->clock == now;
    ensures !wrote ==> serial->write_seq == \old(serial->write_seq) &&
                       serial->clock == \old(serial->clock);
    ensures point->write_seq == serial->write_seq; */
static inline void nf_par_serial_record(struct nf_par_serial *serial, nf_time_t now, bool wrote,
                                        uint32_t refreshes, struct nf_par_serial_point *point) {
  if (wrote) {
    serial->write_seq++;
    serial->clock = now;
  }
  point->write_seq = serial->write_seq;
  point->now = now;
  point->refreshes = refreshes;
  point->wrote = wrote;
}

#endif /* DPDK_RULES_RUNTIME_PARALLEL_SERIAL_H */
