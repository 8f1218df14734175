/* DPDK runtime of a sequential NF: one lcore polls every port's single RX queue,
 * runs nf_process on each packet and sends it where the NF says.
 *
 *   <nf> [EAL options] -- [runtime options] [--] [NF options]
 *
 * Runtime options: options.h (--help lists them with the NF's).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dpdk_rules/runtime/cli.h"
#include "dpdk_rules/runtime/mbuf_frame.h"
#include "dpdk_rules/runtime/port_setup.h"
#include "dpdk_rules/runtime/stats.h"
#include "nflib/nf.h"
#include "nflib/time.h"

#define MAX_BURST RT_MAX_BURST

static volatile sig_atomic_t stop_requested;

static void on_signal(int signum) {
  (void)signum;
  stop_requested = 1;
}

struct tx_queue {
  struct rte_mbuf *mbufs[MAX_BURST * 2];
  uint16_t count;
};

static void tx_flush(uint16_t port, struct tx_queue *queue, struct rt_core_counters *counters) {
  if (queue->count == 0) return;
  uint16_t sent = rte_eth_tx_burst(port, 0, queue->mbufs, queue->count);
  RT_COUNT(counters->port[port].tx, sent);
  for (uint16_t i = sent; i < queue->count; i++) rte_pktmbuf_free(queue->mbufs[i]);
  RT_COUNT(counters->port[port].tx_failed, queue->count - sent);
  queue->count = 0;
}

static void tx_enqueue(uint16_t port, struct rte_mbuf *mbuf, struct tx_queue *queues,
                       struct rt_core_counters *counters) {
  struct tx_queue *queue = &queues[port];
  if (queue->count == RTE_DIM(queue->mbufs)) tx_flush(port, queue, counters);
  queue->mbufs[queue->count++] = mbuf;
}

/* Sends mbuf to every port but in_port; copies for all but the last. */
static void flood(struct rte_mbuf *mbuf, uint16_t in_port, uint16_t port_count,
                  struct rte_mempool *pool, struct tx_queue *queues,
                  struct rt_core_counters *counters) {
  int last = -1;
  for (uint16_t port = 0; port < port_count; port++) {
    if (port != in_port) last = port;
  }
  if (last < 0) {
    rte_pktmbuf_free(mbuf);
    return;
  }
  for (uint16_t port = 0; port < port_count; port++) {
    if (port == in_port || port == last) continue;
    struct rte_mbuf *copy = rte_pktmbuf_copy(mbuf, pool, 0, UINT32_MAX);
    if (copy == NULL) {
      RT_COUNT(counters->port[port].tx_failed, 1);
      continue;
    }
    tx_enqueue(port, copy, queues, counters);
  }
  tx_enqueue((uint16_t)last, mbuf, queues, counters);
}

int main(int argc, char **argv) {
  struct rt_cli cli;
  rt_cli_parse(argc, argv, RT_SEQUENTIAL, &cli);
  const struct rt_options opts = cli.opts;
  struct nf_config *cfg = cli.cfg;
  if (rte_eal_init(argc, argv) < 0)
    rte_exit(EXIT_FAILURE, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));

  char err[512] = "";
  uint16_t port_count = nf_port_count(cfg);
  if (port_count > RT_MAX_PORTS)
    rte_exit(EXIT_FAILURE, "%s: at most %d ports\n", nf_name, RT_MAX_PORTS);
  uint16_t available = rte_eth_dev_count_avail();
  if (available < port_count) {
    rte_exit(EXIT_FAILURE,
             "%s needs %u ports but DPDK found %u: add devices (-a PCI or --vdev=net_pcap0,...); "
             "a device that failed to start is named above\n",
             nf_name, port_count, available);
  }

  /* One lcore holds a burst and its TX queues (flood copies included). */
  const struct port_pool_demand demand = {
      .ports = port_count,
      .queues = 1,
      .lcores = (uint16_t)rte_lcore_count(),
      .per_lcore = MAX_BURST + port_count * (uint32_t)RTE_DIM(((struct tx_queue *)0)->mbufs)};
  struct rte_mempool *pool = port_pool_create(&demand, err, sizeof(err));
  if (pool == NULL) rte_exit(EXIT_FAILURE, "%s\n", err);

  for (uint16_t port = 0; port < port_count; port++) {
    struct port_queue_config queue_config = {
        .rx_queues = 1, .tx_queues = 1, .pool = pool, .mtu = opts.mtu};
    if (port_setup(port, &queue_config, err, sizeof(err)) != 0) {
      rte_exit(EXIT_FAILURE, "%s\n", err);
    }
  }

  struct nf_state *state = nf_state_create(cfg, err, sizeof(err));
  if (state == NULL) rte_exit(EXIT_FAILURE, "%s: state initialisation failed: %s\n", nf_name, err);

  static struct rt_core_counters counters;
  static struct rt_stats stats;
  rt_stats_init(&stats, port_count, 1, opts.stats_interval_ms);
  rt_stats_set_core(&stats, 0, rte_lcore_id(), &counters);
  int telemetry = rt_stats_register_telemetry(&stats);
  if (telemetry != 0) {
    printf("%s: telemetry commands not registered: %s\n", nf_name, rte_strerror(-telemetry));
  }

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("%s: running on %u ports (lcore %u)\n", nf_name, port_count, rte_lcore_id());
  fflush(stdout);

  static struct tx_queue tx_queues[RT_MAX_PORTS];
  static struct rt_frame_buffer frame;
  nf_time_t last_rx = nf_time_now();
  while (!stop_requested) {
    uint64_t received_now = 0;
    for (uint16_t in_port = 0; in_port < port_count; in_port++) {
      struct rte_mbuf *burst[MAX_BURST];
      uint16_t received = rte_eth_rx_burst(in_port, 0, burst, opts.burst);
      if (received == 0) continue;
      received_now += received;
      struct rt_port_counters *in = &counters.port[in_port];
      RT_COUNT(in->rx, received);
      nf_time_t now = nf_time_now();
      for (uint16_t i = 0; i < received; i++) {
        struct rte_mbuf *mbuf = burst[i];
        uint8_t *data;
        uint32_t len;
        if (!rt_frame_view(mbuf, &frame, &data, &len)) {
          RT_COUNT(in->too_long, 1);
          rte_pktmbuf_free(mbuf);
          continue;
        }
        struct nf_packet packet;
        nf_packet_init(&packet, data, len);
        int verdict = nf_process(state, &packet, in_port, now);
        if (verdict == NF_DROP) {
          RT_COUNT(in->nf_dropped, 1);
          rte_pktmbuf_free(mbuf);
          continue;
        }
        rt_frame_write_back(mbuf, data);
        if (verdict == NF_FLOOD) {
          RT_COUNT(in->flooded, 1);
          flood(mbuf, in_port, port_count, pool, tx_queues, &counters);
        } else if (verdict >= 0 && verdict < port_count) {
          tx_enqueue((uint16_t)verdict, mbuf, tx_queues, &counters);
        } else {
          rte_exit(EXIT_FAILURE, "%s returned invalid verdict %d for a packet on port %u\n",
                   nf_name, verdict, in_port);
        }
      }
    }
    for (uint16_t port = 0; port < port_count; port++) {
      tx_flush(port, &tx_queues[port], &counters);
    }
    rt_stats_poll(&stats, rte_get_timer_cycles());
    if (received_now > 0) {
      last_rx = nf_time_now();
    } else if (opts.idle_exit_ms >= 0 &&
               nf_time_now() - last_rx > opts.idle_exit_ms * NF_NS_PER_MS) {
      break; /* idle_exit_ms <= RT_MAX_IDLE_EXIT_MS: the product fits */
    }
  }

  rt_stats_print_ports(&stats, nf_name);
  for (uint16_t port = 0; port < port_count; port++) {
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
  }
  rte_eal_cleanup();
  return 0;
}
