/* Packet counters of the DPDK runtimes: per core and port, written only by the
 * core that owns them, read by the main lcore for the periodic statistics
 * (--stats-interval-ms), by the final tables and by DPDK telemetry
 * (/nfpar/stats, /nfpar/cores) from the telemetry thread. Writers store with
 * relaxed atomics (a plain mov on x86-64), so readers see whole values without
 * slowing the packet path. */
#ifndef DPDK_RULES_RUNTIME_STATS_H
#define DPDK_RULES_RUNTIME_STATS_H

#include <stdint.h>

#include <rte_config.h>

/* Ports a runtime serves (per-core arrays are this long). */
#define RT_MAX_PORTS 32
_Static_assert(RT_MAX_PORTS <= RTE_MAX_ETHPORTS, "more ports than DPDK's build allows");

struct rt_port_counters {
  uint64_t rx;
  uint64_t tx;
  uint64_t nf_dropped; /* NF_DROP verdicts */
  uint64_t flooded;    /* NF_FLOOD verdicts */
  uint64_t tx_failed;  /* not taken by the TX queue (or no mbuf for a flood copy) */
  uint64_t too_long;   /* chained frames longer than RT_MAX_FRAME, dropped */
};

struct rt_core_counters {
  struct rt_port_counters port[RT_MAX_PORTS];
};

/* Adds n to a counter of the calling core's own rt_core_counters. */
#define RT_COUNT(counter, n) __atomic_store_n(&(counter), (counter) + (n), __ATOMIC_RELAXED)

struct rt_stats {
  uint16_t ports;
  uint16_t cores;
  struct rt_core_counters *core[RTE_MAX_LCORE]; /* core k's counters */
  unsigned lcore[RTE_MAX_LCORE];                /* core k's lcore id */
  uint64_t interval_cycles;                     /* 0: no periodic statistics */
  uint64_t start_cycles, next_cycles, last_cycles;
  struct rt_port_counters last_port[RT_MAX_PORTS];
  uint64_t last_core[RTE_MAX_LCORE];
};

/* Sets up s for `ports` ports and `cores` cores, printing every interval_ms
 * (0: never); core k's counters are given with rt_stats_set_core. */
void rt_stats_init(struct rt_stats *s, uint16_t ports, uint16_t cores, uint32_t interval_ms);
void rt_stats_set_core(struct rt_stats *s, uint16_t k, unsigned lcore,
                       struct rt_core_counters *counters);

/* Registers /nfpar/stats and /nfpar/cores with DPDK telemetry, reading s.
 * Returns 0, or a negative errno (telemetry disabled: -ENOENT is harmless). */
int rt_stats_register_telemetry(struct rt_stats *s);

/* Port `port` summed over the cores. */
struct rt_port_counters rt_stats_port_sum(const struct rt_stats *s, uint16_t port);

/* Called by the main lcore in its loop: prints one line per port and per core
 * when the interval has passed. */
void rt_stats_print_periodic(struct rt_stats *s);
static inline void rt_stats_poll(struct rt_stats *s, uint64_t now_cycles) {
  if (s->interval_cycles != 0 && now_cycles >= s->next_cycles) rt_stats_print_periodic(s);
}

/* The table of port counters at exit. */
void rt_stats_print_ports(const struct rt_stats *s, const char *nf);

#endif
