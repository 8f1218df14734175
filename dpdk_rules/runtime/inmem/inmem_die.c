#include "dpdk_rules/runtime/inmem/inmem_die.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dpdk_rules/runtime/options.h"
#include "nflib/nf.h"

static void print_line(const char *format, va_list args, const char *suffix) {
  fprintf(stderr, "%s: ", nf_name);
  vfprintf(stderr, format, args);
  fprintf(stderr, "%s\n", suffix);
}

void inmem_die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  print_line(format, args, "");
  va_end(args);
  exit(EXIT_FAILURE);
}

void inmem_usage_die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  print_line(format, args, " (--help lists the options)");
  va_end(args);
  exit(RT_EXIT_USAGE);
}
