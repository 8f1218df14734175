/* What the option parser's tests share (options_test.c, inmem/inmem_options_test.c):
 * parse a literal argument list with rt_options_parse and keep everything it
 * returns. Test-only. */
#ifndef DPDK_RULES_RUNTIME_OPTIONS_PARSE_TESTING_H
#define DPDK_RULES_RUNTIME_OPTIONS_PARSE_TESTING_H

#include <string.h>

#include "dpdk_rules/runtime/options.h"

struct parsed {
  int result;
  int nf_start;
  struct rt_options opts;
  char err[256];
};

/* Parses a NULL-terminated argument list (argv[0] is added). */
static inline struct parsed parse_args(unsigned runtime, const char *const *args) {
  char *argv[32] = {"prog"};
  int argc = 1;
  while (args[argc - 1] != NULL) {
    argv[argc] = (char *)args[argc - 1];
    argc++;
  }
  argv[argc] = NULL;
  struct parsed p;
  memset(&p, 0, sizeof(p));
  p.result = rt_options_parse(argc, argv, runtime, &p.opts, &p.nf_start, p.err, sizeof(p.err));
  return p;
}

/* PARSE(RT_INMEM, "--workers=2", "--bench"): the arguments as a literal list. */
#define PARSE(runtime, ...) parse_args(runtime, (const char *const[]){__VA_ARGS__, NULL})

#endif
