/* Per-packet outcomes of a replay (--outcomes): what the NF decided, on which
 * worker, and where the packet sits in the serialization of a shared state. */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_OUTCOMES_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_OUTCOMES_H

#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/inmem/inmem_input.h"
#include "dpdk_rules/runtime/parallel/serial.h"

struct inmem_outcome {
  int32_t verdict;
  uint16_t worker;
  struct nf_par_serial_point point;
};

/* Writes the CSV index,port,worker,verdict,access,write_seq,now_ns,refreshes,
 * frame_hex, one line per input packet in input order, with the frame as the
 * NF left it (docs/RUNTIMES.md). `shared`: the strategy serializes a shared
 * state (locks, tm, hybrid), so `access` is w or r; otherwise -. Exits naming
 * the file when it cannot be written. */
void inmem_outcomes_write(const char *path, const struct inmem_input *input,
                          const struct inmem_outcome *outcomes, bool shared);

#endif
