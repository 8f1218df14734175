#include "dpdk_rules/runtime/parallel/worker_state.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dpdk_rules/runtime/parallel/config_util.h"
#include "nflib/instance.h"

#define NF_PAR_MESSAGE 512

static struct nf_state *create_with(const struct nf_config *cfg,
                                    const struct nf_instance_layout *layout, char *err,
                                    size_t err_len) {
  nf_instance_begin(layout);
  struct nf_state *state = nf_state_create(cfg, err, err_len);
  nf_instance_end();
  return state;
}

/* Appends to out the names of the layout's objects that fail alone: a layout
 * that shares only that object still makes nf_state_create fail. */
static size_t failing_objects(const struct nf_config *cfg, const struct nf_instance_layout *layout,
                              char *out, size_t out_len) {
  static struct nf_instance_layout one;
  size_t found = 0, used = 0;
  char ignored[NF_PAR_MESSAGE];
  out[0] = '\0';
  for (uint32_t i = 0; i < layout->object_count; i++) {
    if (layout->objects[i].mode != NF_LAYOUT_SHARE) continue; /* shared: full size */
    one = *layout;
    one.object_count = 1;
    one.objects[0] = layout->objects[i];
    if (create_with(cfg, &one, ignored, sizeof(ignored)) != NULL) continue;
    int n =
        snprintf(out + used, out_len - used, "%s'%s'", found ? ", " : "", layout->objects[i].name);
    if (n > 0 && (size_t)n < out_len - used) used += (size_t)n;
    found++;
  }
  return found;
}

static struct nf_state *create_from_layout(const struct nf_config *cfg,
                                           const struct nf_instance_layout *layout, uint16_t worker,
                                           uint16_t workers, char *err, size_t err_len);

struct nf_state *nf_par_worker_state_create(const struct nf_parallel_config *par,
                                            const struct nf_config *cfg, uint16_t worker,
                                            uint16_t workers, char *err, size_t err_len) {
  static struct nf_instance_layout layout;
  if (nf_par_build_layout(par, worker, workers, &layout, err, err_len) != 0) return NULL;
  return create_from_layout(cfg, &layout, worker, workers, err, err_len);
}

struct nf_state *nf_par_worker_state_create_hybrid(const struct nf_parallel_config *par,
                                                   const struct nf_config *cfg, uint16_t worker,
                                                   uint16_t workers,
                                                   struct nf_par_shared_objects *shared, char *err,
                                                   size_t err_len) {
  static struct nf_instance_layout layout;
  if (nf_par_build_hybrid_layout(par, worker, workers, shared, &layout, err, err_len) != 0)
    return NULL;
  return create_from_layout(cfg, &layout, worker, workers, err, err_len);
}

static struct nf_state *create_from_layout(const struct nf_config *cfg,
                                           const struct nf_instance_layout *layout, uint16_t worker,
                                           uint16_t workers, char *err, size_t err_len) {
  char nf_err[NF_PAR_MESSAGE] = "";
  struct nf_state *state = create_with(cfg, layout, nf_err, sizeof(nf_err));
  if (state != NULL) return state;
  char names[NF_PAR_MESSAGE], ignored[NF_PAR_MESSAGE];
  /* Only when the whole state (no layout, as the sequential NF) can be built
   * is a share to blame. */
  bool whole = nf_state_create(cfg, ignored, sizeof(ignored)) != NULL;
  size_t culprits = whole ? failing_objects(cfg, layout, names, sizeof(names)) : 0;
  if (culprits > 0) {
    snprintf(err, err_len,
             "%s; with %u workers, partitioned object%s %s cannot be built from a 1/%u share of "
             "the capacity the NF asks for (a capacity below %u leaves 0 entries per worker): "
             "configure a larger capacity or run fewer workers",
             nf_err, workers, culprits > 1 ? "s" : "", names, workers, workers);
  } else {
    snprintf(err, err_len, "%s (worker %u of %u, every partitioned object with its share)", nf_err,
             worker, workers);
  }
  return NULL;
}
