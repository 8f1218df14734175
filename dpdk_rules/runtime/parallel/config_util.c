#include "dpdk_rules/runtime/parallel/config_util.h"

#include <stdio.h>
#include <string.h>

const char *nf_par_strategy_name(enum nf_par_strategy strategy) {
  switch (strategy) {
    case NF_PAR_SHARED_NOTHING:
      return "shared-nothing";
    case NF_PAR_LOCKS:
      return "locks";
    case NF_PAR_TRANSACTIONAL_MEMORY:
      return "tm";
  }
  return "unknown";
}

bool nf_par_parse_strategy(const char *text, enum nf_par_strategy *out) {
  if (strcmp(text, "sn") == 0 || strcmp(text, "shared-nothing") == 0) {
    *out = NF_PAR_SHARED_NOTHING;
  } else if (strcmp(text, "locks") == 0) {
    *out = NF_PAR_LOCKS;
  } else if (strcmp(text, "tm") == 0) {
    *out = NF_PAR_TRANSACTIONAL_MEMORY;
  } else {
    return false;
  }
  return true;
}

const struct nf_par_rss_port *nf_par_rss_for_port(const struct nf_parallel_config *cfg,
                                                  uint16_t port) {
  const struct nf_par_rss_port *any = NULL;
  for (uint16_t i = 0; i < cfg->rss_port_count && i < NF_PAR_MAX_RSS_PORTS; i++) {
    if (cfg->rss_ports[i].port == port) return &cfg->rss_ports[i];
    if (cfg->rss_ports[i].port == NF_PAR_ANY_PORT) any = &cfg->rss_ports[i];
  }
  return any;
}

void nf_par_default_reta(uint16_t *reta, uint16_t size, uint16_t workers) {
  for (uint16_t i = 0; i < size; i++) reta[i] = (uint16_t)(i % workers);
}

int nf_par_check(const struct nf_parallel_config *cfg, enum nf_par_strategy strategy,
                 uint16_t workers, uint16_t port_count, char *err, size_t err_len) {
  if (workers < 1 || workers > NF_PAR_MAX_WORKERS) {
    snprintf(err, err_len, "%u workers requested; 1..%u are supported", workers,
             NF_PAR_MAX_WORKERS);
    return -1;
  }
  if (cfg->reta_size == 0 || cfg->reta_size > NF_PAR_MAX_RETA ||
      (cfg->reta_size & (cfg->reta_size - 1)) != 0) {
    snprintf(err, err_len, "plan RETA size %u is not a power of two in 1..%u", cfg->reta_size,
             NF_PAR_MAX_RETA);
    return -1;
  }
  if (workers > cfg->reta_size) {
    snprintf(err, err_len, "%u workers but the plan's RETA has only %u entries", workers,
             cfg->reta_size);
    return -1;
  }
  if (strategy != NF_PAR_SHARED_NOTHING) return 0;
  if (!cfg->shared_nothing_allowed) {
    snprintf(err, err_len,
             "the plan for %s does not allow shared-nothing (its strategy is %s: %s); run the "
             "locks or tm build instead",
             cfg->nf_name, nf_par_strategy_name(cfg->strategy), cfg->strategy_reason);
    return -1;
  }
  for (uint16_t port = 0; port < port_count; port++) {
    const struct nf_par_rss_port *rss = nf_par_rss_for_port(cfg, port);
    if (rss == NULL || rss->port == NF_PAR_ANY_PORT) {
      snprintf(err, err_len,
               "shared-nothing needs an RSS key for every port but the plan for %s has none "
               "for port %u",
               cfg->nf_name, port);
      return -1;
    }
  }
  for (uint16_t i = 0; i < cfg->object_count; i++) {
    if (cfg->objects[i].placement == NF_PAR_SHARED) {
      snprintf(err, err_len,
               "shared-nothing cannot hold object '%s': the plan puts it under a lock (shared)",
               cfg->objects[i].name);
      return -1;
    }
  }
  return 0;
}

static bool is_power_of_two(uint32_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}

uint32_t nf_par_capacity_per_worker(const struct nf_parallel_config *cfg,
                                    const struct nf_par_object *object, uint16_t workers) {
  uint64_t per_core = object->capacity_per_core;
  if (cfg->planned_cores == 0 || cfg->planned_cores == workers) return (uint32_t)per_core;
  uint64_t per_worker = per_core * cfg->planned_cores / workers;
  if (is_power_of_two((uint32_t)per_core)) {
    while (per_worker & (per_worker - 1)) per_worker &= per_worker - 1;
  }
  return per_worker > UINT32_MAX ? UINT32_MAX : (uint32_t)per_worker;
}

int nf_par_build_layout(const struct nf_parallel_config *cfg, uint16_t worker, uint16_t workers,
                        struct nf_instance_layout *layout, char *err, size_t err_len) {
  memset(layout, 0, sizeof(*layout));
  layout->instance = worker;
  layout->instance_count = workers;
  for (uint16_t i = 0; i < cfg->object_count; i++) {
    const struct nf_par_object *object = &cfg->objects[i];
    if (object->placement != NF_PAR_PARTITIONED) continue;
    if (object->capacity_per_core == 0) {
      snprintf(err, err_len,
               "partitioned object '%s' has no capacity_per_core in the plan: the plan must "
               "state each core's share",
               object->name);
      return -1;
    }
    uint32_t capacity = nf_par_capacity_per_worker(cfg, object, workers);
    if (capacity == 0) {
      snprintf(err, err_len,
               "object '%s': %u entries per core for %u cores leave 0 per worker with %u workers",
               object->name, object->capacity_per_core, cfg->planned_cores, workers);
      return -1;
    }
    uint64_t base = object->index_ranges_disjoint ? (uint64_t)worker * capacity : 0;
    if (base + capacity > INT32_MAX) {
      snprintf(err, err_len, "object '%s': index range of worker %u (%llu + %u) exceeds int32",
               object->name, worker, (unsigned long long)base, capacity);
      return -1;
    }
    if (layout->object_count == NF_INSTANCE_MAX_OBJECTS) {
      snprintf(err, err_len, "more than %d partitioned objects", NF_INSTANCE_MAX_OBJECTS);
      return -1;
    }
    struct nf_object_layout *entry = &layout->objects[layout->object_count++];
    entry->name = object->name;
    entry->capacity = capacity;
    entry->index_base = (int32_t)base;
  }
  return 0;
}
