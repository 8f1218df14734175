/* Minimal assertions for C tests: a failed CHECK reports file:line and the
 * values, counts the failure and lets the test go on; test_main_result() is the
 * process exit status. */
#ifndef NFS_TESTING_CHECK_H
#define NFS_TESTING_CHECK_H

#include <stdio.h>

extern int test_failure_count;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      test_failure_count++;                                                    \
    }                                                                          \
  } while (0)

#define CHECK_EQ(actual, expected)                                                              \
  do {                                                                                          \
    long long check_actual_ = (long long)(actual);                                              \
    long long check_expected_ = (long long)(expected);                                          \
    if (check_actual_ != check_expected_) {                                                     \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (got %lld, expected %lld)\n", __FILE__, \
              __LINE__, #actual, #expected, check_actual_, check_expected_);                    \
      test_failure_count++;                                                                     \
    }                                                                                           \
  } while (0)

/* Stops the test right away (for preconditions whose failure makes the rest meaningless). */
#define REQUIRE(cond)                                                            \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
      test_failure_count++;                                                      \
      return;                                                                    \
    }                                                                            \
  } while (0)

#define RUN_TEST(fn)                                                                        \
  do {                                                                                      \
    int check_before_ = test_failure_count;                                                 \
    fn();                                                                                   \
    fprintf(stderr, "%s %s\n", test_failure_count == check_before_ ? "PASS" : "FAIL", #fn); \
  } while (0)

/* 0 when no CHECK failed, 1 otherwise (prints a summary). */
int test_main_result(void);

#endif /* NFS_TESTING_CHECK_H */
