#include "dpdk_rules/runtime/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"

enum option_id {
  OPT_IDLE_EXIT_MS,
  OPT_BURST,
  OPT_STATS_INTERVAL_MS,
  OPT_MTU,
  OPT_NO_RSS,
  OPT_PCAP,
  OPT_WORKERS,
  OPT_STRATEGY,
  OPT_OUTCOMES,
  OPT_ORDER,
  OPT_WINDOW_NS,
  OPT_BENCH,
  OPT_WARMUP,
  OPT_REPEAT,
  OPT_TM_RETRIES,
  OPT_TM_FORCE_FALLBACK,
  OPT_TM_EMULATE,
  OPT_HELP,
  OPT_COUNT,
};

/* What a value is; integers are the default so that most entries omit it. */
enum value_kind {
  VALUE_INT,
  VALUE_TEXT,      /* a file or a name, taken as written */
  VALUE_PORT_TEXT, /* PORT:TEXT, PORT an integer in min..max */
};

/* The one table of runtime options: getopt_long's table, the range checks and
 * --help are all derived from it. */
struct option_spec {
  const char *name;
  const char *value; /* NULL: a flag */
  int64_t min, max;  /* range of the value (VALUE_PORT_TEXT: of the port) */
  unsigned runtimes;
  const char *help;
  enum value_kind kind;
};

/* The DPDK runtimes share one grammar; the in-memory runtime has its own. */
#define RT_BOTH (RT_SEQUENTIAL | RT_PARALLEL)
#define RT_TM (RT_PARALLEL | RT_INMEM)

static const struct option_spec specs[OPT_COUNT] = {
    [OPT_IDLE_EXIT_MS] = {"idle-exit-ms", "N", 0, RT_MAX_IDLE_EXIT_MS, RT_BOTH,
                          "stop after N ms without a received packet (default: never)"},
    [OPT_BURST] = {"burst", "N", 1, RT_MAX_BURST, RT_BOTH, "RX/TX burst size (default 32)"},
    [OPT_STATS_INTERVAL_MS] = {"stats-interval-ms", "N", 1, UINT32_MAX, RT_BOTH,
                               "print port and core statistics every N ms (default: at exit "
                               "only)"},
    [OPT_MTU] = {"mtu", "N", 68, RT_MAX_MTU, RT_BOTH,
                 "set every port's MTU (bytes of IP packet; frames up to N+18 bytes), e.g. "
                 "9000 for jumbo frames (default: the device's)"},
    [OPT_NO_RSS] = {"no-rss", NULL, 0, 0, RT_PARALLEL,
                    "do not configure RSS: the traffic is already split per queue "
                    "(net_pcap has no RSS)"},
    [OPT_TM_RETRIES] = {"tm-retries", "N", 0, 1000, RT_TM,
                        "RTM attempts before the fallback lock (default 8)"},
    [OPT_TM_FORCE_FALLBACK] = {"tm-force-fallback", NULL, 0, 0, RT_TM,
                               "never use RTM, always the fallback lock"},
    [OPT_TM_EMULATE] = {"tm-emulate", NULL, 0, 0, RT_TM,
                        "the software model of RTM (tests on CPUs without RTM)"},
    [OPT_HELP] = {"help", NULL, 0, 0, RT_BOTH | RT_INMEM, "print this help and exit"},
    [OPT_PCAP] = {"pcap", "PORT:FILE", 0, RT_INMEM_MAX_PORTS - 1, RT_INMEM,
                  "input of NF port PORT (repeat per port; a port without one gets no packets)",
                  VALUE_PORT_TEXT},
    [OPT_WORKERS] = {"workers", "N", 1, NF_PAR_MAX_WORKERS, RT_INMEM, "worker threads (default 1)"},
    [OPT_STRATEGY] = {"strategy", "sequential|" NF_PAR_STRATEGY_CHOICES, 0, 0, RT_INMEM,
                      "(default: the plan's) sequential: 1 worker, the NF's own state, the "
                      "reference of the equivalence tests",
                      VALUE_TEXT},
    [OPT_OUTCOMES] = {"outcomes", "FILE", 0, 0, RT_INMEM,
                      "write one CSV line per input packet (docs/RUNTIMES.md)", VALUE_TEXT},
    [OPT_ORDER] = {"order", "FILE", 0, 0, RT_INMEM,
                   "sequential only: replay this order and these times (CSV index,now_ns)",
                   VALUE_TEXT},
    [OPT_WINDOW_NS] = {"window-ns", "N", 0, INT32_MAX, RT_INMEM,
                       "paced replay: start a packet only once every packet more than N ns "
                       "older has finished (default: unpaced)"},
    [OPT_BENCH] = {"bench", NULL, 0, 0, RT_INMEM,
                   "benchmark: preloaded queues, pinned workers, timed runs; prints Mpps"},
    [OPT_WARMUP] = {"warmup", "W", 0, RT_INMEM_MAX_REPEAT, RT_INMEM,
                    "--bench: untimed runs first (default 1)"},
    [OPT_REPEAT] = {"repeat", "R", 1, RT_INMEM_MAX_REPEAT, RT_INMEM,
                    "--bench: timed runs (default 5)"},
};

/* rt_options_check_value: per option, NULL when the value is taken as written. */
static rt_value_check *value_checks[OPT_COUNT];

static bool fail(char *err, size_t err_len, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t err_len, const char *format, ...) {
  va_list args;
  va_start(args, format);
  if (err_len > 0) vsnprintf(err, err_len, format, args);
  va_end(args);
  return false;
}

bool rt_parse_int(const char *option, const char *text, int64_t min, int64_t max, int64_t *out,
                  char *err, size_t err_len) {
  /* strtoll would accept blanks, a sign and "" (as 0); only digits are a value. */
  bool ok = text[0] != '\0';
  uint64_t value = 0;
  for (const char *c = text; ok && *c != '\0'; c++) {
    if (*c < '0' || *c > '9' || value > (UINT64_MAX - 9) / 10) {
      ok = false;
    } else {
      value = value * 10 + (uint64_t)(*c - '0');
    }
  }
  if (!ok || value < (uint64_t)min || value > (uint64_t)max) {
    return fail(err, err_len, "invalid %s value '%s': expected an integer in %" PRId64 "..%" PRId64,
                option, text, min, max);
  }
  *out = (int64_t)value;
  return true;
}

static const char *runtime_name(unsigned runtimes) {
  return runtimes == RT_PARALLEL ? "parallel" : "sequential";
}

/* Whether arg spells --name exactly, with nothing or "=..." after it. */
static bool spells(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, n) == 0 &&
         (arg[2 + n] == '\0' || arg[2 + n] == '=');
}

/* PORT:TEXT: *port in the spec's range, *text what follows the colon. */
static bool parse_port_text(const char *option, const struct option_spec *spec, const char *value,
                            int64_t *port, const char **text, char *err, size_t err_len) {
  const char *colon = strchr(value, ':');
  if (colon == NULL)
    return fail(err, err_len, "invalid %s value '%s': expected %s", option, value, spec->value);
  char digits[16];
  size_t n = (size_t)(colon - value);
  if (n == 0 || n >= sizeof(digits))
    return fail(err, err_len, "invalid port in %s value '%s'", option, value);
  memcpy(digits, value, n);
  digits[n] = '\0';
  char port_option[48];
  snprintf(port_option, sizeof(port_option), "%s port", option);
  if (!rt_parse_int(port_option, digits, spec->min, spec->max, port, err, err_len)) return false;
  *text = colon + 1;
  return true;
}

static bool apply(enum option_id id, const char *value, struct rt_options *opts, char *err,
                  size_t err_len) {
  const struct option_spec *spec = &specs[id];
  char option[40];
  snprintf(option, sizeof(option), "--%s", spec->name);
  int64_t n = 0;
  if (spec->value != NULL && spec->kind == VALUE_INT &&
      !rt_parse_int(option, value, spec->min, spec->max, &n, err, err_len))
    return false;
  if (spec->kind == VALUE_PORT_TEXT &&
      !parse_port_text(option, spec, value, &n, &value, err, err_len))
    return false;
  if (value_checks[id] != NULL && !value_checks[id](value))
    return rt_choice_error(spec->name, value, err, err_len);
  switch (id) {
    case OPT_IDLE_EXIT_MS:
      opts->idle_exit_ms = n;
      break;
    case OPT_BURST:
      opts->burst = (uint16_t)n;
      break;
    case OPT_STATS_INTERVAL_MS:
      opts->stats_interval_ms = (uint32_t)n;
      break;
    case OPT_MTU:
      opts->mtu = (uint32_t)n;
      break;
    case OPT_NO_RSS:
      opts->no_rss = true;
      break;
    case OPT_TM_RETRIES:
      opts->tm_retries = (uint32_t)n;
      break;
    case OPT_TM_FORCE_FALLBACK:
      opts->tm_force_fallback = true;
      break;
    case OPT_TM_EMULATE:
      opts->tm_emulate = true;
      break;
    case OPT_PCAP:
      opts->pcap[n] = value;
      break;
    case OPT_WORKERS:
      opts->workers = (uint16_t)n;
      break;
    case OPT_STRATEGY:
      opts->strategy = value;
      break;
    case OPT_OUTCOMES:
      opts->outcomes = value;
      break;
    case OPT_ORDER:
      opts->order = value;
      break;
    case OPT_WINDOW_NS:
      opts->window_ns = n;
      break;
    case OPT_BENCH:
      opts->bench = true;
      break;
    case OPT_WARMUP:
      opts->warmup = (uint32_t)n;
      break;
    case OPT_REPEAT:
      opts->repeat = (uint32_t)n;
      break;
    case OPT_HELP:
    case OPT_COUNT:
      opts->help = true;
      break;
  }
  return true;
}

/* The strict grammar's refusal of anything that is not one of its options. */
static int unknown(const char *arg, char *err, size_t err_len) {
  fail(err, err_len, "unknown option '%s' (NF options go after --)", arg);
  return -1;
}

int rt_options_parse(int argc, char **argv, unsigned runtime, struct rt_options *opts,
                     int *nf_start, char *err, size_t err_len) {
  *opts = (struct rt_options){.idle_exit_ms = -1,
                              .burst = 32,
                              .tm_retries = 8,
                              .workers = 1,
                              .window_ns = -1,
                              .warmup = 1,
                              .repeat = 5};
  /* Only the options of the runtime's family exist for getopt_long: the other
   * family's are unknown words (left to the NF, or refused when strict). */
  unsigned family = (runtime & RT_INMEM) != 0 ? RT_INMEM : RT_BOTH;
  bool strict = family == RT_INMEM;
  /* Value options are optional_argument so that getopt_long takes a value only
   * after '=': "--burst 3000" is left to the NF. */
  struct option table[OPT_COUNT + 1];
  int entries = 0;
  for (int i = 0; i < OPT_COUNT; i++) {
    if ((specs[i].runtimes & family) == 0) continue;
    table[entries++] = (struct option){
        specs[i].name, specs[i].value != NULL ? optional_argument : no_argument, NULL, i};
  }
  table[entries] = (struct option){NULL, 0, NULL, 0};
  optind = 0; /* glibc: reinitialise (the EAL and NFs use getopt too) */
  opterr = 0;
  for (;;) {
    int at = optind > 0 ? optind : 1;
    if (at >= argc) {
      *nf_start = argc;
      return 0;
    }
    const char *arg = argv[at];
    int index = -1;
    int opt = getopt_long(argc, argv, "+", table, &index);
    if (opt == -1) {
      /* A non-option (the NF's) or "--", which getopt_long skips. */
      if (strict && optind <= at) return unknown(arg, err, err_len);
      *nf_start = optind > at ? optind : at;
      return 0;
    }
    if (strict && opt == '?') return unknown(arg, err, err_len);
    if (opt == '?') {
      /* Unknown, hence the NF's; except a flag given a value. */
      for (int i = 0; i < OPT_COUNT; i++) {
        if (specs[i].value == NULL && spells(arg, specs[i].name) && strchr(arg, '=') != NULL) {
          fail(err, err_len, "invalid %s: --%s takes no value", arg, specs[i].name);
          return -1;
        }
      }
      *nf_start = at;
      return 0;
    }
    const struct option_spec *spec = &specs[opt];
    if (!spells(arg, spec->name) || (spec->value != NULL && optarg == NULL)) {
      /* An abbreviation, or "--name VALUE": the NF's (it may own that name). */
      if (strict) return unknown(arg, err, err_len);
      *nf_start = at;
      return 0;
    }
    if ((spec->runtimes & runtime) == 0) {
      fail(err, err_len, "%s: only the %s runtime takes --%s", arg,
           runtime_name(spec->runtimes & family), spec->name);
      return -1;
    }
    if (!apply((enum option_id)opt, optarg, opts, err, err_len)) return -1;
  }
}

void rt_options_usage(FILE *out, unsigned runtime) {
  fprintf(out, "runtime options (first, values after '='):\n");
  for (int i = 0; i < OPT_COUNT; i++) {
    const struct option_spec *spec = &specs[i];
    if ((spec->runtimes & runtime) == 0) continue;
    char name[48];
    if (spec->value != NULL) {
      snprintf(name, sizeof(name), "--%s=%s", spec->name, spec->value);
    } else {
      snprintf(name, sizeof(name), "--%s", spec->name);
    }
    fprintf(out, "  %-24s %s", name, spec->help);
    if (spec->value != NULL && spec->kind == VALUE_INT)
      fprintf(out, "; %" PRId64 "..%" PRId64, spec->min, spec->max);
    if (spec->kind == VALUE_PORT_TEXT)
      fprintf(out, "; PORT in %" PRId64 "..%" PRId64, spec->min, spec->max);
    fputc('\n', out);
  }
}

void rt_options_check_value(const char *name, rt_value_check *check) {
  for (int i = 0; i < OPT_COUNT; i++) {
    if (strcmp(specs[i].name, name) == 0) value_checks[i] = check;
  }
}

bool rt_choice_error(const char *name, const char *text, char *err, size_t err_len) {
  const char *choices = "";
  for (int i = 0; i < OPT_COUNT; i++) {
    if (strcmp(specs[i].name, name) == 0 && specs[i].value != NULL) choices = specs[i].value;
  }
  /* "a|b|c" reads "a, b or c". */
  char list[128];
  size_t n = 0;
  const char *last = strrchr(choices, '|');
  for (const char *c = choices; *c != '\0' && n + 5 < sizeof(list); c++) {
    const char *text_of = *c != '|' ? NULL : c == last ? " or " : ", ";
    if (text_of == NULL) {
      list[n++] = *c;
    } else {
      memcpy(list + n, text_of, strlen(text_of));
      n += strlen(text_of);
    }
  }
  list[n] = '\0';
  return fail(err, err_len, "invalid --%s value '%s': expected %s", name, text, list);
}

bool rt_wants_help(int argc, char **argv, int first) {
  for (int i = first; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) return true;
  }
  return false;
}
