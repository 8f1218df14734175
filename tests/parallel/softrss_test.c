/* Software RSS, default RETA and per-worker layouts against independent
 * references: the Microsoft RSS verification vectors (the published Toeplitz
 * test suite NICs are checked with) and hand-computed layouts. */
#include <stdio.h>
#include <string.h>

#include "dpdk_rules/runtime/parallel/config_util.h"
#include "dpdk_rules/runtime/parallel/softrss.h"
#include "nflib/vector.h"
#include "nfs/testing/check.h"
#include "nfs/testing/packets.h"

/* The config is normally generated; these tests build their own. */
const struct nf_parallel_config nf_parallel_config;

static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* "Verifying the RSS Hash Calculation", Microsoft: IPv4 (src, dst) and
 * IPv4 + TCP (src, dst, sport, dport). */
struct ms_vector {
  uint32_t src, dst;
  uint16_t sport, dport;
  uint32_t hash_l3, hash_l4;
};
static const struct ms_vector ms_vectors[] = {
    {TEST_IP(66, 9, 149, 187), TEST_IP(161, 142, 100, 80), 2794, 1766, 0x323e8fc2, 0x51ccc178},
    {TEST_IP(199, 92, 111, 2), TEST_IP(65, 69, 140, 83), 14230, 4739, 0xd718262a, 0xc626b0ea},
    {TEST_IP(24, 19, 198, 95), TEST_IP(12, 22, 207, 184), 12898, 38024, 0xd2d0a5de, 0x5c2b394a},
    {TEST_IP(38, 27, 205, 30), TEST_IP(209, 142, 163, 6), 48228, 2217, 0x82989176, 0xafc7327f},
    {TEST_IP(153, 39, 163, 191), TEST_IP(202, 188, 127, 2), 44251, 1303, 0x5d1809c5, 0x10e828a2},
};

static struct nf_par_rss_port ms_port(uint64_t rss_hf) {
  struct nf_par_rss_port port;
  memset(&port, 0, sizeof(port));
  port.key_len = sizeof(ms_key);
  memcpy(port.key, ms_key, sizeof(ms_key));
  port.rss_hf = rss_hf;
  return port;
}

static void test_microsoft_vectors_through_frames(void) {
  struct nf_par_rss_port l4 = ms_port(NF_PAR_RSS_IPV4 | NF_PAR_RSS_NONFRAG_IPV4_TCP);
  struct nf_par_rss_port l3 = ms_port(NF_PAR_RSS_IPV4);
  for (size_t i = 0; i < sizeof(ms_vectors) / sizeof(ms_vectors[0]); i++) {
    const struct ms_vector *v = &ms_vectors[i];
    struct test_frame f;
    test_frame_tcp(&f, v->src, v->dst, v->sport, v->dport);
    CHECK_EQ(nf_par_rss_hash(&l4, f.data, f.len), v->hash_l4);
    /* TCP not enabled: the NIC falls back to the address pair. */
    CHECK_EQ(nf_par_rss_hash(&l3, f.data, f.len), v->hash_l3);
    /* UDP with only TCP enabled: address pair too (RSS_IPV4 is on). */
    test_frame_udp(&f, v->src, v->dst, v->sport, v->dport);
    CHECK_EQ(nf_par_rss_hash(&l4, f.data, f.len), v->hash_l3);
  }
}

static void test_unhashed_frames_go_to_reta_entry_0(void) {
  struct nf_par_rss_port l4_only = ms_port(NF_PAR_RSS_NONFRAG_IPV4_TCP);
  struct test_frame f;
  /* UDP with neither UDP nor IPV4 hashing: not hashed. */
  test_frame_udp(&f, TEST_IP(1, 2, 3, 4), TEST_IP(5, 6, 7, 8), 1, 2);
  CHECK_EQ(nf_par_rss_hash(&l4_only, f.data, f.len), 0);
  uint8_t junk[20];
  memset(junk, 0xff, sizeof(junk));
  struct nf_par_rss_port all = ms_port(NF_PAR_RSS_IPV4 | NF_PAR_RSS_NONFRAG_IPV4_TCP);
  CHECK_EQ(nf_par_rss_hash(&all, junk, sizeof(junk)), 0);
  uint16_t reta[8] = {5, 1, 2, 3, 4, 5, 6, 7};
  CHECK_EQ(nf_par_rss_queue(&all, reta, 8, junk, sizeof(junk)), 5);
}

static void test_fragments_and_other_protocols_hash_addresses(void) {
  const struct ms_vector *v = &ms_vectors[0];
  struct nf_par_rss_port frag = ms_port(NF_PAR_RSS_FRAG_IPV4 | NF_PAR_RSS_NONFRAG_IPV4_TCP);
  struct test_frame f;
  struct test_frame_spec spec = test_spec_tcp(v->src, v->dst, v->sport, v->dport, 0x02);
  spec.more_fragments = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
  CHECK_EQ(nf_par_rss_hash(&frag, f.data, f.len), v->hash_l3);
  spec = test_spec_udp(v->src, v->dst, 0, 0);
  spec.proto = TEST_IPPROTO_ICMP;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
  CHECK_EQ(nf_par_rss_hash(&frag, f.data, f.len), 0); /* NONFRAG_IPV4_OTHER off */
  struct nf_par_rss_port other = ms_port(NF_PAR_RSS_NONFRAG_IPV4_OTHER);
  CHECK_EQ(nf_par_rss_hash(&other, f.data, f.len), v->hash_l3);
}

static void test_src_only_hashes_the_source_alone(void) {
  const struct ms_vector *v = &ms_vectors[1];
  struct nf_par_rss_port src_only = ms_port(NF_PAR_RSS_IPV4 | NF_PAR_RSS_L3_SRC_ONLY);
  struct test_frame f;
  test_frame_udp(&f, v->src, v->dst, 1, 2);
  uint8_t input[4] = {(uint8_t)(v->src >> 24), (uint8_t)(v->src >> 16), (uint8_t)(v->src >> 8),
                      (uint8_t)v->src};
  CHECK_EQ(nf_par_rss_hash(&src_only, f.data, f.len), nf_par_toeplitz(ms_key, 40, input, 4));
}

/* The rule's promises (config_util.h), checked by counting, not by a copy of
 * the rule: equal shares (+-1), every index bit moves some entry's queue, and
 * with workers == size a permutation. */
static void test_default_reta(void) {
  static const uint16_t sizes[] = {64, 128, 256, 512};
  for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
    uint16_t size = sizes[s];
    for (uint16_t workers = 1; workers <= 64; workers++) {
      uint16_t reta[NF_PAR_MAX_RETA];
      uint16_t count[NF_PAR_MAX_WORKERS] = {0};
      nf_par_default_reta(reta, size, workers);
      for (uint16_t i = 0; i < size; i++) {
        CHECK(reta[i] < workers);
        if (reta[i] < workers) count[reta[i]]++;
      }
      for (uint16_t q = 0; q < workers; q++) {
        CHECK(count[q] == size / workers || count[q] == size / workers + 1);
      }
      for (uint16_t bit = 1; bit < size && workers > 1; bit <<= 1) {
        bool moves = false;
        for (uint16_t i = 0; i < size && !moves; i++) moves = reta[i] != reta[i ^ bit];
        CHECK(moves);
      }
    }
    uint16_t perm[NF_PAR_MAX_RETA];
    bool seen[NF_PAR_MAX_RETA] = {false};
    nf_par_default_reta(perm, size, size);
    for (uint16_t i = 0; i < size; i++) seen[perm[i]] = true;
    for (uint16_t i = 0; i < size; i++) CHECK(seen[i]);
  }
  /* Negative control of the counting: i mod 4 leaves bits above 1 unused. */
  bool moves = false;
  for (uint16_t i = 0; i < 64; i++) moves |= (i % 4) != ((i ^ 8) % 4);
  CHECK(!moves);
}

/* The plan's table runs at the plan's worker count; other counts derive it. */
static void test_run_reta(void) {
  static uint16_t plan_reta[64];
  for (int i = 0; i < 64; i++) plan_reta[i] = 1;
  struct nf_parallel_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.nf_name = "test";
  cfg.reta_size = 64;
  cfg.planned_cores = 2;
  cfg.reta = plan_reta;
  uint16_t reta[64], derived[64];
  nf_par_run_reta(&cfg, reta, 2);
  for (int i = 0; i < 64; i++) CHECK_EQ(reta[i], 1);
  nf_par_run_reta(&cfg, reta, 4);
  nf_par_default_reta(derived, 64, 4);
  for (int i = 0; i < 64; i++) CHECK_EQ(reta[i], derived[i]);
  cfg.reta = NULL;
  nf_par_run_reta(&cfg, reta, 2);
  nf_par_default_reta(derived, 64, 2);
  for (int i = 0; i < 64; i++) CHECK_EQ(reta[i], derived[i]);
  /* A plan table naming a queue the run lacks is refused by nf_par_check. */
  plan_reta[5] = 2;
  cfg.reta = plan_reta;
  cfg.strategy = NF_PAR_LOCKS;
  char err[256] = "";
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_LOCKS, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "RETA entry 5 sends to queue 2 but the run has 2 workers") != NULL);
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_LOCKS, 3, 1, err, sizeof(err)), 0);
}

static struct nf_parallel_config layout_config(void) {
  struct nf_parallel_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.nf_name = "test";
  cfg.strategy = NF_PAR_SHARED_NOTHING;
  cfg.strategy_reason = "test";
  cfg.shared_nothing_allowed = true;
  cfg.reta_size = 128;
  cfg.planned_cores = 2;
  cfg.object_count = 3;
  cfg.objects[0] = (struct nf_par_object){"table", NF_PAR_PARTITIONED, false};
  cfg.objects[1] = (struct nf_par_object){"chain", NF_PAR_PARTITIONED, true};
  cfg.objects[2] = (struct nf_par_object){"routes", NF_PAR_REPLICATED, false};
  cfg.rss_port_count = 1;
  cfg.rss_ports[0].port = 0;
  return cfg;
}

/* Resolves `name` requesting `requested` under worker k of n's layout. */
static void resolve_as(const struct nf_parallel_config *cfg, uint16_t k, uint16_t n,
                       const char *name, uint32_t requested, uint32_t *capacity, int32_t *base) {
  static struct nf_instance_layout layout;
  char err[256] = "";
  REQUIRE(nf_par_build_layout(cfg, k, n, &layout, err, sizeof(err)) == 0);
  nf_instance_begin(&layout);
  nf_instance_resolve(name, requested, capacity, base);
  nf_instance_end();
}

static void test_layout_names_partitioned_objects_as_shares(void) {
  struct nf_parallel_config cfg = layout_config();
  struct nf_instance_layout layout;
  char err[256];
  REQUIRE(nf_par_build_layout(&cfg, 3, 4, &layout, err, sizeof(err)) == 0);
  CHECK_EQ(layout.instance, 3);
  CHECK_EQ(layout.instance_count, 4);
  CHECK_EQ(layout.object_count, 2); /* the replicated object is not named: full size */
  CHECK(strcmp(layout.objects[0].name, "table") == 0);
  CHECK_EQ(layout.objects[0].mode, NF_LAYOUT_SHARE);
  CHECK(!layout.objects[0].disjoint_indexes);
  CHECK(strcmp(layout.objects[1].name, "chain") == 0);
  CHECK_EQ(layout.objects[1].mode, NF_LAYOUT_SHARE);
  CHECK(layout.objects[1].disjoint_indexes);
}

static void test_layout_shares_what_the_nf_requests(void) {
  struct nf_parallel_config cfg = layout_config();
  uint32_t capacity;
  int32_t base;
  /* The plan says 1024 per core on 2 cores; the NF asks for 64 (e.g.
   * --max-flows 64): 4 workers get 16 each, worker k's indexes 16k..16k+15,
   * so all indexes stay in [0, 64) as in the sequential NF. */
  for (uint16_t k = 0; k < 4; k++) {
    resolve_as(&cfg, k, 4, "chain", 64, &capacity, &base);
    CHECK_EQ(capacity, 16);
    CHECK_EQ(base, 16 * k);
    resolve_as(&cfg, k, 4, "table", 64, &capacity, &base);
    CHECK_EQ(capacity, 16);
    CHECK_EQ(base, 0); /* not disjoint: its indexes stay inside the worker */
  }
  /* 3 workers of 64 (a power of two): 21 rounded down to 16; worker 2's range
   * 32..47 ends inside [0, 64). */
  resolve_as(&cfg, 2, 3, "chain", 64, &capacity, &base);
  CHECK_EQ(capacity, 16);
  CHECK_EQ(base, 32);
  /* Not a power of two: a plain split, 1000 / 3 = 333 (the last 1 entry unused). */
  resolve_as(&cfg, 2, 3, "chain", 1000, &capacity, &base);
  CHECK_EQ(capacity, 333);
  CHECK_EQ(base, 666);
  /* One worker: the whole request, whatever the plan's per-core number. */
  resolve_as(&cfg, 0, 1, "chain", 64, &capacity, &base);
  CHECK_EQ(capacity, 64);
  CHECK_EQ(base, 0);
  /* Fewer entries than workers: 0 (the constructor then refuses, see
   * worker_state_test). */
  resolve_as(&cfg, 1, 4, "table", 3, &capacity, &base);
  CHECK_EQ(capacity, 0);
  /* The replicated object keeps what it asks for. */
  resolve_as(&cfg, 1, 4, "routes", 100, &capacity, &base);
  CHECK_EQ(capacity, 100);
  CHECK_EQ(base, 0);
  /* The share comes from the request alone (the config has no per-core capacity). */
  resolve_as(&cfg, 1, 2, "chain", 4096, &capacity, &base);
  CHECK_EQ(capacity, 2048);
  CHECK_EQ(base, 2048);
}

static void test_layout_errors(void) {
  struct nf_parallel_config cfg = layout_config();
  struct nf_instance_layout layout;
  char err[256] = "";
  CHECK_EQ(nf_par_build_layout(&cfg, 4, 4, &layout, err, sizeof(err)), -1);
  CHECK(strstr(err, "worker 4 of 4") != NULL);
  cfg.object_count = NF_PAR_MAX_OBJECTS;
  static char names[NF_PAR_MAX_OBJECTS][16];
  for (int i = 0; i < NF_PAR_MAX_OBJECTS; i++) {
    snprintf(names[i], sizeof(names[i]), "object%d", i);
    cfg.objects[i] = (struct nf_par_object){names[i], NF_PAR_PARTITIONED, 0, false};
  }
  /* NF_PAR_MAX_OBJECTS == NF_INSTANCE_MAX_OBJECTS: all fit. */
  CHECK_EQ(nf_par_build_layout(&cfg, 0, 2, &layout, err, sizeof(err)), 0);
  CHECK_EQ(layout.object_count, NF_PAR_MAX_OBJECTS);
}

static void test_check_refuses_what_the_plan_forbids(void) {
  struct nf_parallel_config cfg = layout_config();
  char err[256] = "";
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_SHARED_NOTHING, 2, 1, err, sizeof(err)), 0);
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_SHARED_NOTHING, 2, 2, err, sizeof(err)), -1);
  CHECK(strstr(err, "port 1") != NULL);
  cfg.shared_nothing_allowed = false;
  cfg.strategy = NF_PAR_LOCKS;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_SHARED_NOTHING, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "does not allow shared-nothing") != NULL);
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_LOCKS, 2, 2, err, sizeof(err)), 0);
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_LOCKS, 200, 2, err, sizeof(err)), -1);
  cfg = layout_config();
  cfg.objects[2].placement = NF_PAR_SHARED;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_SHARED_NOTHING, 1, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "'routes'") != NULL);
}

/* A hybrid plan: "table" and "chain" partitioned, "routes" shared. */
static struct nf_parallel_config hybrid_config(void) {
  struct nf_parallel_config cfg = layout_config();
  cfg.strategy = NF_PAR_HYBRID;
  cfg.shared_nothing_allowed = false;
  cfg.hybrid_allowed = true;
  cfg.objects[2].placement = NF_PAR_SHARED;
  return cfg;
}

static void test_check_hybrid(void) {
  struct nf_parallel_config cfg = hybrid_config();
  char err[256] = "";
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), 0);
  /* Every port needs its own key. */
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 2, err, sizeof(err)), -1);
  CHECK(strstr(err, "hybrid needs an RSS key for every port") && strstr(err, "port 1"));
  cfg.rss_ports[0].port = NF_PAR_ANY_PORT;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "port 0") != NULL);
  /* The plan's consent. */
  cfg = hybrid_config();
  cfg.hybrid_allowed = false;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "does not allow hybrid") != NULL);
  /* Placements: no shared object, no partitioned one, a name twice, a shared
   * object with disjoint ranges, an unknown placement. */
  cfg = hybrid_config();
  cfg.objects[2].placement = NF_PAR_REPLICATED;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "0 shared") && strstr(err, "run shared-nothing"));
  cfg = hybrid_config();
  cfg.objects[0].placement = cfg.objects[1].placement = NF_PAR_SHARED;
  cfg.objects[1].index_ranges_disjoint = false;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "0 partitioned") && strstr(err, "run locks"));
  cfg = hybrid_config();
  cfg.objects[1].name = "table";
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "'table' is placed twice") != NULL);
  cfg = hybrid_config();
  cfg.objects[2].index_ranges_disjoint = true;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "shared object 'routes' has disjoint index ranges") != NULL);
  cfg = hybrid_config();
  cfg.objects[2].placement = (enum nf_par_placement)9;
  CHECK_EQ(nf_par_check(&cfg, NF_PAR_HYBRID, 2, 1, err, sizeof(err)), -1);
  CHECK(strstr(err, "placement 9") != NULL);
}

/* Hybrid layouts: shares for partitioned objects, one slot per shared object
 * common to every worker; seal refuses an empty slot. */
static void test_hybrid_layout(void) {
  struct nf_parallel_config cfg = hybrid_config();
  static struct nf_par_shared_objects shared;
  struct nf_instance_layout l0, l1;
  char err[256] = "";
  CHECK_EQ(nf_par_build_hybrid_layout(&cfg, 0, 2, &shared, &l0, err, sizeof(err)), 0);
  CHECK_EQ(nf_par_build_hybrid_layout(&cfg, 1, 2, &shared, &l1, err, sizeof(err)), 0);
  CHECK_EQ(l0.object_count, 3);
  CHECK_EQ(l0.objects[0].mode, NF_LAYOUT_SHARE);
  CHECK_EQ(l0.objects[1].mode, NF_LAYOUT_SHARE);
  CHECK_EQ(l0.objects[2].mode, NF_LAYOUT_SHARED);
  CHECK(strcmp(l0.objects[2].name, "routes") == 0);
  CHECK(l0.objects[2].shared_object == &shared.slots[2]);
  CHECK(l1.objects[2].shared_object == &shared.slots[2]);
  /* Through nflib: worker 0 builds the shared object, worker 1 gets it. */
  nf_instance_begin(&l0);
  struct nf_vector *a = nf_vector_create("routes", 8, 4, NULL);
  struct nf_vector *own_a = nf_vector_create("table", 8, 4, NULL);
  nf_instance_end();
  nf_instance_begin(&l1);
  struct nf_vector *b = nf_vector_create("routes", 8, 4, NULL);
  struct nf_vector *own_b = nf_vector_create("table", 8, 4, NULL);
  nf_instance_end();
  CHECK(a != NULL && a == b && own_a != own_b);
  CHECK_EQ(nf_vector_capacity(a), 8);
  CHECK_EQ(nf_vector_capacity(own_b), 4);
  CHECK_EQ(nf_par_shared_objects_seal(&cfg, &shared, err, sizeof(err)), 0);
  CHECK_EQ(shared.count, 1);
  CHECK(nf_par_is_shared_object(&shared, a));
  CHECK(!nf_par_is_shared_object(&shared, own_a));
  shared.slots[2] = NULL; /* the NF built no "routes" */
  CHECK_EQ(nf_par_shared_objects_seal(&cfg, &shared, err, sizeof(err)), -1);
  CHECK(strstr(err, "shares object 'routes' but the NF built no nflib object") != NULL);
}

int main(void) {
  RUN_TEST(test_check_hybrid);
  RUN_TEST(test_hybrid_layout);
  RUN_TEST(test_microsoft_vectors_through_frames);
  RUN_TEST(test_unhashed_frames_go_to_reta_entry_0);
  RUN_TEST(test_fragments_and_other_protocols_hash_addresses);
  RUN_TEST(test_src_only_hashes_the_source_alone);
  RUN_TEST(test_default_reta);
  RUN_TEST(test_run_reta);
  RUN_TEST(test_layout_names_partitioned_objects_as_shares);
  RUN_TEST(test_layout_shares_what_the_nf_requests);
  RUN_TEST(test_layout_errors);
  RUN_TEST(test_check_refuses_what_the_plan_forbids);
  return test_main_result();
}
