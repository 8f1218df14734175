/* Prints every value of the generated parallel_limits.h as the C compiler sees
 * it, one "NAME VALUE" line each, for limits_header_test.py to compare with
 * the Python owners. */
#include <inttypes.h>
#include <stdio.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"

#define DUMP(name) printf("%s %" PRIu64 "\n", #name, (uint64_t)(name))

int main(void) {
  DUMP(NF_PAR_MAX_KEY_LEN);
  DUMP(NF_PAR_MAX_RSS_PORTS);
  DUMP(NF_PAR_MAX_OBJECTS);
  DUMP(NF_PAR_MAX_HASHED_FIELDS);
  DUMP(NF_PAR_MAX_RETA);
  DUMP(NF_PAR_MAX_WORKERS);
  DUMP(NF_PAR_ANY_PORT);
  DUMP(NF_PAR_RSS_IPV4);
  DUMP(NF_PAR_RSS_FRAG_IPV4);
  DUMP(NF_PAR_RSS_NONFRAG_IPV4_TCP);
  DUMP(NF_PAR_RSS_NONFRAG_IPV4_UDP);
  DUMP(NF_PAR_RSS_NONFRAG_IPV4_OTHER);
  DUMP(NF_PAR_RSS_L4_DST_ONLY);
  DUMP(NF_PAR_RSS_L4_SRC_ONLY);
  DUMP(NF_PAR_RSS_L3_DST_ONLY);
  DUMP(NF_PAR_RSS_L3_SRC_ONLY);
  DUMP(NF_PAR_FIELD_IPV4_SRC);
  DUMP(NF_PAR_FIELD_IPV4_DST);
  DUMP(NF_PAR_FIELD_L4_SRC_PORT);
  DUMP(NF_PAR_FIELD_L4_DST_PORT);
  /* The struct's arrays are sized by the macros (no stale literal). */
  printf("sizeof_key %zu\n", sizeof(((struct nf_par_rss_port *)0)->key));
  printf("sizeof_hashed_fields %zu\n",
         sizeof(((struct nf_par_rss_port *)0)->hashed_fields) / sizeof(enum nf_par_field));
  return 0;
}
