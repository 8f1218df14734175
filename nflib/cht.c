/* Maglev consistent hashing (Eisenbud et al., NSDI'16). Backend b has the
 * permutation slot_j(b) = (offset(b) + j * skip(b)) mod table_size; backends
 * take turns claiming their next unclaimed preferred slot until every slot has
 * an owner, so each backend owns table_size / backend_capacity slots (+-1).
 *
 * Lookup semantics (exact): the preference list of a flow hash h is the table
 * read from slot s = h mod table_size onwards, wrapping:
 *   table[s], table[s+1], ..., table[s + table_size - 1]   (indexes mod table_size)
 * and the flow goes to the first backend on it that is allocated in `active`.
 * The list depends only on h, so a change in liveness moves only the flows whose
 * first live backend changed: removing b moves exactly b's flows, adding b back
 * moves exactly the flows for which b comes first again. */
#include <stdint.h>

struct nf_cht {
  uint32_t *table; /* table_size slots, each a backend in [0, backend_capacity) */
  uint32_t table_size;
  uint32_t backend_capacity;
};

/* The model of cht.h over the table (what WP proves nf_cht_find_backend
 * against): the table_size >= 1 slots are readable and each holds a backend
 * < backend_capacity <= INT32_MAX (so that it converts to int32_t);
 * nf_cht_pref(c, h, j) is slot (h % table_size + j) % table_size. */
/*@ predicate nf_cht_live{L}(struct nf_cht *c) =
      \valid_read(c) && 1 <= c->table_size && 1 <= c->backend_capacity <= INT32_MAX &&
      \valid_read(c->table + (0 .. c->table_size - 1)) &&
      \forall integer s; 0 <= s < c->table_size ==> 0 <= c->table[s] < c->backend_capacity;
    logic integer nf_cht_backends{L}(struct nf_cht *c) = c->backend_capacity;
    logic integer nf_cht_table_size{L}(struct nf_cht *c) = c->table_size;
    logic integer nf_cht_pref{L}(struct nf_cht *c, integer hash, integer j) =
      c->table[(hash % c->table_size + j) % c->table_size];
    lemma nf_cht_mod_range: \forall integer a, t; 0 <= a && 0 < t ==> 0 <= a % t < t;
    lemma nf_cht_pref_range{L}: \forall struct nf_cht *c, integer h, j;
      nf_cht_live(c) && 0 <= h && 0 <= j ==> 0 <= nf_cht_pref(c, h, j) < nf_cht_backends(c);
    // The probe wraps by comparison instead of %.
    lemma nf_cht_wrap: \forall integer s, j, t;
      0 <= s < t && 0 <= j < t ==> (s + j) % t == (s + j < t ? s + j : s + j - t);
*/
#define NF_CHT_IMPL
#include "nflib/cht.h"

#include <stdlib.h>

#include "nflib/instance.h"
#include "nflib/internal.h"

static bool is_prime(uint32_t n) {
  if (n < 2) return false;
  for (uint32_t d = 2; (uint64_t)d * d <= n; d++)
    if (n % d == 0) return false;
  return true;
}

struct nf_cht *nf_cht_create(const char *name, uint32_t backend_capacity, uint32_t table_size) {
  if (backend_capacity == 0 || table_size <= backend_capacity ||
      table_size > NF_CHT_TABLE_SIZE_MAX || !is_prime(table_size))
    return NULL;
  struct nf_cht *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base_unused;
  /* The backend space is common to all instances: a layout can only replicate
   * or share it. */
  nf_instance_resolve(name, backend_capacity, &resolved, &base_unused);
  (void)resolved;
  struct nf_cht *cht = calloc(1, sizeof(*cht));
  uint32_t *offset = calloc(backend_capacity, sizeof(uint32_t));
  uint32_t *skip = calloc(backend_capacity, sizeof(uint32_t));
  uint32_t *next = calloc(backend_capacity, sizeof(uint32_t));
  uint8_t *claimed = calloc(table_size, 1);
  if (cht) cht->table = calloc(table_size, sizeof(uint32_t));
  if (!cht || !cht->table || !offset || !skip || !next || !claimed) {
    free(offset);
    free(skip);
    free(next);
    free(claimed);
    nf_cht_destroy(cht);
    return NULL;
  }
  cht->table_size = table_size;
  cht->backend_capacity = backend_capacity;
  for (uint32_t b = 0; b < backend_capacity; b++) {
    uint32_t id = b;
    offset[b] = nf_hash_bytes_seeded(&id, sizeof(id), 0x2545f491u) % table_size;
    skip[b] = nf_hash_bytes_seeded(&id, sizeof(id), 0x9e3779b9u) % (table_size - 1) + 1;
  }
  /* skip in [1, table_size) and table_size prime: each permutation visits every
   * slot, so each turn claims a slot and the loop ends after table_size claims. */
  uint32_t filled = 0;
  while (filled < table_size) {
    for (uint32_t b = 0; b < backend_capacity && filled < table_size; b++) {
      uint32_t slot;
      do {
        slot = (uint32_t)(((uint64_t)offset[b] + (uint64_t)next[b] * skip[b]) % table_size);
        next[b]++;
      } while (claimed[slot]);
      claimed[slot] = 1;
      cht->table[slot] = b;
      filled++;
    }
  }
  free(offset);
  free(skip);
  free(next);
  free(claimed);
  nf_instance_publish(name, cht);
  return cht;
}

void nf_cht_destroy(struct nf_cht *cht) {
  if (!cht) return;
  free(cht->table);
  free(cht);
}

bool nf_cht_find_backend(const struct nf_cht *cht, uint32_t hash, const struct nf_dchain *active,
                         int32_t *backend_out) {
  if (nf_dchain_allocated_count(active) == 0) return false;
  uint32_t slot = hash % cht->table_size;
  /*@ loop invariant 0 <= n <= cht->table_size && 0 <= slot < cht->table_size;
      loop invariant slot == (hash % cht->table_size + n < cht->table_size ?
                              hash % cht->table_size + n :
                              hash % cht->table_size + n - cht->table_size);
      loop invariant \forall integer i; 0 <= i < n ==>
        !nf_dchain_allocated(active, nf_cht_pref(cht, hash, i));
      loop assigns n, slot;
      loop variant cht->table_size - n; */
  for (uint32_t n = 0; n < cht->table_size; n++) {
    //@ assert slot == (hash % cht->table_size + n) % cht->table_size;
    int32_t b = (int32_t)cht->table[slot];
    //@ assert b == nf_cht_pref(cht, hash, n);
    if (nf_dchain_is_allocated(active, b)) {
      *backend_out = b;
      return true;
    }
    /*@ assert probed: \forall integer i; 0 <= i <= n ==>
          !nf_dchain_allocated(active, nf_cht_pref(cht, hash, i)); */
    slot = (slot + 1 == cht->table_size) ? 0 : slot + 1;
  }
  return false; /* the allocated indexes are all >= backend_capacity */
}
