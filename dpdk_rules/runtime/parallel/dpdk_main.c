/* DPDK runtime of a parallel NF: one worker per lcore (-l), worker k polls RX
 * queue k of every port and transmits on TX queue k; ports get one RX and one
 * TX queue per worker and RSS from the generated nf_parallel_config (key,
 * rss_hf, RETA entry i -> queue i mod workers, replicated over the port's RETA
 * size). The strategy (shared-nothing, locks, tm) comes from the config.
 *
 *   <nf> [EAL options] -- [runtime options] [NF options]
 *
 * Runtime options: ../options.h (--help lists them with the NF's).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dpdk_rules/runtime/parallel/config_util.h"
#include "dpdk_rules/runtime/parallel/exec.h"
#include "dpdk_rules/runtime/parallel/worker_state.h"
#include "dpdk_rules/runtime/cli.h"
#include "dpdk_rules/runtime/mbuf_frame.h"
#include "dpdk_rules/runtime/port_setup.h"
#include "dpdk_rules/runtime/stats.h"
#include "nflib/instance.h"
#include "nflib/nf.h"
#include "nflib/time.h"

_Static_assert(NF_PAR_RSS_IPV4 == RTE_ETH_RSS_IPV4, "rss_hf bits differ from DPDK's");
_Static_assert(NF_PAR_RSS_FRAG_IPV4 == RTE_ETH_RSS_FRAG_IPV4, "rss_hf bits differ from DPDK's");
_Static_assert(NF_PAR_RSS_NONFRAG_IPV4_TCP == RTE_ETH_RSS_NONFRAG_IPV4_TCP, "rss_hf bits");
_Static_assert(NF_PAR_RSS_NONFRAG_IPV4_UDP == RTE_ETH_RSS_NONFRAG_IPV4_UDP, "rss_hf bits");
_Static_assert(NF_PAR_RSS_NONFRAG_IPV4_OTHER == RTE_ETH_RSS_NONFRAG_IPV4_OTHER, "rss_hf bits");
_Static_assert(NF_PAR_RSS_IPV6 == RTE_ETH_RSS_IPV6, "rss_hf bits");
_Static_assert(NF_PAR_RSS_FRAG_IPV6 == RTE_ETH_RSS_FRAG_IPV6, "rss_hf bits");
_Static_assert(NF_PAR_RSS_NONFRAG_IPV6_TCP == RTE_ETH_RSS_NONFRAG_IPV6_TCP, "rss_hf bits");
_Static_assert(NF_PAR_RSS_NONFRAG_IPV6_UDP == RTE_ETH_RSS_NONFRAG_IPV6_UDP, "rss_hf bits");
_Static_assert(NF_PAR_RSS_NONFRAG_IPV6_OTHER == RTE_ETH_RSS_NONFRAG_IPV6_OTHER, "rss_hf bits");
_Static_assert(NF_PAR_RSS_IPV6_EX == RTE_ETH_RSS_IPV6_EX, "rss_hf bits");
_Static_assert(NF_PAR_RSS_IPV6_TCP_EX == RTE_ETH_RSS_IPV6_TCP_EX, "rss_hf bits");
_Static_assert(NF_PAR_RSS_IPV6_UDP_EX == RTE_ETH_RSS_IPV6_UDP_EX, "rss_hf bits");
_Static_assert(NF_PAR_RSS_L3_SRC_ONLY == RTE_ETH_RSS_L3_SRC_ONLY, "rss_hf bits");
_Static_assert(NF_PAR_RSS_L3_DST_ONLY == RTE_ETH_RSS_L3_DST_ONLY, "rss_hf bits");
_Static_assert(NF_PAR_RSS_L4_SRC_ONLY == RTE_ETH_RSS_L4_SRC_ONLY, "rss_hf bits");
_Static_assert(NF_PAR_RSS_L4_DST_ONLY == RTE_ETH_RSS_L4_DST_ONLY, "rss_hf bits");

#define MAX_BURST RT_MAX_BURST
#define MAX_PORTS RT_MAX_PORTS

struct tx_buffer {
  struct rte_mbuf *mbufs[MAX_BURST * 2];
  uint16_t count;
};

/* Everything one worker touches on its fast path, on its own cache lines. */
struct worker {
  struct nf_par_exec exec;
  uint16_t queue;
  struct rt_core_counters counters;
  struct tx_buffer tx[MAX_PORTS];
  struct rt_frame_buffer frame; /* chained frames, copied (mbuf_frame.h) */
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

struct runtime {
  struct rt_options opts;
  uint16_t port_count;
  uint16_t workers;
  struct rte_mempool *pool;
  struct worker *worker;
  struct rt_stats stats;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signum) {
  (void)signum;
  stop_requested = 1;
}

static void tx_flush(struct worker *w, uint16_t port) {
  struct tx_buffer *buffer = &w->tx[port];
  if (buffer->count == 0) return;
  uint16_t sent = rte_eth_tx_burst(port, w->queue, buffer->mbufs, buffer->count);
  RT_COUNT(w->counters.port[port].tx, sent);
  for (uint16_t i = sent; i < buffer->count; i++) rte_pktmbuf_free(buffer->mbufs[i]);
  RT_COUNT(w->counters.port[port].tx_failed, buffer->count - sent);
  buffer->count = 0;
}

static void tx_enqueue(struct worker *w, uint16_t port, struct rte_mbuf *mbuf) {
  struct tx_buffer *buffer = &w->tx[port];
  if (buffer->count == RTE_DIM(buffer->mbufs)) tx_flush(w, port);
  buffer->mbufs[buffer->count++] = mbuf;
}

static void flood(struct runtime *rt, struct worker *w, struct rte_mbuf *mbuf, uint16_t in_port) {
  int last = -1;
  for (uint16_t port = 0; port < rt->port_count; port++) {
    if (port != in_port) last = port;
  }
  if (last < 0) {
    rte_pktmbuf_free(mbuf);
    return;
  }
  for (uint16_t port = 0; port < rt->port_count; port++) {
    if (port == in_port || port == last) continue;
    struct rte_mbuf *copy = rte_pktmbuf_copy(mbuf, rt->pool, 0, UINT32_MAX);
    if (copy == NULL) {
      RT_COUNT(w->counters.port[port].tx_failed, 1);
      continue;
    }
    tx_enqueue(w, port, copy);
  }
  tx_enqueue(w, (uint16_t)last, mbuf);
}

static int worker_main(void *arg) {
  struct runtime *rt = arg;
  unsigned index = rte_lcore_index((int)rte_lcore_id());
  struct worker *w = &rt->worker[index];
  nf_par_exec_attach(&w->exec);
  /* The main lcore, a worker too, prints the periodic statistics. */
  const bool prints_stats = rte_lcore_id() == rte_get_main_lcore();
  nf_time_t last_rx = nf_time_now();
  while (!stop_requested) {
    uint64_t received_now = 0;
    for (uint16_t in_port = 0; in_port < rt->port_count; in_port++) {
      struct rte_mbuf *burst[MAX_BURST];
      uint16_t received = rte_eth_rx_burst(in_port, w->queue, burst, rt->opts.burst);
      if (received == 0) continue;
      received_now += received;
      struct rt_port_counters *in = &w->counters.port[in_port];
      RT_COUNT(in->rx, received);
      nf_time_t now = nf_time_now();
      for (uint16_t i = 0; i < received; i++) {
        struct rte_mbuf *mbuf = burst[i];
        uint8_t *data;
        uint32_t len;
        if (!rt_frame_view(mbuf, &w->frame, &data, &len)) {
          RT_COUNT(in->too_long, 1);
          rte_pktmbuf_free(mbuf);
          continue;
        }
        struct nf_packet packet;
        nf_packet_init(&packet, data, len);
        int verdict = nf_par_exec_process(&w->exec, &packet, in_port, now);
        if (verdict == NF_DROP) {
          RT_COUNT(in->nf_dropped, 1);
          rte_pktmbuf_free(mbuf);
          continue;
        }
        rt_frame_write_back(mbuf, data);
        if (verdict == NF_FLOOD) {
          RT_COUNT(in->flooded, 1);
          flood(rt, w, mbuf, in_port);
        } else if (verdict >= 0 && verdict < rt->port_count) {
          tx_enqueue(w, (uint16_t)verdict, mbuf);
        } else {
          rte_exit(EXIT_FAILURE, "%s returned invalid verdict %d for a packet on port %u\n",
                   nf_name, verdict, in_port);
        }
      }
    }
    for (uint16_t port = 0; port < rt->port_count; port++) tx_flush(w, port);
    if (prints_stats) rt_stats_poll(&rt->stats, rte_get_timer_cycles());
    if (received_now > 0) {
      last_rx = nf_time_now();
    } else if (rt->opts.idle_exit_ms >= 0 &&
               nf_time_now() - last_rx > rt->opts.idle_exit_ms * NF_NS_PER_MS) {
      break;
    }
  }
  nf_par_exec_detach(&w->exec);
  return 0;
}

static void setup_ports(struct runtime *rt, uint16_t *reta) {
  char err[512];
  nf_par_run_reta(&nf_parallel_config, reta, rt->workers);
  for (uint16_t port = 0; port < rt->port_count; port++) {
    struct port_rss_config rss;
    const struct nf_par_rss_port *plan_rss = nf_par_rss_for_port(&nf_parallel_config, port);
    struct port_queue_config queues = {.rx_queues = rt->workers,
                                       .tx_queues = rt->workers,
                                       .pool = rt->pool,
                                       .rss = NULL,
                                       .mtu = rt->opts.mtu};
    if (!rt->opts.no_rss && plan_rss != NULL) {
      rss.key = plan_rss->key;
      rss.key_len = plan_rss->key_len;
      rss.rss_hf = plan_rss->rss_hf;
      rss.reta = reta;
      rss.reta_size = nf_parallel_config.reta_size;
      queues.rss = &rss;
    } else if (!rt->opts.no_rss && rt->workers > 1) {
      rte_exit(EXIT_FAILURE,
               "port %u: the plan has no RSS key for it, so %u workers cannot share its "
               "traffic; re-plan or pass --no-rss with traffic already split per queue\n",
               port, rt->workers);
    }
    if (port_setup(port, &queues, err, sizeof(err)) != 0) {
      rte_exit(EXIT_FAILURE, "%s%s\n", err,
               queues.rss != NULL ? " (for devices without RSS, e.g. net_pcap, pass --no-rss and "
                                    "feed each queue its share of the traffic)"
                                  : "");
    }
  }
}

static void create_states(struct runtime *rt, struct nf_config *cfg, enum nf_par_strategy strategy,
                          struct nf_par_shared *shared) {
  char err[512] = "";
  struct nf_state *shared_state = NULL;
  if (strategy != NF_PAR_SHARED_NOTHING && strategy != NF_PAR_HYBRID) {
    shared_state = nf_state_create(cfg, err, sizeof(err));
    if (shared_state == NULL)
      rte_exit(EXIT_FAILURE, "%s: state creation failed: %s\n", nf_name, err);
  }
  for (uint16_t k = 0; k < rt->workers; k++) {
    struct nf_state *state = shared_state;
    if (strategy == NF_PAR_SHARED_NOTHING) {
      state =
          nf_par_worker_state_create(&nf_parallel_config, cfg, k, rt->workers, err, sizeof(err));
    } else if (strategy == NF_PAR_HYBRID) {
      state = nf_par_worker_state_create_hybrid(&nf_parallel_config, cfg, k, rt->workers,
                                                &shared->objects, err, sizeof(err));
    }
    if (state == NULL) {
      rte_exit(EXIT_FAILURE, "%s: worker %u: state creation failed: %s\n", nf_name, k, err);
    }
    nf_par_exec_init(&rt->worker[k].exec, strategy, k, state, shared);
    rt->worker[k].queue = k;
  }
  if (strategy == NF_PAR_HYBRID &&
      nf_par_shared_objects_seal(&nf_parallel_config, &shared->objects, err, sizeof(err)) != 0)
    rte_exit(EXIT_FAILURE, "%s: %s\n", nf_name, err);
}

static void print_statistics(struct runtime *rt) {
  rt_stats_print_ports(&rt->stats, nf_name);
  printf("%s: per-core statistics\n", nf_name);
  printf("%6s %6s %12s %12s %12s %12s %12s %12s %12s %12s\n", "worker", "lcore", "rx", "tx",
         "nf_dropped", "read_only", "write_rerun", "tm_commit", "tm_abort", "tm_fallback");
  unsigned lcore;
  uint16_t k = 0;
  RTE_LCORE_FOREACH(lcore) {
    if (k >= rt->workers) break;
    const struct worker *w = &rt->worker[k];
    uint64_t rx = 0, tx = 0, dropped = 0;
    for (uint16_t port = 0; port < rt->port_count; port++) {
      rx += w->counters.port[port].rx;
      tx += w->counters.port[port].tx;
      dropped += w->counters.port[port].nf_dropped;
    }
    const struct nf_par_worker_stats *s = &w->exec.stats;
    printf("%6u %6u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
           " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
           k, lcore, rx, tx, dropped, s->read_only, s->write_reruns, s->tm.commits, s->tm.aborts,
           s->tm.fallbacks);
    k++;
  }
  printf("%s: deferred refreshes per worker:", nf_name);
  for (k = 0; k < rt->workers; k++)
    printf(" %" PRIu64, rt->worker[k].exec.stats.deferred_refreshes);
  printf("\n");
  printf("%s: read-locked packets that wrote own objects per worker (hybrid):", nf_name);
  for (k = 0; k < rt->workers; k++) printf(" %" PRIu64, rt->worker[k].exec.stats.private_writes);
  printf("\n");
}

int main(int argc, char **argv) {
  static struct runtime rt;
  struct rt_cli cli;
  rt_cli_parse(argc, argv, RT_PARALLEL, &cli);
  rt.opts = cli.opts;
  struct nf_config *cfg = cli.cfg;
  if (rte_eal_init(argc, argv) < 0)
    rte_exit(EXIT_FAILURE, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));

  char err[512] = "";
  rt.port_count = nf_port_count(cfg);
  if (rt.port_count > MAX_PORTS)
    rte_exit(EXIT_FAILURE, "%s: at most %d ports\n", nf_name, MAX_PORTS);
  uint16_t available = rte_eth_dev_count_avail();
  if (available < rt.port_count) {
    rte_exit(EXIT_FAILURE,
             "%s needs %u ports but DPDK found %u: add devices (-a PCI or --vdev=net_pcap0,...); "
             "a device that failed to start is named above\n",
             nf_name, rt.port_count, available);
  }
  rt.workers = (uint16_t)rte_lcore_count();
  enum nf_par_strategy strategy = nf_parallel_config.strategy;
  if (nf_par_check(&nf_parallel_config, strategy, rt.workers, rt.port_count, err, sizeof(err)) !=
      0) {
    rte_exit(EXIT_FAILURE, "%s (%s): %s\n", nf_name, nf_par_strategy_name(strategy), err);
  }
  rt.worker = rte_zmalloc("workers", sizeof(struct worker) * rt.workers, NF_PAR_CACHE_LINE);
  if (rt.worker == NULL) rte_exit(EXIT_FAILURE, "cannot allocate worker contexts\n");

  /* A worker holds a burst and its TX buffers (flood copies included). */
  const struct port_pool_demand demand = {
      .ports = rt.port_count,
      .queues = rt.workers,
      .lcores = rt.workers,
      .per_lcore = MAX_BURST + rt.port_count * (uint32_t)RTE_DIM(((struct tx_buffer *)0)->mbufs)};
  rt.pool = port_pool_create(&demand, err, sizeof(err));
  if (rt.pool == NULL) rte_exit(EXIT_FAILURE, "%s\n", err);

  static uint16_t reta[NF_PAR_MAX_RETA];
  setup_ports(&rt, reta);

  static struct nf_par_shared shared;
  nf_par_shared_init(&shared, rt.workers,
                     nf_par_tm_choose_mode(rt.opts.tm_force_fallback, rt.opts.tm_emulate),
                     rt.opts.tm_retries);
  create_states(&rt, cfg, strategy, &shared);

  rt_stats_init(&rt.stats, rt.port_count, rt.workers, rt.opts.stats_interval_ms);
  unsigned lcore;
  uint16_t k = 0;
  RTE_LCORE_FOREACH(lcore) {
    /* worker_main finds its worker by rte_lcore_index, the order of this loop. */
    if (k < rt.workers) rt_stats_set_core(&rt.stats, k, lcore, &rt.worker[k].counters);
    k++;
  }
  int telemetry = rt_stats_register_telemetry(&rt.stats);
  if (telemetry != 0) {
    printf("%s: telemetry commands not registered: %s\n", nf_name, rte_strerror(-telemetry));
  }

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  const bool tm = strategy == NF_PAR_TRANSACTIONAL_MEMORY;
  printf("%s: %s on %u workers, %u ports%s%s%s\n", nf_name, nf_par_strategy_name(strategy),
         rt.workers, rt.port_count, rt.opts.no_rss ? " (RSS off: input split per queue)" : "",
         tm ? ", TM path: " : "", tm ? nf_par_tm_path_text(shared.tm.mode) : "");
  fflush(stdout);

  rte_eal_mp_remote_launch(worker_main, &rt, CALL_MAIN);
  rte_eal_mp_wait_lcore();

  print_statistics(&rt);
  for (uint16_t port = 0; port < rt.port_count; port++) {
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
  }
  rte_eal_cleanup();
  return 0;
}
