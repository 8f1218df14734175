/* Prints the runtimes' RETA rule (nf_par_default_reta) for every RETA size 64,
 * 128, 256, 512 and every worker count 1..64, one table a line:
 *   <size> <workers>: <entry 0> <entry 1> ...
 * //tests/parallel:reta_rule_test compares it with parallelizer/sharding/reta.py. */
#include <stdio.h>

#include "dpdk_rules/runtime/parallel/config_util.h"

int main(void) {
  static uint16_t reta[NF_PAR_MAX_RETA];
  for (uint16_t size = 64; size <= NF_PAR_MAX_RETA; size *= 2) {
    for (uint16_t workers = 1; workers <= NF_PAR_MAX_WORKERS; workers++) {
      nf_par_default_reta(reta, size, workers);
      printf("%u %u:", size, workers);
      for (uint16_t i = 0; i < size; i++) printf(" %u", reta[i]);
      printf("\n");
    }
  }
  return 0;
}
