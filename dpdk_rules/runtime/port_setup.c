#include "dpdk_rules/runtime/port_setup.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dpdk_rules/runtime/options.h"

#define RX_DESCRIPTORS 1024
#define TX_DESCRIPTORS 1024
/* Per-lcore mempool cache; an lcore's cache holds up to 1.5 times this. */
#define POOL_CACHE 256
#define POOL_DATA_ROOM RTE_MBUF_DEFAULT_BUF_SIZE

/* The descriptor counts of port's queues: ours, within the driver's limits. */
static void port_descriptors(uint16_t port, uint16_t *rx, uint16_t *tx) {
  *rx = RX_DESCRIPTORS;
  *tx = TX_DESCRIPTORS;
  if (rte_eth_dev_adjust_nb_rx_tx_desc(port, rx, tx) != 0) {
    *rx = RX_DESCRIPTORS;
    *tx = TX_DESCRIPTORS;
  }
}

unsigned port_pool_mbufs(const struct port_pool_demand *demand) {
  uint64_t mbufs = 0;
  for (uint16_t port = 0; port < demand->ports; port++) {
    uint16_t rx, tx;
    port_descriptors(port, &rx, &tx);
    mbufs += (uint64_t)demand->queues * (rx + tx);
  }
  mbufs += (uint64_t)demand->lcores * (demand->per_lcore + POOL_CACHE * 3 / 2);
  return mbufs > UINT32_MAX ? UINT32_MAX : (unsigned)mbufs;
}

struct rte_mempool *port_pool_create(const struct port_pool_demand *demand, char *err,
                                     size_t err_len) {
  unsigned mbufs = port_pool_mbufs(demand);
  struct rte_mempool *pool =
      rte_pktmbuf_pool_create("mbufs", mbufs, POOL_CACHE, 0, POOL_DATA_ROOM, rte_socket_id());
  if (pool != NULL) return pool;
  int error = rte_errno;
  struct rte_mempool_objsz size;
  uint32_t object = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) + POOL_DATA_ROOM, 0, &size);
  uint64_t bytes = (uint64_t)mbufs * object;
  uint64_t mib = (bytes + (1u << 20) - 1) >> 20;
  /* The EAL and the NF's state need memory too: suggest the pool plus 64 MB,
   * in multiples of 64. */
  uint64_t suggest = (mib + 64 + 63) / 64 * 64;
  snprintf(err, err_len,
           "cannot create the mbuf pool: %u mbufs (%u ports x %u queues x RX+TX descriptors, "
           "%u lcores) of %u bytes need %" PRIu64
           " MiB: %s; give DPDK more memory: "
           "-m %" PRIu64
           " with --no-huge, or reserve hugepages on a real NIC "
           "(dpdk-hugepages.py --setup %" PRIu64 "M)",
           mbufs, demand->ports, demand->queues, demand->lcores, object, mib, rte_strerror(error),
           suggest, suggest);
  return NULL;
}

static int program_reta(uint16_t port, const struct rte_eth_dev_info *info,
                        const struct port_rss_config *rss, char *err, size_t err_len) {
  /* Sizes were validated by port_check_capabilities. The plan's RETA is
   * replicated over the port's own RETA size, so entry i of the port maps to plan
   * entry i mod plan_size: the queue of a hash does not change as long as the
   * plan's RETA size divides the port's. */
  struct rte_eth_rss_reta_entry64 reta_conf[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
  memset(reta_conf, 0, sizeof(reta_conf));
  for (uint16_t i = 0; i < info->reta_size; i++) {
    reta_conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
    reta_conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
        rss->reta[i % rss->reta_size];
  }
  int ret = rte_eth_dev_rss_reta_update(port, reta_conf, info->reta_size);
  if (ret != 0) {
    snprintf(err, err_len, "port %u (%s) refused the RETA (%u entries): %s", port,
             info->driver_name, info->reta_size, rte_strerror(-ret));
    return -1;
  }
  return 0;
}

/* The rss_hf bits a plan may set, by DPDK name (parallelizer/schema/rss_hf.py
 * owns the plan side; dpdk_main.c asserts the values agree). */
static const struct {
  uint64_t bit;
  const char *name;
} RSS_HF_NAMES[] = {
    {RTE_ETH_RSS_IPV4, "RTE_ETH_RSS_IPV4"},
    {RTE_ETH_RSS_FRAG_IPV4, "RTE_ETH_RSS_FRAG_IPV4"},
    {RTE_ETH_RSS_NONFRAG_IPV4_TCP, "RTE_ETH_RSS_NONFRAG_IPV4_TCP"},
    {RTE_ETH_RSS_NONFRAG_IPV4_UDP, "RTE_ETH_RSS_NONFRAG_IPV4_UDP"},
    {RTE_ETH_RSS_NONFRAG_IPV4_OTHER, "RTE_ETH_RSS_NONFRAG_IPV4_OTHER"},
    {RTE_ETH_RSS_IPV6, "RTE_ETH_RSS_IPV6"},
    {RTE_ETH_RSS_FRAG_IPV6, "RTE_ETH_RSS_FRAG_IPV6"},
    {RTE_ETH_RSS_NONFRAG_IPV6_TCP, "RTE_ETH_RSS_NONFRAG_IPV6_TCP"},
    {RTE_ETH_RSS_NONFRAG_IPV6_UDP, "RTE_ETH_RSS_NONFRAG_IPV6_UDP"},
    {RTE_ETH_RSS_NONFRAG_IPV6_OTHER, "RTE_ETH_RSS_NONFRAG_IPV6_OTHER"},
    {RTE_ETH_RSS_IPV6_EX, "RTE_ETH_RSS_IPV6_EX"},
    {RTE_ETH_RSS_IPV6_TCP_EX, "RTE_ETH_RSS_IPV6_TCP_EX"},
    {RTE_ETH_RSS_IPV6_UDP_EX, "RTE_ETH_RSS_IPV6_UDP_EX"},
    {RTE_ETH_RSS_L3_SRC_ONLY, "RTE_ETH_RSS_L3_SRC_ONLY"},
    {RTE_ETH_RSS_L3_DST_ONLY, "RTE_ETH_RSS_L3_DST_ONLY"},
    {RTE_ETH_RSS_L4_SRC_ONLY, "RTE_ETH_RSS_L4_SRC_ONLY"},
    {RTE_ETH_RSS_L4_DST_ONLY, "RTE_ETH_RSS_L4_DST_ONLY"},
};

#define RSS_IPV6_TYPES                                                                   \
  (RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP |             \
   RTE_ETH_RSS_NONFRAG_IPV6_UDP | RTE_ETH_RSS_NONFRAG_IPV6_OTHER | RTE_ETH_RSS_IPV6_EX | \
   RTE_ETH_RSS_IPV6_TCP_EX | RTE_ETH_RSS_IPV6_UDP_EX)

/* "RTE_ETH_RSS_A | RTE_ETH_RSS_B" for the bits of hf (unnamed bits as hex). */
static void rss_hf_names(uint64_t hf, char *out, size_t out_len) {
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof(RSS_HF_NAMES) / sizeof(RSS_HF_NAMES[0]) && n < out_len; i++) {
    if ((hf & RSS_HF_NAMES[i].bit) == 0) continue;
    n += (size_t)snprintf(out + n, out_len - n, "%s%s", n ? " | " : "", RSS_HF_NAMES[i].name);
    hf &= ~RSS_HF_NAMES[i].bit;
  }
  if (hf != 0 && n < out_len) snprintf(out + n, out_len - n, "%s0x%" PRIx64, n ? " | " : "", hf);
}

int port_check_capabilities(uint16_t port, const struct rte_eth_dev_info *info,
                            const struct port_queue_config *config, char *err, size_t err_len) {
  if (config->rx_queues > info->max_rx_queues || config->tx_queues > info->max_tx_queues) {
    snprintf(err, err_len,
             "port %u (%s) supports %u RX / %u TX queues; %u RX / %u TX are needed (one per "
             "worker): use fewer workers",
             port, info->driver_name, info->max_rx_queues, info->max_tx_queues, config->rx_queues,
             config->tx_queues);
    return -1;
  }
  const struct port_rss_config *rss = config->rss;
  if (rss == NULL) return 0;
  /* hash_key_size 0: the driver does not say (virtual devices); the configure
   * call is then the judge. */
  if (info->hash_key_size != 0 && info->hash_key_size != rss->key_len) {
    snprintf(err, err_len,
             "port %u (%s) takes %u-byte RSS keys but the plan has a %u-byte key: re-plan with "
             "key_length = %u in the NF's nf_package (nfs/<nf>/BUILD.bazel), or the planner's "
             "--key_length=%u",
             port, info->driver_name, info->hash_key_size, rss->key_len, info->hash_key_size,
             info->hash_key_size);
    return -1;
  }
  if ((info->flow_type_rss_offloads & rss->rss_hf) != rss->rss_hf) {
    uint64_t missing = rss->rss_hf & ~info->flow_type_rss_offloads;
    char names[256];
    rss_hf_names(missing, names, sizeof(names));
    snprintf(err, err_len,
             "port %u (%s) cannot hash the fields the plan needs: rss_hf 0x%" PRIx64
             " requested, 0x%" PRIx64 " supported (missing 0x%" PRIx64
             ": %s). Without them the NIC hashes those packets on fewer fields (or not at "
             "all), and packets the plan's key keeps on one core could reach different "
             "cores; use a port whose driver reports them in flow_type_rss_offloads%s",
             port, info->driver_name, rss->rss_hf, info->flow_type_rss_offloads, missing, names,
             (missing & RSS_IPV6_TYPES) != 0
                 ? " (the plan has IPv6 types because the NF's paths handle IPv6 packets: "
                   "docs/SHARDING.md, \"IPv6\")"
                 : "");
    return -1;
  }
  if (info->reta_size == 0) {
    snprintf(err, err_len, "port %u (%s) has no RSS redirection table; the plan needs one", port,
             info->driver_name);
    return -1;
  }
  if (info->reta_size > RTE_ETH_RSS_RETA_SIZE_512) {
    snprintf(err, err_len, "port %u (%s): RETA size %u is larger than supported (512)", port,
             info->driver_name, info->reta_size);
    return -1;
  }
  if (rss->reta_size == 0 || info->reta_size % rss->reta_size != 0) {
    snprintf(err, err_len,
             "port %u (%s): RETA size %u is not a multiple of the plan's RETA size %u; "
             "re-plan with reta_size = %u in the NF's nf_package (nfs/<nf>/BUILD.bazel), or the "
             "planner's --reta_size=%u",
             port, info->driver_name, info->reta_size, rss->reta_size, info->reta_size,
             info->reta_size);
    return -1;
  }
  return 0;
}

_Static_assert(RT_L2_OVERHEAD == RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN, "frame = MTU + L2 overhead");

/* --mtu: the MTU, and RX scatter when a frame would not fit one mbuf. Chained
 * mbufs (from scatter, or from drivers such as net_pcap that chain long frames
 * on their own) are sent with TX multi-segment support where the device has it. */
static int set_frame_size(uint16_t port, const struct rte_eth_dev_info *info,
                          const struct port_queue_config *config, struct rte_eth_conf *conf,
                          char *err, size_t err_len) {
  const bool multi_seg_tx = (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
  if (multi_seg_tx) conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
  if (config->mtu == 0) return 0;
  if (config->mtu < info->min_mtu || config->mtu > info->max_mtu) {
    snprintf(err, err_len, "port %u (%s): --mtu=%u is outside the device's MTU range %u..%u", port,
             info->driver_name, config->mtu, info->min_mtu, info->max_mtu);
    return -1;
  }
  conf->rxmode.mtu = config->mtu;
  uint32_t frame = config->mtu + RT_L2_OVERHEAD;
  uint32_t room = rte_pktmbuf_data_room_size(config->pool) - RTE_PKTMBUF_HEADROOM;
  if (frame <= room) return 0;
  if ((info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) == 0 || !multi_seg_tx) {
    snprintf(err, err_len,
             "port %u (%s): frames of up to %u bytes (--mtu=%u) need %s, which the device does "
             "not support; use --mtu=%u or less",
             port, info->driver_name, frame, config->mtu,
             multi_seg_tx ? "RX scatter over several mbufs" : "multi-segment TX",
             room - RT_L2_OVERHEAD);
    return -1;
  }
  conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
  return 0;
}

int port_setup(uint16_t port, const struct port_queue_config *config, char *err, size_t err_len) {
  struct rte_eth_dev_info info;
  int ret = rte_eth_dev_info_get(port, &info);
  if (ret != 0) {
    snprintf(err, err_len, "port %u: cannot read device info: %s", port, rte_strerror(-ret));
    return -1;
  }
  if (port_check_capabilities(port, &info, config, err, err_len) != 0) return -1;
  struct rte_eth_conf port_conf;
  memset(&port_conf, 0, sizeof(port_conf));
  const struct port_rss_config *rss = config->rss;
  if (rss != NULL) {
    port_conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    port_conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)rss->key;
    port_conf.rx_adv_conf.rss_conf.rss_key_len = rss->key_len;
    port_conf.rx_adv_conf.rss_conf.rss_hf = rss->rss_hf;
  }
  if (set_frame_size(port, &info, config, &port_conf, err, err_len) != 0) return -1;
  ret = rte_eth_dev_configure(port, config->rx_queues, config->tx_queues, &port_conf);
  if (ret != 0) {
    snprintf(err, err_len, "port %u (%s): configuration refused: %s", port, info.driver_name,
             rte_strerror(-ret));
    return -1;
  }
  int socket = rte_eth_dev_socket_id(port);
  uint16_t rx_descriptors, tx_descriptors;
  port_descriptors(port, &rx_descriptors, &tx_descriptors);
  for (uint16_t q = 0; q < config->rx_queues; q++) {
    ret = rte_eth_rx_queue_setup(port, q, rx_descriptors, socket, NULL, config->pool);
    if (ret != 0) {
      snprintf(err, err_len, "port %u: RX queue %u setup failed: %s", port, q, rte_strerror(-ret));
      return -1;
    }
  }
  for (uint16_t q = 0; q < config->tx_queues; q++) {
    ret = rte_eth_tx_queue_setup(port, q, tx_descriptors, socket, NULL);
    if (ret != 0) {
      snprintf(err, err_len, "port %u: TX queue %u setup failed: %s", port, q, rte_strerror(-ret));
      return -1;
    }
  }
  ret = rte_eth_dev_start(port);
  if (ret != 0) {
    snprintf(err, err_len, "port %u (%s): start failed: %s", port, info.driver_name,
             rte_strerror(-ret));
    return -1;
  }
  if (rss != NULL && program_reta(port, &info, rss, err, err_len) != 0) return -1;
  rte_eth_promiscuous_enable(port);
  return 0;
}
