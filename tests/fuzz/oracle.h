/* Oracle failures of the fuzz harnesses: one line naming the oracle, then
 * abort(), which libFuzzer reports as a crash and saves the input for. The
 * negative-control tests match on "fuzz oracle <name>". */
#ifndef TESTS_FUZZ_ORACLE_H
#define TESTS_FUZZ_ORACLE_H

#include <stdio.h>
#include <stdlib.h>

#define ORACLE(cond, name, ...)                                                        \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      fprintf(stderr, "fuzz oracle %s violated at %s:%d: ", name, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                                                    \
      fputc('\n', stderr);                                                             \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#endif
