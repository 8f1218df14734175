/* Tests of nf_vector: init, borrow/return against a plain array, index base
 * from an instance layout, and a fatal error on an out-of-range index. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nflib/instance.h"
#include "nflib/test_util.h"
#include "nflib/vector.h"

struct cell {
  uint64_t a;
  uint32_t b;
  uint32_t c;
};

static void init_cell(void *p) {
  ((struct cell *)p)->c = 0xabcd;
}

static void test_basics(void) {
  CHECK(nf_vector_create("v", 0, 8, NULL) == NULL);
  CHECK(nf_vector_create("v", 8, 0, NULL) == NULL);
  /* Beyond NF_VECTOR_BYTES_MAX (2^21 cells of 2^20 bytes): refused, nothing allocated. */
  CHECK((uint64_t)(1u << 21) * (1u << 20) > NF_VECTOR_BYTES_MAX);
  CHECK(nf_vector_create("v", 1u << 21, 1u << 20, NULL) == NULL);
  struct nf_vector *v = nf_vector_create("v", 5, sizeof(struct cell), init_cell);
  CHECK(v != NULL);
  CHECK_EQ(nf_vector_capacity(v), 5);
  CHECK_EQ(nf_vector_index_base(v), 0);
  struct cell c;
  nf_vector_borrow(v, 4, &c);
  CHECK_EQ(c.a, 0);
  CHECK_EQ(c.b, 0);
  CHECK_EQ(c.c, 0xabcd);
  c.a = 1;
  nf_vector_return(v, 4, &c);
  struct cell d;
  nf_vector_borrow(v, 4, &d);
  CHECK_EQ(d.a, 1);
  nf_vector_destroy(v);
}

static void test_layout(void) {
  struct nf_instance_layout layout;
  memset(&layout, 0, sizeof(layout));
  layout.instance = 1;
  layout.instance_count = 2;
  layout.object_count = 1;
  layout.objects[0].name = "flows";
  layout.objects[0].capacity = 3;
  layout.objects[0].index_base = 100;
  nf_instance_begin(&layout);
  struct nf_vector *v = nf_vector_create("flows", 6, sizeof(struct cell), NULL);
  struct nf_vector *other = nf_vector_create("other", 6, sizeof(struct cell), NULL);
  nf_instance_end();
  struct nf_vector *after = nf_vector_create("flows", 6, sizeof(struct cell), NULL);
  CHECK_EQ(nf_vector_capacity(v), 3);
  CHECK_EQ(nf_vector_index_base(v), 100);
  CHECK_EQ(nf_vector_capacity(other), 6);
  CHECK_EQ(nf_vector_index_base(other), 0);
  CHECK_EQ(nf_vector_capacity(after), 6);
  struct cell c = {5, 6, 7};
  nf_vector_return(v, 102, &c);
  struct cell d;
  nf_vector_borrow(v, 102, &d);
  CHECK_EQ(d.b, 6);
  /* Index 99 and 103 are outside [100, 103): the process must abort. */
  for (int bad = 0; bad < 2; bad++) {
    pid_t pid = fork();
    if (pid == 0) {
      fclose(stderr); /* the expected fatal message is not test noise */
      nf_vector_borrow(v, bad ? 103 : 99, &d);
      _exit(0);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
  }
  nf_vector_destroy(v);
  nf_vector_destroy(other);
  nf_vector_destroy(after);
}

static void differential(uint32_t capacity, uint64_t seed, uint32_t ops) {
  struct nf_vector *v = nf_vector_create("v", capacity, sizeof(struct cell), init_cell);
  struct cell *model = calloc(capacity, sizeof(struct cell));
  for (uint32_t i = 0; i < capacity; i++) model[i].c = 0xabcd;
  struct test_rng rng = {seed};
  test_install_hook(0);
  for (uint32_t op = 0; op < ops; op++) {
    int32_t i = (int32_t)rng_below(&rng, capacity);
    unsigned long hooks = test_hook_calls;
    struct cell c;
    if (rng_below(&rng, 2)) {
      nf_vector_borrow(v, i, &c);
      CHECK(memcmp(&c, &model[i], sizeof(c)) == 0);
      CHECK_EQ(test_hook_calls, hooks);
    } else {
      c.a = rng_next(&rng);
      c.b = (uint32_t)rng_next(&rng);
      c.c = op;
      nf_vector_return(v, i, &c);
      model[i] = c;
      CHECK_EQ(test_hook_calls - hooks, 1);
    }
  }
  nf_current_write_hook.fn = 0;
  free(model);
  nf_vector_destroy(v);
}

int main(void) {
  test_basics();
  test_layout();
  differential(1000, 21, 1000000);
  printf("vector_test: OK\n");
  return 0;
}
