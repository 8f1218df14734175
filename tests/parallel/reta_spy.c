/* LD_PRELOAD shim for the DPDK runtime's tests: records every RETA the
 * runtime programs (rte_eth_dev_rss_reta_update) into the file named by
 * $NF_RETA_SPY, one line "port <p>: <entry 0> <entry 1> ...", then calls
 * DPDK's own function. It lets a test see which table a DPDK NF steers by
 * without changing the runtime. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* rte_ethdev.h's struct rte_eth_rss_reta_entry64 (DPDK 22.11 ABI). */
struct rte_eth_rss_reta_entry64 {
  uint64_t mask;
  uint16_t reta[64];
};

typedef int (*reta_update_fn)(uint16_t, struct rte_eth_rss_reta_entry64 *, uint16_t);

int rte_eth_dev_rss_reta_update(uint16_t port_id, struct rte_eth_rss_reta_entry64 *reta_conf,
                                uint16_t reta_size) {
  const char *path = getenv("NF_RETA_SPY");
  FILE *out = path != NULL ? fopen(path, "a") : NULL;
  if (out != NULL) {
    fprintf(out, "port %u:", port_id);
    for (uint16_t i = 0; i < reta_size; i++) {
      const struct rte_eth_rss_reta_entry64 *group = &reta_conf[i / 64];
      if (group->mask >> (i % 64) & 1) fprintf(out, " %u", group->reta[i % 64]);
    }
    fprintf(out, "\n");
    fclose(out);
  }
  reta_update_fn real = (reta_update_fn)dlsym(RTLD_NEXT, "rte_eth_dev_rss_reta_update");
  if (real == NULL) {
    fprintf(stderr, "reta_spy: DPDK's rte_eth_dev_rss_reta_update not found\n");
    abort();
  }
  return real(port_id, reta_conf, reta_size);
}
