/* Access recording for the dynamic soundness check (docs/SOUNDNESS.md).
 *
 * Every public nflib state operation is wrapped at link time (ld --wrap, see
 * BUILD.bazel: WRAPPED): __wrap_f records the call and calls __real_f. Only the
 * soundness driver links this file, so //nflib and every other build are
 * unchanged, and the recording needs no edit of the (proved) nflib sources.
 * Calls from one nflib file into another (nf_expire_items -> nf_map_erase,
 * nf_cht_find_backend -> nf_dchain_is_allocated) go through the wrappers too.
 *
 * Objects are named by the name their constructor got, which is the nf_state
 * field the plan names (nflib/instance.h). Records go to a stdio stream with a
 * buffer set up before the first packet: the packet path never allocates.
 *
 * One text line per event (parsed by tests/soundness/trace.py):
 *   O <id> <kind> <name>                        an object was created
 *   A <packet> <id> <op> <index> <value> <key>  an access (packet -1: at init;
 *                                              index/value/key "-" when none)
 */
#include "tests/soundness/trace.h"

#include <stdio.h>
#include <string.h>

#include "nflib/cht.h"
#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/lpm.h"
#include "nflib/map.h"
#include "nflib/sketch.h"
#include "nflib/vector.h"

#define TRACE_MAX_OBJECTS 64

struct traced_object {
  const void *ptr;
  uint32_t key_size; /* maps and sketches: key bytes; vectors: cell bytes */
};

static struct traced_object objects[TRACE_MAX_OBJECTS];
static int object_count;
static FILE *trace_out;
static int64_t current_packet = -1;
static int expiring; /* inside nf_expire_items / nf_expire_indexes */

void nf_trace_open(FILE *out) {
  trace_out = out;
}

void nf_trace_packet(int64_t index) {
  current_packet = index;
}

static int object_id(const void *ptr) {
  for (int i = 0; i < object_count; i++) {
    if (objects[i].ptr == ptr) return i;
  }
  return -1;
}

static void register_object(const void *ptr, const char *kind, const char *name,
                            uint32_t key_size) {
  if (ptr == NULL || trace_out == NULL) return;
  if (object_id(ptr) >= 0) return; /* a shared object handed out again */
  if (object_count == TRACE_MAX_OBJECTS) {
    fprintf(stderr, "soundness trace: more than %d objects\n", TRACE_MAX_OBJECTS);
    return;
  }
  objects[object_count].ptr = ptr;
  objects[object_count].key_size = key_size;
  fprintf(trace_out, "O %d %s %s\n", object_count, kind, name ? name : "-");
  object_count++;
}

static void record(const void *ptr, const char *op, int64_t index, int64_t value, bool has_index,
                   bool has_value, const void *key, uint32_t key_size) {
  if (trace_out == NULL) return;
  int id = object_id(ptr);
  fprintf(trace_out, "A %lld %d %s ", (long long)current_packet, id, op);
  if (has_index) {
    fprintf(trace_out, "%lld ", (long long)index);
  } else {
    fputs("- ", trace_out);
  }
  if (has_value) {
    fprintf(trace_out, "%lld ", (long long)value);
  } else {
    fputs("- ", trace_out);
  }
  if (key != NULL && key_size > 0) {
    const uint8_t *bytes = key;
    for (uint32_t i = 0; i < key_size; i++) fprintf(trace_out, "%02x", bytes[i]);
  } else {
    fputc('-', trace_out);
  }
  fputc('\n', trace_out);
}

static uint32_t key_size_of(const void *ptr) {
  int id = object_id(ptr);
  return id >= 0 ? objects[id].key_size : 0;
}

static void record_key(const void *ptr, const char *op, const void *key, bool has_value,
                       int64_t value) {
  record(ptr, op, 0, value, false, has_value, key, key_size_of(ptr));
}

static void record_index(const void *ptr, const char *op, int64_t index) {
  record(ptr, op, index, 0, true, false, NULL, 0);
}

/* ------------------------------------------------------------------ map */
struct nf_map *__real_nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                                    nf_key_hash_fn hash, nf_key_eq_fn eq);
bool __real_nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out);
int __real_nf_map_put(struct nf_map *map, const void *key, int32_t value);
int __real_nf_map_erase(struct nf_map *map, const void *key);

struct nf_map *__wrap_nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                                    nf_key_hash_fn hash, nf_key_eq_fn eq) {
  struct nf_map *map = __real_nf_map_create(name, capacity, key_size, hash, eq);
  register_object(map, "map", name, key_size);
  return map;
}

bool __wrap_nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out) {
  bool found = __real_nf_map_get(map, key, value_out);
  record_key(map, found ? "get_hit" : "get_miss", key, found, found ? *value_out : 0);
  return found;
}

int __wrap_nf_map_put(struct nf_map *map, const void *key, int32_t value) {
  int rc = __real_nf_map_put(map, key, value);
  const char *op = rc == NF_OK ? "put_new" : rc == NF_EXISTS ? "put_exists" : "put_full";
  record_key(map, op, key, true, value);
  return rc;
}

int __wrap_nf_map_erase(struct nf_map *map, const void *key) {
  /* Record first: the key may live in a cell the erase does not change, but
   * copy nothing the caller may reuse. */
  uint8_t copy[256];
  uint32_t size = key_size_of(map);
  if (size > sizeof(copy)) size = sizeof(copy);
  memcpy(copy, key, size);
  int rc = __real_nf_map_erase(map, key);
  const char *op = rc != NF_OK ? "erase_miss" : expiring ? "expire" : "erase";
  record(map, op, 0, 0, false, false, copy, size);
  return rc;
}

/* --------------------------------------------------------------- dchain */
struct nf_dchain *__real_nf_dchain_create(const char *name, uint32_t capacity);
bool __real_nf_dchain_allocate(struct nf_dchain *chain, nf_time_t now, int32_t *index_out);
int __real_nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now);
bool __real_nf_dchain_is_allocated(const struct nf_dchain *chain, int32_t index);
bool __real_nf_dchain_expire_one(struct nf_dchain *chain, nf_time_t older_than, int32_t *index_out);
int __real_nf_dchain_free(struct nf_dchain *chain, int32_t index);

struct nf_dchain *__wrap_nf_dchain_create(const char *name, uint32_t capacity) {
  struct nf_dchain *chain = __real_nf_dchain_create(name, capacity);
  register_object(chain, "dchain", name, 0);
  return chain;
}

bool __wrap_nf_dchain_allocate(struct nf_dchain *chain, nf_time_t now, int32_t *index_out) {
  bool ok = __real_nf_dchain_allocate(chain, now, index_out);
  if (ok) {
    record_index(chain, "alloc", *index_out);
  } else {
    record(chain, "alloc_full", 0, 0, false, false, NULL, 0);
  }
  return ok;
}

int __wrap_nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now) {
  int rc = __real_nf_dchain_rejuvenate(chain, index, now);
  record_index(chain, rc == NF_OK ? "refresh" : "refresh_miss", index);
  return rc;
}

bool __wrap_nf_dchain_is_allocated(const struct nf_dchain *chain, int32_t index) {
  bool allocated = __real_nf_dchain_is_allocated(chain, index);
  record_index(chain, allocated ? "check_hit" : "check_miss", index);
  return allocated;
}

bool __wrap_nf_dchain_expire_one(struct nf_dchain *chain, nf_time_t older_than,
                                 int32_t *index_out) {
  bool expired = __real_nf_dchain_expire_one(chain, older_than, index_out);
  if (expired) record_index(chain, "expire", *index_out);
  return expired;
}

int __wrap_nf_dchain_free(struct nf_dchain *chain, int32_t index) {
  int rc = __real_nf_dchain_free(chain, index);
  record_index(chain, rc == NF_OK ? "free" : "free_miss", index);
  return rc;
}

/* --------------------------------------------------------------- vector */
struct nf_vector *__real_nf_vector_create(const char *name, uint32_t capacity, uint32_t cell_size,
                                          nf_cell_init_fn init_cell);
void __real_nf_vector_borrow(const struct nf_vector *vector, int32_t index, void *cell_out);
void __real_nf_vector_return(struct nf_vector *vector, int32_t index, const void *cell);
const void *__real_nf_vector_cell_ptr(const struct nf_vector *vector, int32_t index);

struct nf_vector *__wrap_nf_vector_create(const char *name, uint32_t capacity, uint32_t cell_size,
                                          nf_cell_init_fn init_cell) {
  struct nf_vector *vector = __real_nf_vector_create(name, capacity, cell_size, init_cell);
  register_object(vector, "vector", name, cell_size);
  return vector;
}

void __wrap_nf_vector_borrow(const struct nf_vector *vector, int32_t index, void *cell_out) {
  __real_nf_vector_borrow(vector, index, cell_out);
  record_index(vector, expiring ? "expire_read" : "read", index);
}

void __wrap_nf_vector_return(struct nf_vector *vector, int32_t index, const void *cell) {
  __real_nf_vector_return(vector, index, cell);
  record_index(vector, "write", index);
}

/* nflib-internal read-only cell pointer (nflib/internal.h); nf_expire_items
 * reads the key to erase through it. */
const void *__wrap_nf_vector_cell_ptr(const struct nf_vector *vector, int32_t index) {
  const void *cell = __real_nf_vector_cell_ptr(vector, index);
  record_index(vector, expiring ? "expire_read" : "read", index);
  return cell;
}

/* --------------------------------------------------------------- sketch */
struct nf_sketch *__real_nf_sketch_create(const char *name, uint32_t width, uint32_t depth,
                                          uint32_t key_size, nf_time_t expiry);
uint32_t __real_nf_sketch_estimate(const struct nf_sketch *sketch, const void *key, nf_time_t now);
void __real_nf_sketch_increment(struct nf_sketch *sketch, const void *key, nf_time_t now);
void __real_nf_sketch_expire(struct nf_sketch *sketch, nf_time_t now);

struct nf_sketch *__wrap_nf_sketch_create(const char *name, uint32_t width, uint32_t depth,
                                          uint32_t key_size, nf_time_t expiry) {
  struct nf_sketch *sketch = __real_nf_sketch_create(name, width, depth, key_size, expiry);
  register_object(sketch, "sketch", name, key_size);
  return sketch;
}

uint32_t __wrap_nf_sketch_estimate(const struct nf_sketch *sketch, const void *key, nf_time_t now) {
  uint32_t estimate = __real_nf_sketch_estimate(sketch, key, now);
  record_key(sketch, "estimate", key, true, estimate);
  return estimate;
}

void __wrap_nf_sketch_increment(struct nf_sketch *sketch, const void *key, nf_time_t now) {
  __real_nf_sketch_increment(sketch, key, now);
  record_key(sketch, "increment", key, false, 0);
}

void __wrap_nf_sketch_expire(struct nf_sketch *sketch, nf_time_t now) {
  __real_nf_sketch_expire(sketch, now);
  record(sketch, "sketch_expire", 0, 0, false, false, NULL, 0);
}

/* ------------------------------------------------------------ lpm, cht */
struct nf_lpm *__real_nf_lpm_create(const char *name, uint32_t max_long_prefix_groups);
int __real_nf_lpm_add(struct nf_lpm *lpm, uint32_t prefix, uint8_t prefix_len, int32_t value);
bool __real_nf_lpm_lookup(const struct nf_lpm *lpm, uint32_t addr, int32_t *value_out);
struct nf_cht *__real_nf_cht_create(const char *name, uint32_t backend_capacity,
                                    uint32_t table_size);
bool __real_nf_cht_find_backend(const struct nf_cht *cht, uint32_t hash,
                                const struct nf_dchain *active, int32_t *backend_out);

struct nf_lpm *__wrap_nf_lpm_create(const char *name, uint32_t max_long_prefix_groups) {
  struct nf_lpm *lpm = __real_nf_lpm_create(name, max_long_prefix_groups);
  register_object(lpm, "lpm", name, 4);
  return lpm;
}

int __wrap_nf_lpm_add(struct nf_lpm *lpm, uint32_t prefix, uint8_t prefix_len, int32_t value) {
  int rc = __real_nf_lpm_add(lpm, prefix, prefix_len, value);
  record(lpm, rc == NF_OK ? "lpm_add" : "lpm_add_full", prefix_len, value, true, true, &prefix,
         sizeof(prefix));
  return rc;
}

bool __wrap_nf_lpm_lookup(const struct nf_lpm *lpm, uint32_t addr, int32_t *value_out) {
  bool found = __real_nf_lpm_lookup(lpm, addr, value_out);
  record(lpm, found ? "lookup_hit" : "lookup_miss", 0, found ? *value_out : 0, false, found, &addr,
         sizeof(addr));
  return found;
}

struct nf_cht *__wrap_nf_cht_create(const char *name, uint32_t backend_capacity,
                                    uint32_t table_size) {
  struct nf_cht *cht = __real_nf_cht_create(name, backend_capacity, table_size);
  register_object(cht, "cht", name, 4);
  return cht;
}

bool __wrap_nf_cht_find_backend(const struct nf_cht *cht, uint32_t hash,
                                const struct nf_dchain *active, int32_t *backend_out) {
  bool found = __real_nf_cht_find_backend(cht, hash, active, backend_out);
  record(cht, found ? "lookup_hit" : "lookup_miss", 0, found ? *backend_out : 0, false, found,
         &hash, sizeof(hash));
  return found;
}

/* ------------------------------------------------------------ expirator */
int __real_nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                           nf_time_t older_than);
int __real_nf_expire_indexes(struct nf_dchain *chain, nf_time_t older_than);

int __wrap_nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                           nf_time_t older_than) {
  expiring++;
  int count = __real_nf_expire_items(chain, keys, map, older_than);
  expiring--;
  return count;
}

int __wrap_nf_expire_indexes(struct nf_dchain *chain, nf_time_t older_than) {
  expiring++;
  int count = __real_nf_expire_indexes(chain, older_than);
  expiring--;
  return count;
}
