#include "nfs/testing/nf_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

struct nf_config *test_parse(const char *args, char *err) {
  static char buffer[4096];
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  snprintf(buffer, sizeof(buffer), "%s", args);
  argv[argc++] = (char *)nf_name;
  for (char *token = strtok(buffer, " "); token != NULL && argc < MAX_ARGS;
       token = strtok(NULL, " ")) {
    argv[argc++] = token;
  }
  argv[argc] = NULL;
  err[0] = '\0';
  return nf_config_parse(argc, argv, err, TEST_ERR_LEN);
}

struct nf_state *test_create(const char *args) {
  char err[TEST_ERR_LEN];
  struct nf_config *cfg = test_parse(args, err);
  if (cfg == NULL) {
    fprintf(stderr, "test setup: nf_config_parse(\"%s\") failed: %s\n", args, err);
    abort();
  }
  struct nf_state *state = nf_state_create(cfg, err, sizeof(err));
  if (state == NULL) {
    fprintf(stderr, "test setup: nf_state_create(\"%s\") failed: %s\n", args, err);
    abort();
  }
  free(cfg);
  return state;
}

int test_send(struct nf_state *state, struct test_frame *f, uint16_t in_port, nf_time_t now) {
  return nf_process(state, &f->pkt, in_port, now);
}
