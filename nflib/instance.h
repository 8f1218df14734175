/* Per-instance layout of state objects, set by parallel runtimes before they
 * call nf_state_create once per worker.
 *
 * Every nflib constructor takes the object's name (the field of struct nf_state
 * it is stored in). When an instance layout is active, a constructor looks its
 * name up: a partitioned object gets capacity/instance_count entries and, for
 * index spaces (dchain, vector), the disjoint index range starting at
 * index_base, so indexes that leave the NF (e.g. NAT external ports) stay unique
 * across cores; a shared object (NF_LAYOUT_SHARED) is built once, by the first
 * instance, and every instance gets that same object. Without a layout (sequential NF) constructors
 * use the capacity the NF asked for and index base 0. */
#ifndef NFLIB_INSTANCE_H
#define NFLIB_INSTANCE_H

#include "nflib/types.h"

#define NF_INSTANCE_MAX_OBJECTS 32

/* How an object's per-instance capacity is decided. */
enum nf_layout_mode {
  /* capacity and index_base as given (tests, fixed layouts). */
  NF_LAYOUT_ABSOLUTE = 0,
  /* This instance's share of what the NF asks for at run time: capacity =
   * requested / instance_count (rounded down to a power of two when requested is
   * one, so maps keep their invariant), index_base = instance * capacity when
   * disjoint_indexes, else 0. Parallel runtimes use this, so an NF configured
   * with --max-flows N holds N entries in total whatever the worker count, and
   * indexes stay within [0, N) like in the sequential NF. */
  NF_LAYOUT_SHARE = 1,
  /* One object for all instances (the hybrid strategy's shared objects): the
   * first instance's constructor builds it with the requested capacity and
   * stores it in *shared_object (nf_instance_publish); the constructors of
   * later instances find it there (nf_instance_shared_object) and return that
   * same object. The runtime owns the slot, starts it NULL and builds the
   * instances one after the other. */
  NF_LAYOUT_SHARED = 2,
};

struct nf_object_layout {
  const char *name;
  uint32_t capacity;     /* entries in this instance (NF_LAYOUT_ABSOLUTE) */
  int32_t index_base;    /* first index of this instance's index range (NF_LAYOUT_ABSOLUTE) */
  uint8_t mode;          /* enum nf_layout_mode */
  bool disjoint_indexes; /* NF_LAYOUT_SHARE: per-instance index ranges are disjoint */
  void **shared_object;  /* NF_LAYOUT_SHARED: the runtime's slot for the one object */
  /* NF_LAYOUT_SHARE: per-core headroom in percent (docs/SHARDING.md,
   * "Capacity"); above 100 the share is ceil(requested x headroom_percent /
   * (100 instance_count)), at most requested, without power-of-two rounding.
   * Ignored with disjoint_indexes (the ranges must stay in [0, requested)). */
  uint16_t headroom_percent;
};

struct nf_instance_layout {
  uint32_t instance;
  uint32_t instance_count;
  uint32_t object_count;
  struct nf_object_layout objects[NF_INSTANCE_MAX_OBJECTS];
};

/* Makes layout active for the constructors called by this thread until
 * nf_instance_end(). layout must outlive the call to nf_state_create. */
/*@ ghost extern const struct nf_instance_layout *nf_active_layout; */
/*@ requires \valid_read(layout);
    requires layout->object_count <= NF_INSTANCE_MAX_OBJECTS;
    assigns nf_active_layout;
    ensures nf_active_layout == layout; */
void nf_instance_begin(const struct nf_instance_layout *layout);
/*@ assigns nf_active_layout;
    ensures nf_active_layout == \null; */
void nf_instance_end(void);

/* Used by constructors: the capacity and index base for object `name` that
 * asked for `requested` entries. An object the active layout does not name
 * (or any object when no layout is active, or name NULL) gets `requested`
 * entries and index base 0: it is replicated whole. */
/*@ requires \valid(capacity) && \valid(index_base) && \separated(capacity, index_base);
    requires name == \null || \valid_read(name);
    assigns *capacity, *index_base;
    ensures (*capacity == requested && *index_base == 0) ||
      (nf_active_layout != \null && \exists integer i;
         0 <= i < nf_active_layout->object_count &&
         *capacity == nf_active_layout->objects[i].capacity &&
         *index_base == nf_active_layout->objects[i].index_base) ||
      (nf_active_layout != \null && *capacity <= requested && *index_base >= 0 &&
         *index_base + *capacity <= requested);
    behavior unnamed:
      assumes name == \null || nf_active_layout == \null;
      ensures *capacity == requested && *index_base == 0; */
void nf_instance_resolve(const char *name, uint32_t requested, uint32_t *capacity,
                         int32_t *index_base);

/* Used by constructors, first (after checking their arguments): the object
 * an earlier instance built for `name` when the active layout names it
 * NF_LAYOUT_SHARED; the constructor then returns it as is. NULL otherwise
 * (no layout, not shared, or not built yet): build the object, then call
 * nf_instance_publish. The object's type is the constructor's own. */
/*@ requires name == \null || \valid_read(name);
    assigns \nothing;
    behavior unnamed:
      assumes name == \null || nf_active_layout == \null;
      ensures \result == \null; */
void *nf_instance_shared_object(const char *name);

/* Used by constructors on success: when the active layout names `name`
 * NF_LAYOUT_SHARED, stores `object` in its slot for the later instances.
 * Writes only that runtime-owned slot (the ghost nf_shared_slots). */
/*@ ghost extern int nf_shared_slots; */
/*@ requires name == \null || \valid_read(name);
    assigns nf_shared_slots; */
void nf_instance_publish(const char *name, void *object);

#endif /* NFLIB_INSTANCE_H */
