/* nflib benchmark: nf_map next to DPDK's rte_hash doing the same work on the
 * same keys in the same process, and nf_dchain operations. Prints medians of
 * several repetitions in ns/op, the ratio ours / rte_hash and bytes per entry.
 *
 *   bazel run //nflib:bench [-- --reps N] [--core CPU]
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_* */
#include <malloc.h>
#include <sched.h>
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
#define EAL_ARGS                                                                             \
  "bench", "--no-huge", "--no-pci", "--no-shconf", "-l", lcore, "-m", "1024", "--log-level", \
      "*:error"
#endif
enum { GET_HIT, GET_MISS, PUT, ERASE, ERASE_SHUFFLED, GET_MISS_CHURNED, OPS };
static const char *const op_names[OPS] = {"get hit",      "get miss",       "put",
                                          "erase (FIFO)", "erase (random)", "miss, churned"};

struct result {
  double ours[OPS], theirs[OPS]; /* medians of the ns/op samples */
  double ratio[OPS];             /* median of the per-repetition ratios ours / theirs */
  double ours_bytes, theirs_bytes;
};

/* One timed pass of `count` operations on each table over the same keys, in
 * an order that alternates between repetitions (ours first on even ones), so
 * neither table systematically runs on a cache the other one warmed. */
enum { OURS, THEIRS };

static double time_ours(int op, struct nf_map *map, const struct bench_key *keys, uint32_t count,
                        uint32_t value_base) {
  int64_t acc = 0;
  int32_t v;
  nf_time_t t0 = nf_time_now();
  if (op == PUT) {
    for (uint32_t i = 0; i < count; i++)
      if (nf_map_put(map, &keys[i], (int32_t)(value_base + i)) != NF_OK) {
        fprintf(stderr, "bench: nf_map_put failed at %u of %u\n", i, count);
        exit(2);
      }
  } else if (op == ERASE || op == ERASE_SHUFFLED) {
    for (uint32_t i = 0; i < count; i++)
      if (nf_map_erase(map, &keys[i]) != NF_OK) {
        fprintf(stderr, "bench: nf_map_erase failed at %u of %u\n", i, count);
        exit(2);
      }
  } else {
    for (uint32_t i = 0; i < count; i++) acc += nf_map_get(map, &keys[i], &v) ? v : -1;
  }
  nf_time_t t1 = nf_time_now();
  sink = acc;
  return (double)(t1 - t0) / count;
}

static double time_theirs(int op, struct rte_hash *h, const struct bench_key *keys,
                          uint32_t count) {
  int64_t acc = 0;
  nf_time_t t0 = nf_time_now();
  if (op == PUT) {
    for (uint32_t i = 0; i < count; i++)
      if (rte_hash_add_key(h, &keys[i]) < 0) {
        fprintf(stderr, "bench: rte_hash_add_key failed at %u of %u\n", i, count);
        exit(2);
      }
  } else if (op == ERASE || op == ERASE_SHUFFLED) {
    for (uint32_t i = 0; i < count; i++)
      if (rte_hash_del_key(h, &keys[i]) < 0) {
        fprintf(stderr, "bench: rte_hash_del_key failed at %u of %u\n", i, count);
        exit(2);
      }
  } else {
    for (uint32_t i = 0; i < count; i++) acc += rte_hash_lookup(h, &keys[i]);
  }
  nf_time_t t1 = nf_time_now();
  sink = acc;
  return (double)(t1 - t0) / count;
}

/* samples[side][op][rep]; each op's keys and count as given. */
static void time_pair(int op, int rep, struct nf_map *map, struct rte_hash *h,
                      const struct bench_key *keys, uint32_t count, uint32_t value_base,
                      double samples[2][OPS][MAX_REPS]) {
  if (rep % 2 == 0) {
    samples[OURS][op][rep] = time_ours(op, map, keys, count, value_base);
    samples[THEIRS][op][rep] = time_theirs(op, h, keys, count);
  } else {
    samples[THEIRS][op][rep] = time_theirs(op, h, keys, count);
    samples[OURS][op][rep] = time_ours(op, map, keys, count, value_base);
  }
}

static void erase_both(struct nf_map *map, struct rte_hash *h, const struct bench_key *keys,
                       uint32_t count) {
  for (uint32_t i = 0; i < count; i++)
    if (nf_map_erase(map, &keys[i]) != NF_OK || rte_hash_del_key(h, &keys[i]) < 0) {
      fprintf(stderr, "bench: erase failed at %u of %u\n", i, count);
      exit(2);
    }
}

static void put_both(struct nf_map *map, struct rte_hash *h, const struct bench_key *keys,
                     uint32_t count) {
  for (uint32_t i = 0; i < count; i++)
    if (nf_map_put(map, &keys[i], (int32_t)i) != NF_OK || rte_hash_add_key(h, &keys[i]) < 0) {
      fprintf(stderr, "bench: put failed at %u of %u\n", i, count);
      exit(2);
    }
}

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
  char name[32];
  snprintf(name, sizeof(name), "bench%u", capacity);
  struct rte_hash_parameters params = {
      .name = name,
      .entries = capacity,
      .key_len = sizeof(struct bench_key),
      .hash_func = rte_hash_crc,
      .hash_func_init_val = 0,
      .socket_id = 0,
  };
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
  double samples[2][OPS][MAX_REPS], scratch[2][OPS][MAX_REPS];
  struct bench_key *shuffled_batch = malloc(sizeof(*keys) * batch);
  memcpy(shuffled_batch, &keys[entries - batch], sizeof(*keys) * batch);
  shuffle(shuffled_batch, batch);
  for (int r = 0; r < reps; r++) {
    /* put the last 10% of the load, look up, erase those 10% again: in the
     * order they were put (like expiry), then (put again) in random order */
    time_pair(PUT, r, map, h, &keys[entries - batch], batch, entries - batch, samples);
    time_pair(GET_HIT, r, map, h, hits, entries, 0, samples);
    time_pair(GET_MISS, r, map, h, misses, entries, 0, samples);
    time_pair(ERASE, r, map, h, &keys[entries - batch], batch, 0, samples);
    put_both(map, h, &keys[entries - batch], batch);
    time_pair(GET_MISS, r, map, h, misses, entries, 0, scratch); /* cools the caches again */
    time_pair(ERASE_SHUFFLED, r, map, h, shuffled_batch, batch, 0, samples);
  }
  put_both(map, h, &keys[entries - batch], batch);
  /* Churn: replace every key once (erase the oldest, put a new one), keeping
   * the load, then time misses again: erasures must not slow lookups. */
  struct bench_key *fresh = malloc(sizeof(*keys) * entries);
  for (uint32_t i = 0; i < entries; i++) fresh[i] = make_key();
  for (uint32_t i = 0; i < entries; i++) {
    erase_both(map, h, &keys[i], 1);
    if (nf_map_put(map, &fresh[i], (int32_t)i) != NF_OK || rte_hash_add_key(h, &fresh[i]) < 0) {
      fprintf(stderr, "bench: churn put failed at %u of %u\n", i, entries);
      exit(2);
    }
  }
  for (int r = 0; r < reps; r++)
    time_pair(GET_MISS_CHURNED, r, map, h, misses, entries, 0, samples);
  for (int op = 0; op < OPS; op++) {
    double ratios[MAX_REPS];
    for (int r = 0; r < reps; r++) ratios[r] = samples[OURS][op][r] / samples[THEIRS][op][r];
    res->ratio[op] = median(ratios, reps);
    res->ours[op] = median(samples[OURS][op], reps);
    res->theirs[op] = median(samples[THEIRS][op], reps);
  }
  nf_map_destroy(map);
  rte_hash_free(h);
  free(keys);
  free(hits);
  free(misses);
  free(fresh);
  free(shuffled_batch);
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
  printf("%-48s %10.1f %10s %8s %9.1f\n", "dchain allocate (1M indexes)", median(alloc, reps), "-",
         "-", bytes);
  printf("%-48s %10.1f %10s %8s %9s\n", "dchain rejuvenate (random index)", median(rejuv, reps),
         "-", "-", "");
  printf("%-48s %10.1f %10s %8s %9s\n", "dchain expire_one (oldest)", median(expire, reps), "-",
         "-", "");
  free(order);
  nf_dchain_destroy(c);
}

int main(int argc, char **argv) {
  int reps = 9;
  long core = 0;
  for (int i = 1; i < argc; i++) {
    char *end = NULL;
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = (int)strtol(argv[++i], &end, 10);
      if (*end != '\0' || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "bench: --reps '%s' is not a number in 1..%d\n", argv[i], MAX_REPS);
        return 1;
      }
    } else if (strcmp(argv[i], "--core") == 0 && i + 1 < argc) {
      core = strtol(argv[++i], &end, 10);
      if (*end != '\0' || core < 0 || core >= CPU_SETSIZE) {
        fprintf(stderr, "bench: --core '%s' is not a CPU number\n", argv[i]);
        return 1;
      }
    } else {
      fprintf(stderr,
              "bench: unknown argument '%s'; usage: bench [--reps N (1..%d, default 9)] "
              "[--core CPU (default 0)]\n",
              argv[i], MAX_REPS);
      return 1;
    }
  }
  /* EAL pins the main thread to its one lcore: both tables run on that CPU. */
  char lcore[16];
  snprintf(lcore, sizeof(lcore), "%ld", core);
  char *eal_args[] = {EAL_ARGS};
  if (rte_eal_init((int)(sizeof(eal_args) / sizeof(eal_args[0])), eal_args) < 0) {
    fprintf(stderr, "bench: rte_eal_init failed (--core %ld: is that CPU online?)\n", core);
    return 1;
  }
  cpu_set_t pinned;
  if (sched_getaffinity(0, sizeof(pinned), &pinned) != 0 || CPU_COUNT(&pinned) != 1 ||
      !CPU_ISSET(core, &pinned)) {
    fprintf(stderr, "bench: the main thread is not pinned to CPU %ld alone\n", core);
    return 1;
  }
  printf(
      "nflib bench on CPU %ld: medians of %d repetitions, ns per operation. Each repetition\n"
      "times nflib's map and rte_hash (rte_hash_crc, rte_hash_add_key / rte_hash_lookup, single\n"
      "key) back to back on the same 16-byte keys, alternating which goes first; ratio = median\n"
      "of the per-repetition ratios nflib / rte_hash (< 1: nflib faster). \"churned\": after "
      "every\n"
      "key was erased and replaced once. B/entry: memory the table allocated / entries stored\n"
      "(nflib | rte_hash).\n\n",
      core, reps);
  printf("%-48s %10s %10s %8s %9s\n", "operation", "nflib ns", "rte_hash", "ratio", "B/entry");
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
      if (op == GET_HIT)
        snprintf(bytes, sizeof(bytes), "%.1f|%.1f", res.ours_bytes, res.theirs_bytes);
      printf("%-48s %10.1f %10.1f %8.2f %9s\n", label, res.ours[op], res.theirs[op], res.ratio[op],
             bytes);
    }
  }
  bench_dchain(1u << 20, reps);
  rte_eal_cleanup();
  return 0;
}
