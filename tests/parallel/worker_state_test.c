/* nf_par_worker_state_create: shared-nothing workers get a share of the
 * capacity the NF asks for at run time, and a share that leaves an object
 * empty makes state creation fail with a message naming that object. The NF
 * here keeps `cells` (vector) and `chain` (dchain, disjoint indexes) of the
 * configured capacity, and a replicated `routes` vector of 8. */
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/parallel/worker_state.h"
#include "nflib/dchain.h"
#include "nflib/vector.h"
#include "nfs/testing/check.h"

const char *const nf_name = "worker_state_test";

const struct nf_parallel_config nf_parallel_config = {
    .nf_name = "worker_state_test",
    .strategy = NF_PAR_SHARED_NOTHING,
    .strategy_reason = "test",
    .shared_nothing_allowed = true,
    .reta_size = 64,
    .planned_cores = 16,
    .object_count = 3,
    .objects =
        {
            {"cells", NF_PAR_PARTITIONED, false},
            {"chain", NF_PAR_PARTITIONED, true},
            {"routes", NF_PAR_REPLICATED, false},
        },
};

struct nf_config {
  uint32_t capacity;
  bool refuse; /* fails whatever the layout (e.g. a bad option combination) */
};

struct nf_state {
  struct nf_vector *cells;
  struct nf_dchain *chain;
  struct nf_vector *routes;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argc, (void)argv, (void)err, (void)err_len;
  return NULL;
}
void nf_config_usage(FILE *out) {
  (void)out;
}
uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  if (cfg->refuse) {
    snprintf(err, err_len, "refused by the configuration");
    return NULL;
  }
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) return NULL;
  state->cells = nf_vector_create("cells", cfg->capacity, sizeof(uint32_t), NULL);
  state->chain = nf_dchain_create("chain", cfg->capacity);
  state->routes = nf_vector_create("routes", 8, sizeof(uint32_t), NULL);
  if (state->cells == NULL || state->chain == NULL || state->routes == NULL) {
    snprintf(err, err_len, "cannot allocate %u cells", cfg->capacity);
    return NULL;
  }
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state, (void)pkt, (void)now;
  return in_port;
}

static void test_workers_share_the_configured_capacity(void) {
  struct nf_config cfg = {.capacity = 64};
  char err[512] = "";
  for (uint16_t k = 0; k < 4; k++) {
    struct nf_state *state =
        nf_par_worker_state_create(&nf_parallel_config, &cfg, k, 4, err, sizeof(err));
    REQUIRE(state != NULL);
    /* 64 / 4 workers, whatever the plan's 4096 per core says. */
    CHECK_EQ(nf_vector_capacity(state->cells), 16);
    CHECK_EQ(nf_vector_index_base(state->cells), 0);
    CHECK_EQ(nf_dchain_capacity(state->chain), 16);
    CHECK_EQ(nf_dchain_index_base(state->chain), 16 * k);
    CHECK_EQ(nf_vector_capacity(state->routes), 8);
  }
}

static void test_an_empty_share_names_the_objects(void) {
  struct nf_config cfg = {.capacity = 3};
  char err[512] = "";
  /* 3 entries over 2 workers: 1 each, fine. */
  CHECK(nf_par_worker_state_create(&nf_parallel_config, &cfg, 1, 2, err, sizeof(err)) != NULL);
  /* Over 4 workers: 0 each; both partitioned objects named, not the replicated one. */
  CHECK(nf_par_worker_state_create(&nf_parallel_config, &cfg, 0, 4, err, sizeof(err)) == NULL);
  CHECK(strstr(err, "cannot allocate 3 cells") != NULL);
  CHECK(strstr(err, "'cells'") != NULL);
  CHECK(strstr(err, "'chain'") != NULL);
  CHECK(strstr(err, "'routes'") == NULL);
  CHECK(strstr(err, "4 workers") != NULL);
}

static void test_other_failures_keep_the_nf_message(void) {
  struct nf_config cfg = {.capacity = 64, .refuse = true};
  char err[512] = "";
  CHECK(nf_par_worker_state_create(&nf_parallel_config, &cfg, 1, 2, err, sizeof(err)) == NULL);
  CHECK(strstr(err, "refused by the configuration") != NULL);
  CHECK(strstr(err, "worker 1 of 2") != NULL);
  CHECK(strstr(err, "'cells'") == NULL);
}

int main(void) {
  RUN_TEST(test_workers_share_the_configured_capacity);
  RUN_TEST(test_an_empty_share_names_the_objects);
  RUN_TEST(test_other_failures_keep_the_nf_message);
  return test_main_result();
}
