/* nflib benchmark: nf_map next to DPDK's rte_hash doing the same work on the
 * same keys in the same process, and nf_dchain operations. Prints medians of
 * several repetitions in ns/op, the ratio ours / rte_hash and bytes per entry.
 *
 *   bazel run //nflib:bench [-- --reps N]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/time.h"

struct bench_key { /* a 5-tuple-like key: 16 bytes, no padding */
  uint32_t src_ip;
  uint32_t dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t proto;
};
NF_KEY_DECLARE(bench_key)

static uint64_t rng_state = 0x1234567;
static uint64_t rng_next(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static struct bench_key make_key(void) {
  uint64_t a = rng_next(), b = rng_next();
  struct bench_key k = {(uint32_t)a, (uint32_t)(a >> 32), (uint16_t)b, (uint16_t)(b >> 16), 6};
  return k;
}

static void shuffle(struct bench_key *keys, size_t n) {
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = rng_next() % (i + 1);
    struct bench_key t = keys[i];
    keys[i] = keys[j];
    keys[j] = t;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double median(double *v, int n) {
  qsort(v, n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
static size_t rte_heap_in_use(void) {
  struct rte_malloc_socket_stats total = {0};
  for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
    struct rte_malloc_socket_stats st;
    if (rte_malloc_get_socket_stats(s, &st) == 0) total.heap_allocsz_bytes += st.heap_allocsz_bytes;
  }
  return total.heap_allocsz_bytes;
}

static volatile int64_t sink;

#define MAX_REPS 15

/* No hugepages, devices or shared files: runs anywhere, in ordinary memory
 * (DPDK 22.11 rejects --in-memory together with --no-huge). */
#ifndef EAL_ARGS
#define EAL_ARGS \
  "bench", "--no-huge", "--no-pci", "--no-shconf", "-l", "0", "-m", "1024", "--log-level", "*:error"
#endif
enum { GET_HIT, GET_MISS, PUT, OPS };
static const char *const op_names[OPS] = {"get hit", "get miss", "put"};

struct result {
  double ours[OPS], theirs[OPS];
  double ours_bytes, theirs_bytes;
};

static void bench_map(uint32_t capacity, uint32_t entries, int reps, struct result *res) {
  uint32_t batch = capacity / 10; /* puts timed from (load - 10%) to load */
  struct bench_key *keys = malloc(sizeof(*keys) * entries);
  struct bench_key *hits = malloc(sizeof(*keys) * entries);
  struct bench_key *misses = malloc(sizeof(*keys) * entries);
  for (uint32_t i = 0; i < entries; i++) keys[i] = make_key();
  for (uint32_t i = 0; i < entries; i++) misses[i] = make_key();
  memcpy(hits, keys, sizeof(*keys) * entries);
  shuffle(hits, entries);

  size_t before = heap_in_use();
  struct nf_map *map =
      nf_map_create("bench", capacity, sizeof(struct bench_key), bench_key_hash, bench_key_eq);
  res->ours_bytes = (double)(heap_in_use() - before) / entries;
  size_t rte_before = rte_heap_in_use();
  struct rte_hash_parameters params = {
      .name = "bench",
      .entries = capacity,
      .key_len = sizeof(struct bench_key),
      .hash_func = rte_hash_crc,
      .hash_func_init_val = 0,
      .socket_id = 0,
  };
  char name[32];
  snprintf(name, sizeof(name), "bench%u", capacity);
  params.name = name;
  struct rte_hash *h = rte_hash_create(&params);
  if (!map || !h) {
    fprintf(stderr, "bench: cannot create tables of capacity %u (rte_hash: %s)\n", capacity,
            h ? "ok" : "failed; give EAL more -m memory");
    exit(1);
  }
  res->theirs_bytes = (double)(rte_heap_in_use() - rte_before) / entries;
  for (uint32_t i = 0; i < entries - batch; i++) {
    if (nf_map_put(map, &keys[i], (int32_t)i) != NF_OK || rte_hash_add_key(h, &keys[i]) < 0) {
      fprintf(stderr, "bench: fill failed at %u of %u\n", i, entries);
      exit(1);
    }
  }
  double samples[2][OPS][MAX_REPS];
  for (int r = 0; r < reps; r++) {
    /* put: the last 10% of the load, then erased again (untimed) */
    nf_time_t t0 = nf_time_now();
    for (uint32_t i = entries - batch; i < entries; i++)
      if (nf_map_put(map, &keys[i], (int32_t)i) != NF_OK) exit(2);
    nf_time_t t1 = nf_time_now();
    for (uint32_t i = entries - batch; i < entries; i++)
      if (rte_hash_add_key(h, &keys[i]) < 0) {
        fprintf(stderr, "bench: rte_hash_add_key failed at load %u/%u\n", i, capacity);
        exit(2);
      }
    nf_time_t t2 = nf_time_now();
    samples[0][PUT][r] = (double)(t1 - t0) / batch;
    samples[1][PUT][r] = (double)(t2 - t1) / batch;

    int64_t acc = 0;
    int32_t v;
    t0 = nf_time_now();
    for (uint32_t i = 0; i < entries; i++) acc += nf_map_get(map, &hits[i], &v) ? v : -1;
    t1 = nf_time_now();
    for (uint32_t i = 0; i < entries; i++) acc += rte_hash_lookup(h, &hits[i]);
    t2 = nf_time_now();
    samples[0][GET_HIT][r] = (double)(t1 - t0) / entries;
    samples[1][GET_HIT][r] = (double)(t2 - t1) / entries;
    t0 = nf_time_now();
    for (uint32_t i = 0; i < entries; i++) acc += nf_map_get(map, &misses[i], &v) ? v : -1;
    t1 = nf_time_now();
    for (uint32_t i = 0; i < entries; i++) acc += rte_hash_lookup(h, &misses[i]);
    t2 = nf_time_now();
    samples[0][GET_MISS][r] = (double)(t1 - t0) / entries;
    samples[1][GET_MISS][r] = (double)(t2 - t1) / entries;
    sink = acc;
    if (r + 1 < reps)
      for (uint32_t i = entries - batch; i < entries; i++) {
        nf_map_erase(map, &keys[i]);
        rte_hash_del_key(h, &keys[i]);
      }
  }
  for (int op = 0; op < OPS; op++) {
    res->ours[op] = median(samples[0][op], reps);
    res->theirs[op] = median(samples[1][op], reps);
  }
  nf_map_destroy(map);
  rte_hash_free(h);
  free(keys);
  free(hits);
  free(misses);
}

static void bench_dchain(uint32_t capacity, int reps) {
  double alloc[MAX_REPS], rejuv[MAX_REPS], expire[MAX_REPS];
  size_t before = heap_in_use();
  struct nf_dchain *c = nf_dchain_create("bench", capacity);
  double bytes = (double)(heap_in_use() - before) / capacity;
  int32_t *order = malloc(sizeof(int32_t) * capacity);
  for (uint32_t i = 0; i < capacity; i++) order[i] = (int32_t)(rng_next() % capacity);
  nf_time_t now = 1;
  for (int r = 0; r < reps; r++) {
    int32_t idx;
    nf_time_t t0 = nf_time_now();
    for (uint32_t i = 0; i < capacity; i++)
      if (!nf_dchain_allocate(c, now, &idx)) exit(3);
    nf_time_t t1 = nf_time_now();
    for (uint32_t i = 0; i < capacity; i++) nf_dchain_rejuvenate(c, order[i], ++now);
    nf_time_t t2 = nf_time_now();
    uint32_t n = 0;
    while (nf_dchain_expire_one(c, now + 1, &idx)) n++;
    nf_time_t t3 = nf_time_now();
    if (n != capacity) exit(4);
    alloc[r] = (double)(t1 - t0) / capacity;
    rejuv[r] = (double)(t2 - t1) / capacity;
    expire[r] = (double)(t3 - t2) / capacity;
  }
  printf("%-42s %10.1f %10s %8s %9.1f\n", "dchain allocate (1M indexes)", median(alloc, reps), "-",
         "-", bytes);
  printf("%-42s %10.1f %10s %8s %9s\n", "dchain rejuvenate (random index)", median(rejuv, reps),
         "-", "-", "");
  printf("%-42s %10.1f %10s %8s %9s\n", "dchain expire_one (oldest)", median(expire, reps), "-",
         "-", "");
  free(order);
  nf_dchain_destroy(c);
}

int main(int argc, char **argv) {
  int reps = 7;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = atoi(argv[++i]);
    } else {
      fprintf(stderr, "bench: unknown argument '%s'; usage: bench [--reps N (1..%d)]\n", argv[i],
              MAX_REPS);
      return 1;
    }
  }
  if (reps < 1 || reps > MAX_REPS) {
    fprintf(stderr, "bench: --reps %d is outside 1..%d\n", reps, MAX_REPS);
    return 1;
  }
  char *eal_args[] = {EAL_ARGS};
  if (rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])), eal_args) < 0) {
    fprintf(stderr, "bench: rte_eal_init failed\n");
    return 1;
  }
  printf(
      "nflib bench: median of %d repetitions, ns per operation; rte_hash with rte_hash_crc,\n"
      "16-byte keys, rte_hash_add_key / rte_hash_lookup (single key). bytes/entry: memory\n"
      "allocated by the table divided by the entries stored (ours | rte_hash).\n\n",
      reps);
  printf("%-42s %10s %10s %8s %9s\n", "operation", "nflib ns", "rte_hash", "ratio", "B/entry");
  struct {
    const char *label;
    uint32_t capacity;
    uint32_t entries;
  } loads[] = {{"50%% (2^20 keys in 2^21)", 1u << 21, 1u << 20},
               {"90%% (943718 keys in 2^20)", 1u << 20, 943718}};
  for (int l = 0; l < 2; l++) {
    struct result res;
    bench_map(loads[l].capacity, loads[l].entries, reps, &res);
    for (int op = 0; op < OPS; op++) {
      char label[64];
      char fmt[64];
      snprintf(fmt, sizeof(fmt), "map %%s @ %s", loads[l].label);
      snprintf(label, sizeof(label), fmt, op_names[op]);
      char bytes[32] = "";
      if (op == 0) snprintf(bytes, sizeof(bytes), "%.1f|%.1f", res.ours_bytes, res.theirs_bytes);
      printf("%-42s %10.1f %10.1f %8.2f %9s\n", label, res.ours[op], res.theirs[op],
             res.ours[op] / res.theirs[op], bytes);
    }
  }
  bench_dchain(1u << 20, reps);
  rte_eal_cleanup();
  return 0;
}
