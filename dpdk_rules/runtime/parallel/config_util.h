/* Helpers over the generated nf_parallel_config shared by the DPDK and the
 * in-memory runtimes: strategy names, per-port RSS look-up, the default RETA and
 * per-worker state layouts. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_CONFIG_UTIL_H
#define DPDK_RULES_RUNTIME_PARALLEL_CONFIG_UTIL_H

#include <stddef.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"
#include "nflib/instance.h"

/* The spelling of `strategy`: "shared_nothing", "locks", "tm" or "hybrid"
 * (parallelizer/schema/strategies.py, through parallel_limits.h). */
const char *nf_par_strategy_name(enum nf_par_strategy strategy);

/* Parses a spelling of nf_par_strategy_name; false on anything else, the old
 * spellings included (nf_par_strategy_renamed names their replacement). */
bool nf_par_parse_strategy(const char *text, enum nf_par_strategy *out);

/* The spelling that replaced the old spelling `text` ("sn" -> "shared_nothing"),
 * or NULL when `text` is not an old spelling. */
const char *nf_par_strategy_renamed(const char *text);

/* The RSS entry of `port`: its own, else the NF_PAR_ANY_PORT one, else NULL. */
/*@ requires \valid_read(cfg);
    assigns \nothing; */
const struct nf_par_rss_port *nf_par_rss_for_port(const struct nf_parallel_config *cfg,
                                                  uint16_t port);

/* The RETA rule (docs/SHARDING.md, "RETA"; the math in
 * parallelizer/sharding/reta.py, checked against this function by
 * //tests/parallel:reta_rule_test): entry i -> mix(i) mod workers, where mix
 * is the bijective GF(2)-linear map whose bit j is the parity of the index
 * bits b with b & j == j. Every queue gets size / workers entries (+-1) and
 * the queue depends on every index bit, not only the low ones. */
/*@ requires workers >= 1;
    requires size >= 1 && size <= NF_PAR_MAX_RETA && (size & (size - 1)) == 0;
    requires \valid(reta + (0 .. size - 1));
    assigns reta[0 .. size - 1];
    ensures \forall integer i; 0 <= i < size ==> reta[i] < workers; */
void nf_par_default_reta(uint16_t *reta, uint16_t size, uint16_t workers);

/* The RETA a run with `workers` workers uses: the plan's own table (cfg->reta)
 * when the run has the plan's worker count, else nf_par_default_reta's. */
/*@ requires \valid_read(cfg) && workers >= 1;
    requires \valid(reta + (0 .. cfg->reta_size - 1));
    assigns reta[0 .. cfg->reta_size - 1]; */
void nf_par_run_reta(const struct nf_parallel_config *cfg, uint16_t *reta, uint16_t workers);

/* Checks that `strategy` can run the NF's `port_count` ports with `workers`
 * workers under cfg: the plan's RETA, when the run uses it, sends only to
 * existing queues; shared-nothing needs the plan's consent, an RSS entry for
 * every port and no shared object; hybrid the plan's consent, an RSS entry for
 * every port, and consistent placements (each object once, a known placement,
 * no disjoint index ranges on a shared object, at least one partitioned and
 * one shared object). Returns 0, or -1 with a message in err. */
int nf_par_check(const struct nf_parallel_config *cfg, enum nf_par_strategy strategy,
                 uint16_t workers, uint16_t port_count, char *err, size_t err_len);

/* The layout worker `worker` of `workers` activates before nf_state_create:
 * every partitioned object gets an NF_LAYOUT_SHARE entry (nflib/instance.h), so
 * its constructor gives it requested / workers entries of whatever capacity the
 * NF asks for at run time (its options), rounded down to a power of two when
 * the request is one, and, when its index ranges must be disjoint, index_base
 * = worker x that share: indexes stay in [0, requested) like in the sequential
 * NF. Replicated objects are left out (full copy). Returns 0, or -1 with a
 * message in err
 * (bad worker numbers, too many objects). */
/*@ requires \valid(layout) && \valid(err + (0 .. err_len - 1));
    assigns *layout, err[0 .. err_len - 1];
    ensures \result == 0 ==> layout->instance == worker && layout->instance_count == workers &&
      layout->object_count <= NF_INSTANCE_MAX_OBJECTS; */
int nf_par_build_layout(const struct nf_parallel_config *cfg, uint16_t worker, uint16_t workers,
                        struct nf_instance_layout *layout, char *err, size_t err_len);

/* The shared objects of a hybrid run: slots[i] (for the config's object i)
 * is the NF_LAYOUT_SHARED slot the first worker's constructor fills; after
 * every worker's state is built, objects[0 .. count-1] lists them for the
 * write hook. Owned by the runtime, zero-initialized. */
struct nf_par_shared_objects {
  void *slots[NF_PAR_MAX_OBJECTS];
  uint16_t count;
  const void *objects[NF_PAR_MAX_OBJECTS];
};

/* The hybrid layout of worker `worker`: nf_par_build_layout's NF_LAYOUT_SHARE
 * entries for the partitioned objects, and an NF_LAYOUT_SHARED entry with slot
 * shared->slots[i] for every shared object i; replicated objects are left out
 * (a full copy per worker). Build the workers one after the other with the
 * same `shared`. Returns 0, or -1 with a message in err. */
/*@ requires \valid(layout) && \valid(shared) && \valid(err + (0 .. err_len - 1)); */
int nf_par_build_hybrid_layout(const struct nf_parallel_config *cfg, uint16_t worker,
                               uint16_t workers, struct nf_par_shared_objects *shared,
                               struct nf_instance_layout *layout, char *err, size_t err_len);

/* After every worker's state is built: lists the shared objects in
 * shared->objects; -1 with a message naming the object when a shared object's
 * slot is still empty (the NF built no object of that name, so each worker
 * would silently hold its own). */
int nf_par_shared_objects_seal(const struct nf_parallel_config *cfg,
                               struct nf_par_shared_objects *shared, char *err, size_t err_len);

/*@ requires \valid_read(shared);
    assigns \nothing; */
static inline bool nf_par_is_shared_object(const struct nf_par_shared_objects *shared,
                                           const void *object) {
  for (uint16_t i = 0; i < shared->count; i++) {
    if (shared->objects[i] == object) return true;
  }
  return false;
}

#endif
