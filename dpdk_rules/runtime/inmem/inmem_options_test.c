/* The in-memory runtime's rows of the options table (options.h, RT_INMEM):
 * values, defaults, the strict grammar (everything before "--" is one of its
 * options), the one-line refusals, and that the DPDK runtimes and the
 * in-memory runtime do not see each other's options. Expected texts and
 * numbers are written out here, not taken from the table; every refusal has an
 * accepted neighbour (its negative control). */
#include <stdio.h>
#include <string.h>

#include "dpdk_rules/runtime/options.h"
#include "dpdk_rules/runtime/options_parse_testing.h"
#include "nfs/testing/check.h"

static void test_defaults(void) {
  struct parsed p = parse_args(RT_INMEM, (const char *const[]){NULL});
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 1);
  CHECK_EQ(p.opts.workers, 1);
  CHECK_EQ(p.opts.window_ns, -1);
  CHECK_EQ(p.opts.warmup, 1);
  CHECK_EQ(p.opts.repeat, 5);
  CHECK_EQ(p.opts.tm_retries, 8);
  CHECK(p.opts.strategy == NULL && p.opts.outcomes == NULL && p.opts.order == NULL);
  CHECK(!p.opts.bench && !p.opts.tm_emulate && !p.opts.tm_force_fallback);
  for (int port = 0; port < 16; port++) CHECK(p.opts.pcap[port] == NULL);
}

static void test_values(void) {
  struct parsed p = PARSE(RT_INMEM, "--pcap=0:a.pcap", "--pcap=15:b:c.pcap", "--workers=64",
                          "--strategy=locks", "--outcomes=o.csv", "--order=", "--window-ns=0",
                          "--bench", "--warmup=0", "--repeat=1000", "--tm-retries=1000",
                          "--tm-force-fallback", "--tm-emulate", "--", "--max-flows", "4");
  CHECK_EQ(p.result, 0);
  CHECK(strcmp(p.opts.pcap[0], "a.pcap") == 0);
  CHECK(strcmp(p.opts.pcap[15], "b:c.pcap") == 0); /* the file keeps later colons */
  CHECK_EQ(p.opts.workers, 64);
  CHECK(strcmp(p.opts.strategy, "locks") == 0);
  CHECK(strcmp(p.opts.outcomes, "o.csv") == 0);
  CHECK(strcmp(p.opts.order, "") == 0);
  CHECK_EQ(p.opts.window_ns, 0);
  CHECK(p.opts.bench && p.opts.tm_force_fallback && p.opts.tm_emulate);
  CHECK_EQ(p.opts.warmup, 0);
  CHECK_EQ(p.opts.repeat, 1000);
  CHECK_EQ(p.opts.tm_retries, 1000);
  CHECK_EQ(p.nf_start, 15); /* after "--" */
  /* The last of a repeated option wins. */
  p = PARSE(RT_INMEM, "--workers=4", "--pcap=1:x", "--workers=2", "--pcap=1:y");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.opts.workers, 2);
  CHECK(strcmp(p.opts.pcap[1], "y") == 0);
}

/* Everything before "--" must be an option of the in-memory runtime, spelled
 * in full, values after '='. */
static void test_strict_grammar(void) {
  static const char *const unknown[] = {
      "--foo",
      "foo",
      "-x",
      "-",
      "--workers",
      "--pcap",
      "--work=2",
      "--he",
      "--bench=1",
      "--tm-emulate=1",
      "--burst=8",
      "--no-rss",
      "--idle-exit-ms=5",
  };
  for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
    struct parsed p = PARSE(RT_INMEM, "--workers=2", unknown[i], "--", "--lan-port", "0");
    CHECK_EQ(p.result, -1);
    char expected[128];
    snprintf(expected, sizeof(expected), "unknown option '%s' (NF options go after --)",
             unknown[i]);
    CHECK(strcmp(p.err, expected) == 0);
  }
  /* Negative control: the same words after "--" are the NF's. */
  struct parsed p = PARSE(RT_INMEM, "--workers=2", "--", "--foo", "--burst=8");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 3);
}

static void test_refused_values(void) {
  static const struct {
    const char *arg, *err;
  } cases[] = {
      {"--workers=0", "invalid --workers value '0': expected an integer in 1..64"},
      {"--workers=65", "invalid --workers value '65': expected an integer in 1..64"},
      {"--workers=", "invalid --workers value '': expected an integer in 1..64"},
      {"--workers=+2", "invalid --workers value '+2': expected an integer in 1..64"},
      {"--pcap=x", "invalid --pcap value 'x': expected PORT:FILE"},
      {"--pcap=:f", "invalid port in --pcap value ':f'"},
      {"--pcap=abcdefghijklmnopq:f", "invalid port in --pcap value 'abcdefghijklmnopq:f'"},
      {"--pcap=16:f", "invalid --pcap port value '16': expected an integer in 0..15"},
      {"--pcap=1x:f", "invalid --pcap port value '1x': expected an integer in 0..15"},
      {"--window-ns=2147483648",
       "invalid --window-ns value '2147483648': expected an integer in 0..2147483647"},
      {"--warmup=1001", "invalid --warmup value '1001': expected an integer in 0..1000"},
      {"--repeat=0", "invalid --repeat value '0': expected an integer in 1..1000"},
      {"--tm-retries=1001", "invalid --tm-retries value '1001': expected an integer in 0..1000"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct parsed p = PARSE(RT_INMEM, cases[i].arg);
    CHECK_EQ(p.result, -1);
    CHECK(strcmp(p.err, cases[i].err) == 0);
  }
  /* Negative controls: the bounds themselves are accepted. */
  struct parsed p = PARSE(RT_INMEM, "--workers=1", "--pcap=15:f", "--window-ns=2147483647",
                          "--warmup=1000", "--repeat=1");
  CHECK_EQ(p.result, 0);
}

static void test_families_do_not_mix(void) {
  /* An in-memory option is the NF's for the DPDK runtimes (as before it was
   * in the table), not "only the ... runtime takes". */
  struct parsed p = PARSE(RT_PARALLEL, "--burst=8", "--workers=2");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.nf_start, 2);
  p = PARSE(RT_SEQUENTIAL, "--tm-retries=3");
  CHECK_EQ(p.result, -1);
  CHECK(strcmp(p.err, "--tm-retries=3: only the parallel runtime takes --tm-retries") == 0);
  /* Negative control: the shared --tm-* row is taken by both. */
  p = PARSE(RT_PARALLEL, "--tm-retries=3");
  CHECK_EQ(p.result, 0);
  CHECK_EQ(p.opts.tm_retries, 3);
}

static void test_usage_and_choices(void) {
  char text[8192] = "";
  FILE *out = fmemopen(text, sizeof(text) - 1, "w");
  REQUIRE(out != NULL);
  rt_options_usage(out, RT_INMEM);
  fclose(out);
  static const char *const listed[] = {
      "--pcap=PORT:FILE", "--workers=N",    "--strategy=",  "--outcomes=FILE",
      "--order=FILE",     "--window-ns=N",  "--bench",      "--warmup=W",
      "--repeat=R",       "--tm-retries=N", "--tm-emulate", "--help"};
  for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
    CHECK(strstr(text, listed[i]) != NULL);
  CHECK(strstr(text, "--burst") == NULL); /* a DPDK runtime's */
  memset(text, 0, sizeof(text));
  out = fmemopen(text, sizeof(text) - 1, "w");
  REQUIRE(out != NULL);
  rt_options_usage(out, RT_PARALLEL);
  fclose(out);
  CHECK(strstr(text, "--workers") == NULL);
  CHECK(strstr(text, "--tm-emulate") != NULL);
  char err[256];
  CHECK(!rt_choice_error("strategy", "foo", err, sizeof(err)));
  CHECK(strcmp(err,
               "invalid --strategy value 'foo': expected sequential, shared_nothing, locks, tm or "
               "hybrid") == 0);
}

static bool only_red_or_blue(const char *value) {
  return strcmp(value, "red") == 0 || strcmp(value, "blue") == 0;
}

/* A registered check runs where its option stands: the first bad option on
 * the line is reported. */
static void test_value_check_in_place(void) {
  rt_options_check_value("strategy", only_red_or_blue);
  struct parsed p = PARSE(RT_INMEM, "--strategy=green", "--workers=0");
  CHECK_EQ(p.result, -1);
  CHECK(strcmp(p.err,
               "invalid --strategy value 'green': expected sequential, shared_nothing, locks, tm "
               "or hybrid") == 0);
  p = PARSE(RT_INMEM, "--workers=0", "--strategy=green");
  CHECK_EQ(p.result, -1);
  CHECK(strncmp(p.err, "invalid --workers value '0'", 27) == 0);
  /* Negative control: an accepted value passes; the last repeat wins. */
  p = PARSE(RT_INMEM, "--strategy=red", "--strategy=blue");
  CHECK_EQ(p.result, 0);
  CHECK(strcmp(p.opts.strategy, "blue") == 0);
  rt_options_check_value("strategy", NULL);
  p = PARSE(RT_INMEM, "--strategy=green");
  CHECK_EQ(p.result, 0);
}

int main(void) {
  RUN_TEST(test_defaults);
  RUN_TEST(test_values);
  RUN_TEST(test_strict_grammar);
  RUN_TEST(test_refused_values);
  RUN_TEST(test_families_do_not_mix);
  RUN_TEST(test_usage_and_choices);
  RUN_TEST(test_value_check_in_place);
  return test_main_result();
}
