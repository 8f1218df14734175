/* Per-thread active instance layout, read by every nflib constructor. */
#include "nflib/instance.h"

#include <string.h>

static __thread const struct nf_instance_layout *active_layout;

void nf_instance_begin(const struct nf_instance_layout *layout) {
  active_layout = layout;
}

void nf_instance_end(void) {
  active_layout = 0;
}

static uint32_t round_down_pow2(uint32_t value) {
  while (value & (value - 1)) value &= value - 1;
  return value;
}

/* This instance's share of `requested` (see NF_LAYOUT_SHARE). */
static void resolve_share(const struct nf_instance_layout *layout,
                          const struct nf_object_layout *obj, uint32_t requested,
                          uint32_t *capacity, int32_t *index_base) {
  uint32_t count = layout->instance_count ? layout->instance_count : 1;
  uint32_t instance = layout->instance < count ? layout->instance : 0;
  uint32_t share = requested / count;
  if (requested != 0 && (requested & (requested - 1)) == 0) share = round_down_pow2(share);
  if (obj->headroom_percent > 100 && !obj->disjoint_indexes) {
    /* The operator's headroom over an even split (capacity.share in
     * parallelizer/sharding/capacity.py is the same rule); 64-bit: no overflow. */
    uint64_t parts = (uint64_t)100 * count;
    uint64_t wanted = ((uint64_t)requested * obj->headroom_percent + parts - 1) / parts;
    share = wanted < requested ? (uint32_t)wanted : requested;
  }
  *capacity = share;
  *index_base = obj->disjoint_indexes ? (int32_t)((uint64_t)instance * share) : 0;
}

/* The active layout's entry for `name`, or NULL. */
static const struct nf_object_layout *find_entry(const char *name) {
  const struct nf_instance_layout *layout = active_layout;
  if (!layout || !name) return 0;
  uint32_t count = layout->object_count;
  if (count > NF_INSTANCE_MAX_OBJECTS) count = NF_INSTANCE_MAX_OBJECTS;
  for (uint32_t i = 0; i < count; i++) {
    const struct nf_object_layout *obj = &layout->objects[i];
    if (obj->name && strcmp(obj->name, name) == 0) return obj;
  }
  return 0;
}

void nf_instance_resolve(const char *name, uint32_t requested, uint32_t *capacity,
                         int32_t *index_base) {
  *capacity = requested;
  *index_base = 0;
  const struct nf_object_layout *obj = find_entry(name);
  if (!obj || obj->mode == NF_LAYOUT_SHARED) return; /* whole object */
  if (obj->mode == NF_LAYOUT_SHARE) {
    resolve_share(active_layout, obj, requested, capacity, index_base);
  } else {
    *capacity = obj->capacity;
    *index_base = obj->index_base;
  }
}

void *nf_instance_shared_object(const char *name) {
  const struct nf_object_layout *obj = find_entry(name);
  if (!obj || obj->mode != NF_LAYOUT_SHARED || !obj->shared_object) return 0;
  return *obj->shared_object;
}

void nf_instance_publish(const char *name, void *object) {
  const struct nf_object_layout *obj = find_entry(name);
  if (!obj || obj->mode != NF_LAYOUT_SHARED || !obj->shared_object) return;
  *obj->shared_object = object;
}
