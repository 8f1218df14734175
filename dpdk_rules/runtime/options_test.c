/* Runtime option parsing (options.h): values, ranges, where the NF's options
 * start, and the one-line errors. Expected values are written out here, not
 * taken from the parser's table. */
#include "dpdk_rules/runtime/options.h"

#include <string.h>

#include "dpdk_rules/runtime/options_parse_testing.h"
#include "nfs/testing/check.h"

static void test_defaults(void) {
  struct parsed p = parse_args(RT_SEQUENTIAL, (const char *const[]){NULL});
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 1);
  CHECK_EQ(p.opts.idle_exit_ms, -1);
  CHECK_EQ(p.opts.burst, 32);
  CHECK_EQ(p.opts.stats_interval_ms, 0);
  CHECK_EQ(p.opts.mtu, 0);
  CHECK_EQ(p.opts.tm_retries, 8);
  CHECK(!p.opts.no_rss && !p.opts.help);
}

static void test_values_and_nf_start(void) {
  struct parsed p =
      PARSE(RT_PARALLEL, "--idle-exit-ms=300", "--burst=8", "--no-rss", "--stats-interval-ms=250",
            "--tm-retries=0", "--tm-emulate", "--lan-port", "0");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.opts.idle_exit_ms, 300);
  CHECK_EQ(p.opts.burst, 8);
  CHECK(p.opts.no_rss);
  CHECK_EQ(p.opts.stats_interval_ms, 250);
  CHECK_EQ(p.opts.tm_retries, 0);
  CHECK(p.opts.tm_emulate && !p.opts.tm_force_fallback);
  CHECK_EQ(p.nf_start, 7); /* "--lan-port" */
}

static void test_nf_owns_separate_values_and_prefixes(void) {
  /* The policer's "--burst 3000" is the NF's: runtime values follow '='. */
  struct parsed p = PARSE(RT_SEQUENTIAL, "--idle-exit-ms=5", "--burst", "3000");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 2);
  CHECK_EQ(p.opts.burst, 32);
  /* A prefix of a runtime option is not an abbreviation of it. */
  p = PARSE(RT_PARALLEL, "--tm", "1");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 1);
  p = PARSE(RT_PARALLEL, "--no-r");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 1);
  CHECK(!p.opts.no_rss);
  /* A non-option ends the runtime options too; so does "--", which is skipped. */
  p = PARSE(RT_SEQUENTIAL, "--burst=4", "file.txt");
  CHECK_EQ(p.nf_start, 2);
  p = PARSE(RT_SEQUENTIAL, "--burst=4", "--", "--burst=9");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.opts.burst, 4);
  CHECK_EQ(p.nf_start, 3);
}

static void test_idle_exit_range(void) {
  /* The largest value whose nanoseconds fit int64: never overflows. */
  struct parsed p = PARSE(RT_SEQUENTIAL, "--idle-exit-ms=9223372036854");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.opts.idle_exit_ms, 9223372036854LL);
  CHECK(p.opts.idle_exit_ms <= INT64_MAX / 1000000);
  p = PARSE(RT_SEQUENTIAL, "--idle-exit-ms=9223372036855");
  CHECK_EQ(p.result, -1);
  CHECK(strcmp(p.err,
               "invalid --idle-exit-ms value '9223372036855': expected an integer in "
               "0..9223372036854") == 0);
  p = PARSE(RT_SEQUENTIAL, "--idle-exit-ms=9223372036854775807");
  CHECK_EQ(p.result, -1);
  p = PARSE(RT_SEQUENTIAL, "--idle-exit-ms=99999999999999999999999999");
  CHECK_EQ(p.result, -1);
  CHECK(strstr(p.err, "'99999999999999999999999999'") != NULL);
}

static void test_refused_values(void) {
  const char *bad[] = {"--idle-exit-ms=",   "--idle-exit-ms=-1",  "--idle-exit-ms= 5",
                       "--idle-exit-ms=+5", "--idle-exit-ms=5ms", "--burst=0",
                       "--burst=65",        "--burst=",           "--stats-interval-ms=0",
                       "--mtu=67",          "--tm-retries=1001"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct parsed p = PARSE(RT_PARALLEL, bad[i]);
    CHECK_EQ(p.result, -1);
    /* One line naming the option, the value and the range. */
    const char *eq = strchr(bad[i], '=');
    char option[40] = "";
    memcpy(option, bad[i], (size_t)(eq - bad[i]));
    CHECK(strstr(p.err, option) != NULL);
    CHECK(strstr(p.err, "expected an integer in ") != NULL);
    CHECK(strchr(p.err, '\n') == NULL);
    if (p.result != -1 || strstr(p.err, option) == NULL) fprintf(stderr, "  for %s\n", bad[i]);
  }
  struct parsed p = PARSE(RT_PARALLEL, "--no-rss=1");
  CHECK_EQ(p.result, -1);
  CHECK(strcmp(p.err, "invalid --no-rss=1: --no-rss takes no value") == 0);
}

static void test_runtime_specific_options(void) {
  struct parsed p = PARSE(RT_SEQUENTIAL, "--no-rss");
  CHECK_EQ(p.result, -1);
  CHECK(strcmp(p.err, "--no-rss: only the parallel runtime takes --no-rss") == 0);
  p = PARSE(RT_SEQUENTIAL, "--tm-retries=3");
  CHECK_EQ(p.result, -1);
  p = PARSE(RT_SEQUENTIAL, "--help");
  CHECK_EQ(p.result, 0);
  CHECK(p.opts.help);
}

static void test_usage_lists_the_runtimes_options(void) {
  char text[4096] = "";
  FILE *out = fmemopen(text, sizeof(text) - 1, "w");
  REQUIRE(out != NULL);
  rt_options_usage(out, RT_SEQUENTIAL);
  fclose(out);
  CHECK(strstr(text, "--idle-exit-ms=N") != NULL);
  CHECK(strstr(text, "--stats-interval-ms=N") != NULL);
  CHECK(strstr(text, "--burst=N") != NULL);
  CHECK(strstr(text, "--no-rss") == NULL); /* parallel only */
  memset(text, 0, sizeof(text));
  out = fmemopen(text, sizeof(text) - 1, "w");
  REQUIRE(out != NULL);
  rt_options_usage(out, RT_PARALLEL);
  fclose(out);
  CHECK(strstr(text, "--no-rss") != NULL);
  CHECK(strstr(text, "--tm-emulate") != NULL);
}

static void test_parse_int_negative_control(void) {
  int64_t value = 0;
  char err[128];
  CHECK(rt_parse_int("--x", "18446744073709551615", 0, INT64_MAX, &value, err, sizeof(err)) ==
        false);
  CHECK(rt_parse_int("--x", "42", 0, 100, &value, err, sizeof(err)));
  CHECK_EQ(value, 42);
}

int main(void) {
  RUN_TEST(test_defaults);
  RUN_TEST(test_values_and_nf_start);
  RUN_TEST(test_nf_owns_separate_values_and_prefixes);
  RUN_TEST(test_idle_exit_range);
  RUN_TEST(test_refused_values);
  RUN_TEST(test_runtime_specific_options);
  RUN_TEST(test_usage_lists_the_runtimes_options);
  RUN_TEST(test_parse_int_negative_control);
  return test_main_result();
}
