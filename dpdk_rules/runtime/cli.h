/* The command line of a DPDK runtime binary, read before rte_eal_init so that
 * --help and usage errors need no EAL (no hugepages, no devices):
 *
 *   <binary> [EAL options] -- [runtime options] [--] [NF options]
 *
 * --help anywhere prints the EAL hint, the runtime's options (options.h) and
 * the NF's (nf_config_usage) and exits 0; a bad runtime or NF option prints one
 * line naming it and exits RT_EXIT_USAGE (2). */
#ifndef DPDK_RULES_RUNTIME_CLI_H
#define DPDK_RULES_RUNTIME_CLI_H

#include "dpdk_rules/runtime/options.h"
#include "nflib/nf.h"

struct rt_cli {
  struct rt_options opts;
  struct nf_config *cfg;
};

/* Parses or exits (0 after --help, RT_EXIT_USAGE on a usage error). Does not
 * change argv, which then goes to rte_eal_init unchanged. */
void rt_cli_parse(int argc, char **argv, unsigned runtime, struct rt_cli *cli);

#endif
