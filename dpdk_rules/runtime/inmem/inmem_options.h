/* The in-memory runtime's command line:
 *
 *   <nf>_inmem [runtime options] -- [NF options]
 *
 * The options' names, ranges and help are rows of the runtimes' one table
 * (dpdk_rules/runtime/options.c, family RT_INMEM); this file adds what only
 * this runtime knows: the strategy as the parallel config names it, and the
 * rules between options. */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_OPTIONS_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_OPTIONS_H

#include <stdbool.h>

#include "dpdk_rules/runtime/options.h"
#include "dpdk_rules/runtime/parallel/parallel_config.h"

struct inmem_options {
  struct rt_options rt;
  /* --strategy=sequential: 1 worker, the NF's own state without a layout. */
  bool sequential;
  enum nf_par_strategy strategy; /* the plan's unless --strategy names one */
};

/* Parses argv or exits: 0 after --help (printed to stdout), RT_EXIT_USAGE
 * with one line on a bad option, value or combination. Returns the index of
 * the NF's argv[0]: the "--" before the NF's options, or argc - 1 when there
 * are none, so that argv[result..argc) is the NF's command line once argv[0]
 * is put in its first slot. */
int inmem_options_parse(int argc, char **argv, struct inmem_options *opts);

/* "sequential" or the strategy's name, as the runtime's output spells it. */
const char *inmem_strategy_text(const struct inmem_options *opts);

#endif
