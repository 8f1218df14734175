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

void nf_instance_resolve(const char *name, uint32_t requested, uint32_t *capacity,
                         int32_t *index_base) {
  *capacity = requested;
  *index_base = 0;
  const struct nf_instance_layout *layout = active_layout;
  if (!layout || !name) return;
  uint32_t count = layout->object_count;
  if (count > NF_INSTANCE_MAX_OBJECTS) count = NF_INSTANCE_MAX_OBJECTS;
  for (uint32_t i = 0; i < count; i++) {
    const struct nf_object_layout *obj = &layout->objects[i];
    if (obj->name && strcmp(obj->name, name) == 0) {
      *capacity = obj->capacity;
      *index_base = obj->index_base;
      return;
    }
  }
}
