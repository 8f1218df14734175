#include "dpdk_rules/runtime/stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* Telemetry callbacks get no context: the one rt_stats of the process. */
static struct rt_stats *telemetry_stats;

void rt_stats_init(struct rt_stats *s, uint16_t ports, uint16_t cores, uint32_t interval_ms) {
  memset(s, 0, sizeof(*s));
  s->ports = ports;
  s->cores = cores;
  s->interval_cycles = (uint64_t)interval_ms * (rte_get_timer_hz() / 1000);
  s->start_cycles = rte_get_timer_cycles();
  s->last_cycles = s->start_cycles;
  s->next_cycles = s->start_cycles + s->interval_cycles;
}

void rt_stats_set_core(struct rt_stats *s, uint16_t k, unsigned lcore,
                       struct rt_core_counters *counters) {
  s->core[k] = counters;
  s->lcore[k] = lcore;
}

struct rt_port_counters rt_stats_port_sum(const struct rt_stats *s, uint16_t port) {
  struct rt_port_counters sum = {0};
  for (uint16_t k = 0; k < s->cores; k++) {
    struct rt_port_counters *c = &s->core[k]->port[port];
    sum.rx += LOAD(c->rx);
    sum.tx += LOAD(c->tx);
    sum.nf_dropped += LOAD(c->nf_dropped);
    sum.flooded += LOAD(c->flooded);
    sum.tx_failed += LOAD(c->tx_failed);
    sum.too_long += LOAD(c->too_long);
  }
  return sum;
}

static uint64_t core_packets(const struct rt_stats *s, uint16_t k) {
  uint64_t packets = 0;
  for (uint16_t port = 0; port < s->ports; port++) packets += LOAD(s->core[k]->port[port].rx);
  return packets;
}

/* Frames the NIC dropped before the NF saw them (full RX ring, no mbuf, errors). */
static uint64_t nic_dropped(uint16_t port) {
  struct rte_eth_stats eth;
  if (rte_eth_stats_get(port, &eth) != 0) return 0;
  return eth.imissed + eth.rx_nombuf + eth.ierrors;
}

static uint64_t rate(uint64_t now, uint64_t before, double seconds) {
  return seconds > 0 ? (uint64_t)((double)(now - before) / seconds + 0.5) : 0;
}

void rt_stats_print_periodic(struct rt_stats *s) {
  uint64_t now = rte_get_timer_cycles();
  double hz = (double)rte_get_timer_hz();
  double since_start = (double)(now - s->start_cycles) / hz;
  double seconds = (double)(now - s->last_cycles) / hz;
  for (uint16_t port = 0; port < s->ports; port++) {
    struct rt_port_counters sum = rt_stats_port_sum(s, port);
    printf("nfpar-stats t=%.3f port=%u rx=%" PRIu64 " rx_pps=%" PRIu64 " tx=%" PRIu64
           " tx_pps=%" PRIu64 " nf_dropped=%" PRIu64 " flooded=%" PRIu64 " tx_failed=%" PRIu64
           " too_long=%" PRIu64 " nic_dropped=%" PRIu64 "\n",
           since_start, port, sum.rx, rate(sum.rx, s->last_port[port].rx, seconds), sum.tx,
           rate(sum.tx, s->last_port[port].tx, seconds), sum.nf_dropped, sum.flooded, sum.tx_failed,
           sum.too_long, nic_dropped(port));
    s->last_port[port] = sum;
  }
  for (uint16_t k = 0; k < s->cores; k++) {
    uint64_t packets = core_packets(s, k);
    printf("nfpar-stats t=%.3f core=%u lcore=%u packets=%" PRIu64 " pps=%" PRIu64 "\n", since_start,
           k, s->lcore[k], packets, rate(packets, s->last_core[k], seconds));
    s->last_core[k] = packets;
  }
  fflush(stdout);
  s->last_cycles = now;
  /* The next deadline on the grid: a late print does not shift later ones. */
  while (s->next_cycles <= now) s->next_cycles += s->interval_cycles;
}

void rt_stats_print_ports(const struct rt_stats *s, const char *nf) {
  printf("%s: port statistics\n", nf);
  printf("%6s %12s %12s %12s %12s %12s %12s\n", "port", "rx", "tx", "nf_dropped", "flooded",
         "tx_failed", "too_long");
  for (uint16_t port = 0; port < s->ports; port++) {
    struct rt_port_counters sum = rt_stats_port_sum(s, port);
    printf("%6u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
           "\n",
           port, sum.rx, sum.tx, sum.nf_dropped, sum.flooded, sum.tx_failed, sum.too_long);
  }
}

static void add_port(struct rte_tel_data *d, const struct rt_port_counters *c) {
  rte_tel_data_add_dict_u64(d, "rx", c->rx);
  rte_tel_data_add_dict_u64(d, "tx", c->tx);
  rte_tel_data_add_dict_u64(d, "nf_dropped", c->nf_dropped);
  rte_tel_data_add_dict_u64(d, "flooded", c->flooded);
  rte_tel_data_add_dict_u64(d, "tx_failed", c->tx_failed);
  rte_tel_data_add_dict_u64(d, "too_long", c->too_long);
}

/* /nfpar/stats: {"port0": {"rx": ..., ...}, ...}; /nfpar/stats,N: port N only. */
static int telemetry_ports(const char *cmd, const char *params, struct rte_tel_data *d) {
  (void)cmd;
  const struct rt_stats *s = telemetry_stats;
  rte_tel_data_start_dict(d);
  if (params != NULL && params[0] != '\0') {
    char *end = NULL;
    unsigned long port = strtoul(params, &end, 10);
    if (*end != '\0' || port >= s->ports) return -EINVAL;
    struct rt_port_counters sum = rt_stats_port_sum(s, (uint16_t)port);
    add_port(d, &sum);
    return 0;
  }
  for (uint16_t port = 0; port < s->ports; port++) {
    struct rte_tel_data *inner = rte_tel_data_alloc();
    if (inner == NULL) return -ENOMEM;
    rte_tel_data_start_dict(inner);
    struct rt_port_counters sum = rt_stats_port_sum(s, port);
    add_port(inner, &sum);
    char name[16];
    snprintf(name, sizeof(name), "port%u", port);
    rte_tel_data_add_dict_container(d, name, inner, 0);
  }
  return 0;
}

/* /nfpar/cores: {"core0": {"lcore": L, "packets": P}, ...}. */
static int telemetry_cores(const char *cmd, const char *params, struct rte_tel_data *d) {
  (void)cmd;
  (void)params;
  const struct rt_stats *s = telemetry_stats;
  rte_tel_data_start_dict(d);
  for (uint16_t k = 0; k < s->cores; k++) {
    struct rte_tel_data *inner = rte_tel_data_alloc();
    if (inner == NULL) return -ENOMEM;
    rte_tel_data_start_dict(inner);
    rte_tel_data_add_dict_u64(inner, "lcore", s->lcore[k]);
    rte_tel_data_add_dict_u64(inner, "packets", core_packets(s, k));
    char name[16];
    snprintf(name, sizeof(name), "core%u", k);
    rte_tel_data_add_dict_container(d, name, inner, 0);
  }
  return 0;
}

int rt_stats_register_telemetry(struct rt_stats *s) {
  telemetry_stats = s;
  int ret = rte_telemetry_register_cmd(
      "/nfpar/stats", telemetry_ports,
      "Per-port packet counters of the NF, summed over cores. Parameters: int port_id (optional)");
  if (ret != 0) return ret;
  return rte_telemetry_register_cmd("/nfpar/cores", telemetry_cores,
                                    "Packets each core of the NF received. Takes no parameters");
}
