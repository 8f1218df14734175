#include "dpdk_rules/runtime/parallel/config_util.h"

#include <stdio.h>
#include <string.h>

/* The spellings are generated from parallelizer/schema/strategies.py
 * (parallel_limits.h), so the runtimes and the Python tools cannot differ. */
static const char *const strategy_spellings[NF_PAR_STRATEGY_COUNT] = NF_PAR_STRATEGY_SPELLINGS;
static const char *const strategy_renamed[][2] = NF_PAR_STRATEGY_RENAMED;

const char *nf_par_strategy_name(enum nf_par_strategy strategy) {
  unsigned i = (unsigned)strategy;
  if (i < NF_PAR_STRATEGY_COUNT && strategy_spellings[i] != NULL) return strategy_spellings[i];
  return "unknown";
}

bool nf_par_parse_strategy(const char *text, enum nf_par_strategy *out) {
  for (unsigned i = 0; i < NF_PAR_STRATEGY_COUNT; i++) {
    if (strategy_spellings[i] != NULL && strcmp(text, strategy_spellings[i]) == 0) {
      *out = (enum nf_par_strategy)i;
      return true;
    }
  }
  return false;
}

const char *nf_par_strategy_renamed(const char *text) {
  for (size_t i = 0; i < sizeof(strategy_renamed) / sizeof(strategy_renamed[0]); i++) {
    if (strcmp(text, strategy_renamed[i][0]) == 0) return strategy_renamed[i][1];
  }
  return NULL;
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

/* Row j of the mix (parallelizer/sharding/reta.py): index bits b < bits with
 * b & j == j. */
static uint16_t mix_row(unsigned j, unsigned bits) {
  uint16_t row = 0;
  for (unsigned b = j; b < bits; b++) {
    if ((b & j) == j) row |= (uint16_t)(1u << b);
  }
  return row;
}

void nf_par_default_reta(uint16_t *reta, uint16_t size, uint16_t workers) {
  unsigned bits = 0;
  while ((1u << bits) < size) bits++;
  uint16_t rows[16];
  for (unsigned j = 0; j < bits; j++) rows[j] = mix_row(j, bits);
  for (uint16_t i = 0; i < size; i++) {
    uint16_t mixed = 0;
    for (unsigned j = 0; j < bits; j++) {
      mixed |= (uint16_t)((__builtin_popcount(i & rows[j]) & 1u) << j);
    }
    reta[i] = (uint16_t)(mixed % workers);
  }
}

void nf_par_run_reta(const struct nf_parallel_config *cfg, uint16_t *reta, uint16_t workers) {
  if (cfg->reta != NULL && workers == cfg->planned_cores) {
    memcpy(reta, cfg->reta, sizeof(*reta) * cfg->reta_size);
  } else {
    nf_par_default_reta(reta, cfg->reta_size, workers);
  }
}

/* Every port has its own key (partitioned objects rely on the plan's RSS). */
static int check_port_keys(const struct nf_parallel_config *cfg, const char *strategy,
                           uint16_t port_count, char *err, size_t err_len) {
  for (uint16_t port = 0; port < port_count; port++) {
    const struct nf_par_rss_port *rss = nf_par_rss_for_port(cfg, port);
    if (rss == NULL || rss->port == NF_PAR_ANY_PORT) {
      snprintf(err, err_len,
               "%s needs an RSS key for every port but the plan for %s has none for port %u",
               strategy, cfg->nf_name, port);
      return -1;
    }
  }
  return 0;
}

/* Hybrid: the plan's consent, a key per port, and placements that make a
 * hybrid state: every object named once with a known placement, at least one
 * partitioned and one shared object (else shared-nothing or locks is the
 * plan). */
static int check_hybrid(const struct nf_parallel_config *cfg, uint16_t port_count, char *err,
                        size_t err_len) {
  if (!cfg->hybrid_allowed) {
    snprintf(err, err_len,
             "the plan for %s does not allow hybrid (its strategy is %s: %s); run the locks or "
             "tm build instead",
             cfg->nf_name, nf_par_strategy_name(cfg->strategy), cfg->strategy_reason);
    return -1;
  }
  if (check_port_keys(cfg, "hybrid", port_count, err, err_len) != 0) return -1;
  uint16_t partitioned = 0, shared = 0;
  for (uint16_t i = 0; i < cfg->object_count && i < NF_PAR_MAX_OBJECTS; i++) {
    const struct nf_par_object *object = &cfg->objects[i];
    if (object->name == NULL || object->name[0] == '\0') {
      snprintf(err, err_len, "plan for %s: object %u has no name", cfg->nf_name, i);
      return -1;
    }
    for (uint16_t j = 0; j < i; j++) {
      if (strcmp(cfg->objects[j].name, object->name) == 0) {
        snprintf(err, err_len, "plan for %s: object '%s' is placed twice (objects %u and %u)",
                 cfg->nf_name, object->name, j, i);
        return -1;
      }
    }
    if (object->placement == NF_PAR_PARTITIONED) {
      partitioned++;
    } else if (object->placement == NF_PAR_SHARED) {
      shared++;
      if (object->index_ranges_disjoint) {
        snprintf(err, err_len,
                 "plan for %s: shared object '%s' has disjoint index ranges, which only "
                 "partitioned objects have",
                 cfg->nf_name, object->name);
        return -1;
      }
    } else if (object->placement != NF_PAR_REPLICATED) {
      snprintf(err, err_len, "plan for %s: object '%s' has placement %d (unknown)", cfg->nf_name,
               object->name, (int)object->placement);
      return -1;
    }
  }
  if (partitioned == 0 || shared == 0) {
    snprintf(err, err_len,
             "plan for %s: hybrid needs partitioned and shared objects; it has %u partitioned and "
             "%u shared: run %s instead",
             cfg->nf_name, partitioned, shared, shared == 0 ? "shared-nothing" : "locks");
    return -1;
  }
  return 0;
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
  if (cfg->reta != NULL && workers == cfg->planned_cores) {
    for (uint16_t i = 0; i < cfg->reta_size; i++) {
      if (cfg->reta[i] >= workers) {
        snprintf(err, err_len,
                 "plan for %s: RETA entry %u sends to queue %u but the run has %u workers; fix "
                 "the plan's reta",
                 cfg->nf_name, i, cfg->reta[i], workers);
        return -1;
      }
    }
  }
  if (strategy == NF_PAR_HYBRID) return check_hybrid(cfg, port_count, err, err_len);
  if (strategy != NF_PAR_SHARED_NOTHING) return 0;
  if (!cfg->shared_nothing_allowed) {
    snprintf(err, err_len,
             "the plan for %s does not allow shared-nothing (its strategy is %s: %s); run the "
             "locks or tm build instead",
             cfg->nf_name, nf_par_strategy_name(cfg->strategy), cfg->strategy_reason);
    return -1;
  }
  if (check_port_keys(cfg, "shared-nothing", port_count, err, err_len) != 0) return -1;
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

int nf_par_build_layout(const struct nf_parallel_config *cfg, uint16_t worker, uint16_t workers,
                        struct nf_instance_layout *layout, char *err, size_t err_len) {
  memset(layout, 0, sizeof(*layout));
  if (workers < 1 || worker >= workers) {
    snprintf(err, err_len, "worker %u of %u: expected 0 <= worker < workers", worker, workers);
    return -1;
  }
  layout->instance = worker;
  layout->instance_count = workers;
  for (uint16_t i = 0; i < cfg->object_count && i < NF_PAR_MAX_OBJECTS; i++) {
    const struct nf_par_object *object = &cfg->objects[i];
    if (object->placement != NF_PAR_PARTITIONED) continue;
    if (layout->object_count == NF_INSTANCE_MAX_OBJECTS) {
      snprintf(err, err_len, "object '%s': more than %d partitioned objects", object->name,
               NF_INSTANCE_MAX_OBJECTS);
      return -1;
    }
    struct nf_object_layout *entry = &layout->objects[layout->object_count++];
    entry->name = object->name;
    entry->mode = NF_LAYOUT_SHARE;
    entry->disjoint_indexes = object->index_ranges_disjoint;
    entry->headroom_percent = object->headroom_percent;
  }
  return 0;
}

int nf_par_build_hybrid_layout(const struct nf_parallel_config *cfg, uint16_t worker,
                               uint16_t workers, struct nf_par_shared_objects *shared,
                               struct nf_instance_layout *layout, char *err, size_t err_len) {
  if (nf_par_build_layout(cfg, worker, workers, layout, err, err_len) != 0) return -1;
  for (uint16_t i = 0; i < cfg->object_count && i < NF_PAR_MAX_OBJECTS; i++) {
    const struct nf_par_object *object = &cfg->objects[i];
    if (object->placement != NF_PAR_SHARED) continue;
    if (layout->object_count == NF_INSTANCE_MAX_OBJECTS) {
      snprintf(err, err_len, "object '%s': more than %d partitioned and shared objects",
               object->name, NF_INSTANCE_MAX_OBJECTS);
      return -1;
    }
    struct nf_object_layout *entry = &layout->objects[layout->object_count++];
    entry->name = object->name;
    entry->mode = NF_LAYOUT_SHARED;
    entry->shared_object = &shared->slots[i];
  }
  return 0;
}

int nf_par_shared_objects_seal(const struct nf_parallel_config *cfg,
                               struct nf_par_shared_objects *shared, char *err, size_t err_len) {
  shared->count = 0;
  for (uint16_t i = 0; i < cfg->object_count && i < NF_PAR_MAX_OBJECTS; i++) {
    if (cfg->objects[i].placement != NF_PAR_SHARED) continue;
    if (shared->slots[i] == NULL) {
      snprintf(err, err_len,
               "the plan for %s shares object '%s' but the NF built no nflib object of that name "
               "(the name passed to its constructor must be the struct nf_state field)",
               cfg->nf_name, cfg->objects[i].name);
      return -1;
    }
    shared->objects[shared->count++] = shared->slots[i];
  }
  return 0;
}
