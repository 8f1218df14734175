/* The input of a run: every port's pcap merged into one sequence by
 * (timestamp, port, file order), as the NIC ports would have delivered it. */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_INPUT_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_INPUT_H

#include <stdint.h>

#include "dpdk_rules/runtime/options.h"

struct inmem_packet {
  int64_t ts_ns;
  uint16_t port;
  uint32_t len;
  uint8_t *frame;          /* working copy, rewritten by the NF */
  const uint8_t *pristine; /* as captured */
};

struct inmem_input {
  struct inmem_packet *packets; /* input order; index = position */
  uint32_t count;
};

/* Reads pcap[port] for every port that has one, or exits naming the file and
 * the problem (or a port the NF does not have). */
void inmem_input_load(struct inmem_input *input, const char *const pcap[RT_INMEM_MAX_PORTS],
                      uint16_t port_count);

/* Time from the first to the last packet plus 1 ns (1 when empty): the shift
 * between two benchmark runs, so that flows continue instead of going back in
 * time. */
int64_t inmem_input_span(const struct inmem_input *input);

#endif
