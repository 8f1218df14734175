/* The parallel NF's configuration, generated from the plan by
 * //parallelizer/codegen:generate (one C file defining nf_parallel_config).
 * Read by the parallel DPDK runtime and the in-memory runtime; no DPDK types
 * here so that the in-memory runtime builds without DPDK. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_PARALLEL_CONFIG_H
#define DPDK_RULES_RUNTIME_PARALLEL_PARALLEL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/* Sizes, rss_hf bits (NF_PAR_RSS_*), NF_PAR_ANY_PORT and enum nf_par_field,
 * generated from their Python owners (parallelizer/limits.py and others) by
 * //parallelizer/codegen:limits_header. */
#include "dpdk_rules/runtime/parallel/parallel_limits.h"

enum nf_par_strategy {
  NF_PAR_SHARED_NOTHING = 1,
  NF_PAR_LOCKS = 2,
  NF_PAR_TRANSACTIONAL_MEMORY = 3,
  /* Partitioned objects per worker (as shared-nothing), one instance of each
   * shared object, the read/write lock only around shared-object writes. */
  NF_PAR_HYBRID = 4,
};

enum nf_par_placement {
  NF_PAR_PARTITIONED = 1, /* one instance per worker, capacity split */
  NF_PAR_REPLICATED = 2,  /* a full copy per worker (written only at init) */
  NF_PAR_SHARED = 3,      /* one instance under the lock (hybrid: the only one locked) */
};

struct nf_par_rss_port {
  uint16_t port; /* NF port, or NF_PAR_ANY_PORT */
  uint8_t key_len;
  uint8_t key[NF_PAR_MAX_KEY_LEN];
  uint64_t rss_hf; /* NF_PAR_RSS_* bits: which packet types are hashed, how */
  uint8_t hashed_field_count;
  enum nf_par_field hashed_fields[NF_PAR_MAX_HASHED_FIELDS];
};

struct nf_par_object {
  const char *name; /* field of struct nf_state */
  enum nf_par_placement placement;
  /* No per-worker capacity: runtimes share the capacity the NF requests at run
   * time (NF_LAYOUT_SHARE); the plan's capacity_per_core is a report for the
   * default configuration, not carried here (docs/ARCHITECTURE.md). */
  bool index_ranges_disjoint; /* indexes leave the NF: per-worker ranges */
  /* Per-core headroom in percent (plan capacity_headroom x 100; 0 or 100:
   * none): each worker's share is headroom x requested / workers
   * (nflib/instance.h headroom_percent). */
  uint16_t headroom_percent;
};

struct nf_parallel_config {
  const char *nf_name;
  enum nf_par_strategy strategy;
  const char *strategy_reason;
  /* Whether the plan allows shared-nothing (its own strategy is SN). */
  bool shared_nothing_allowed;
  /* Whether the plan allows hybrid (its own strategy is HYBRID: partitioned
   * objects whose keys it solved, and shared objects). */
  bool hybrid_allowed;
  uint16_t reta_size;     /* RETA entries */
  uint16_t planned_cores; /* cores the plan's capacities and RETA are for (0: any) */
  /* The plan's RETA (reta_size entries, queues < planned_cores), used by runs
   * with planned_cores workers; NULL, or another worker count: the runtimes
   * derive it with nf_par_default_reta (config_util.h). */
  const uint16_t *reta;
  uint16_t rss_port_count;
  struct nf_par_rss_port rss_ports[NF_PAR_MAX_RSS_PORTS];
  uint16_t object_count;
  struct nf_par_object objects[NF_PAR_MAX_OBJECTS];
};

extern const struct nf_parallel_config nf_parallel_config;

#endif /* DPDK_RULES_RUNTIME_PARALLEL_PARALLEL_CONFIG_H */
