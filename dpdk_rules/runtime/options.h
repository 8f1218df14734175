/* Runtime options of the DPDK runtimes (sequential_main.c, parallel/dpdk_main.c)
 * and of the in-memory runtime (inmem/), parsed in one place from one table;
 * no DPDK here, so the parser is unit-tested on its own.
 *
 *   <nf> [EAL options] -- [runtime options] [--] [NF options]
 *
 * Runtime options come first and take their value after '=' (--burst=8): the
 * first argument that is not one of them starts the NF's options, and a second
 * "--" ends them explicitly. So an NF may own an option of the same name with a
 * separate value (the policer's "--burst 3000" is the policer's). Names must be
 * spelled in full: getopt_long's abbreviations are refused, because a prefix of
 * a runtime option may be an NF option.
 *
 *   <nf>_inmem [runtime options] -- [NF options]
 *
 * The in-memory runtime (RT_INMEM) reads a stricter grammar: every argument
 * before "--" must be one of its options, spelled in full with its value after
 * '=' (flags without one); anything else is an unknown option. Its options and
 * the DPDK runtimes' are separate families: an option of one family is unknown
 * to the other, even when the table shares the entry (--tm-*). */
#ifndef DPDK_RULES_RUNTIME_OPTIONS_H
#define DPDK_RULES_RUNTIME_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nflib/time.h"

/* Which runtime parses: an option lists the runtimes that take it. */
enum rt_runtime {
  RT_SEQUENTIAL = 1u << 0,
  RT_PARALLEL = 1u << 1,
  RT_INMEM = 1u << 2,
};

/* Exit status of a usage error (bad option or value), as getopt-based tools use. */
#define RT_EXIT_USAGE 2

/* Burst sizes the runtimes' per-burst arrays hold. */
#define RT_MAX_BURST 64

/* The longest frame the DPDK runtimes hand to an NF (bytes, without CRC): the
 * size of each worker's buffer for chained mbufs (mbuf_frame.h). Jumbo frames of
 * 9216 bytes and an MTU up to RT_MAX_MTU fit. */
#define RT_MAX_FRAME 16384
/* Ethernet header plus one VLAN tag: frame length = MTU + RT_L2_OVERHEAD. */
#define RT_L2_OVERHEAD 18
#define RT_MAX_MTU (RT_MAX_FRAME - RT_L2_OVERHEAD)

/* NF ports the in-memory runtime reads (--pcap=PORT:FILE, PORT below this). */
#define RT_INMEM_MAX_PORTS 16
/* Upper bound of --warmup and --repeat: the in-memory benchmark keeps one rate
 * per run. */
#define RT_INMEM_MAX_REPEAT 1000

/* The largest --idle-exit-ms whose nanoseconds fit an int64_t (nf_time_t). */
#define RT_MAX_IDLE_EXIT_MS (INT64_MAX / NF_NS_PER_MS)

struct rt_options {
  int64_t idle_exit_ms;       /* -1: never */
  uint16_t burst;             /* 1..RT_MAX_BURST */
  uint32_t stats_interval_ms; /* 0: no periodic statistics */
  uint32_t mtu;               /* 0: the device's default */
  bool no_rss;
  uint32_t tm_retries;
  bool tm_force_fallback;
  bool tm_emulate;
  bool help;
  /* In-memory runtime; strings point into argv. */
  const char *pcap[RT_INMEM_MAX_PORTS]; /* NULL: the port has no input */
  uint16_t workers;
  const char *strategy; /* NULL: the plan's; checked by the runtime */
  const char *outcomes;
  const char *order;
  int64_t window_ns; /* -1: no pacing */
  bool bench;
  uint32_t warmup;
  uint32_t repeat;
};

/* Parses the runtime options of argv[1..] (argv[0] is the program; for the DPDK
 * runtimes argv holds what follows the EAL's "--"). On success returns 0 and
 * sets *nf_start to the index of the NF's first option (argc when none); a "--"
 * that ends the runtime options is skipped. On a bad option or value returns -1
 * with one line in err naming the option, the value and the accepted range
 * (RT_INMEM: also an unknown option). */
int rt_options_parse(int argc, char **argv, unsigned runtime, struct rt_options *opts,
                     int *nf_start, char *err, size_t err_len);

/* Lists the options `runtime` takes, one per line with its range and default. */
void rt_options_usage(FILE *out, unsigned runtime);

/* "invalid OPTION value 'TEXT': expected A, B or C" in err, the choices taken
 * from the table's value text "A|B|C" of `name` (without "--"). Returns false. */
bool rt_choice_error(const char *name, const char *text, char *err, size_t err_len);

/* Registers the check of a text option whose valid values another module owns
 * (--strategy: parallel/config_util.c). rt_options_parse calls it where the
 * option stands on the line, so the first bad option is the one reported; a
 * refused value gets rt_choice_error's message. */
typedef bool rt_value_check(const char *value);
void rt_options_check_value(const char *name, rt_value_check *check);

/* Strict decimal integer in [min, max]: digits only (no sign, no blanks, not
 * empty), overflow-checked. Returns false with "invalid OPTION value 'TEXT':
 * expected an integer in MIN..MAX" in err. */
bool rt_parse_int(const char *option, const char *text, int64_t min, int64_t max, int64_t *out,
                  char *err, size_t err_len);

/* Whether argv[first..argc) contains exactly "--help". */
bool rt_wants_help(int argc, char **argv, int first);

#endif
