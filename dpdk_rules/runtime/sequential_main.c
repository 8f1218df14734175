/* DPDK runtime of a sequential NF: one lcore polls every port's single RX queue,
 * runs nf_process on each packet and sends it where the NF says.
 *
 *   <nf> [EAL options] -- [runtime options] [NF options]
 *
 * Runtime options: options.h (--help lists them with the NF's).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dpdk_rules/runtime/cli.h"
#include "dpdk_rules/runtime/port_setup.h"
#include "nflib/nf.h"
#include "nflib/time.h"

#define MAX_BURST RT_MAX_BURST
#define MAX_PORTS RTE_MAX_ETHPORTS

struct port_stats {
  uint64_t rx;
  uint64_t tx;
  uint64_t dropped_by_nf;
  uint64_t flooded;
  uint64_t tx_failed;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signum) {
  (void)signum;
  stop_requested = 1;
}

struct tx_queue {
  struct rte_mbuf *mbufs[MAX_BURST * 2];
  uint16_t count;
};

static void tx_flush(uint16_t port, struct tx_queue *queue, struct port_stats *stats) {
  if (queue->count == 0) return;
  uint16_t sent = rte_eth_tx_burst(port, 0, queue->mbufs, queue->count);
  stats[port].tx += sent;
  for (uint16_t i = sent; i < queue->count; i++) {
    rte_pktmbuf_free(queue->mbufs[i]);
    stats[port].tx_failed++;
  }
  queue->count = 0;
}

static void tx_enqueue(uint16_t port, struct rte_mbuf *mbuf, struct tx_queue *queues,
                       struct port_stats *stats) {
  struct tx_queue *queue = &queues[port];
  if (queue->count == RTE_DIM(queue->mbufs)) tx_flush(port, queue, stats);
  queue->mbufs[queue->count++] = mbuf;
}

/* Sends mbuf to every port but in_port; copies for all but the last. */
static void flood(struct rte_mbuf *mbuf, uint16_t in_port, uint16_t port_count,
                  struct rte_mempool *pool, struct tx_queue *queues, struct port_stats *stats) {
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
      stats[port].tx_failed++;
      continue;
    }
    tx_enqueue(port, copy, queues, stats);
  }
  tx_enqueue((uint16_t)last, mbuf, queues, stats);
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
  uint16_t available = rte_eth_dev_count_avail();
  if (available < port_count) {
    rte_exit(EXIT_FAILURE,
             "%s needs %u ports but DPDK found %u: add devices (e.g. --vdev=net_pcap0,...)\n",
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

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("%s: running on %u ports (lcore %u)\n", nf_name, port_count, rte_lcore_id());
  fflush(stdout);

  static struct port_stats stats[MAX_PORTS];
  static struct tx_queue tx_queues[MAX_PORTS];
  nf_time_t last_rx = nf_time_now();
  while (!stop_requested) {
    uint64_t received_now = 0;
    for (uint16_t in_port = 0; in_port < port_count; in_port++) {
      struct rte_mbuf *burst[MAX_BURST];
      uint16_t received = rte_eth_rx_burst(in_port, 0, burst, opts.burst);
      if (received == 0) continue;
      received_now += received;
      stats[in_port].rx += received;
      nf_time_t now = nf_time_now();
      for (uint16_t i = 0; i < received; i++) {
        struct rte_mbuf *mbuf = burst[i];
        struct nf_packet packet;
        nf_packet_init(&packet, rte_pktmbuf_mtod(mbuf, uint8_t *), rte_pktmbuf_data_len(mbuf));
        int verdict = nf_process(state, &packet, in_port, now);
        if (verdict == NF_DROP) {
          stats[in_port].dropped_by_nf++;
          rte_pktmbuf_free(mbuf);
        } else if (verdict == NF_FLOOD) {
          stats[in_port].flooded++;
          flood(mbuf, in_port, port_count, pool, tx_queues, stats);
        } else if (verdict >= 0 && verdict < port_count) {
          tx_enqueue((uint16_t)verdict, mbuf, tx_queues, stats);
        } else {
          rte_exit(EXIT_FAILURE, "%s returned invalid verdict %d for a packet on port %u\n",
                   nf_name, verdict, in_port);
        }
      }
    }
    for (uint16_t port = 0; port < port_count; port++) tx_flush(port, &tx_queues[port], stats);
    if (received_now > 0) {
      last_rx = nf_time_now();
    } else if (opts.idle_exit_ms >= 0 &&
               nf_time_now() - last_rx > opts.idle_exit_ms * NF_NS_PER_MS) {
      break;
    }
  }

  printf("%s: port statistics\n", nf_name);
  printf("%6s %12s %12s %12s %12s %12s\n", "port", "rx", "tx", "nf_dropped", "flooded",
         "tx_failed");
  for (uint16_t port = 0; port < port_count; port++) {
    printf("%6u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", port,
           stats[port].rx, stats[port].tx, stats[port].dropped_by_nf, stats[port].flooded,
           stats[port].tx_failed);
  }
  for (uint16_t port = 0; port < port_count; port++) {
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
  }
  rte_eal_cleanup();
  return 0;
}
