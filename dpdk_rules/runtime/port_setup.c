#include "dpdk_rules/runtime/port_setup.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#define RX_DESCRIPTORS 1024
#define TX_DESCRIPTORS 1024

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
             "--key_length=%u",
             port, info->driver_name, info->hash_key_size, rss->key_len, info->hash_key_size);
    return -1;
  }
  if ((info->flow_type_rss_offloads & rss->rss_hf) != rss->rss_hf) {
    snprintf(err, err_len,
             "port %u (%s) cannot hash the fields the plan needs: rss_hf 0x%" PRIx64
             " requested, 0x%" PRIx64 " supported (missing 0x%" PRIx64 ")",
             port, info->driver_name, rss->rss_hf, info->flow_type_rss_offloads,
             rss->rss_hf & ~info->flow_type_rss_offloads);
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
             "re-plan with --reta_size=%u",
             port, info->driver_name, info->reta_size, rss->reta_size, info->reta_size);
    return -1;
  }
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
  ret = rte_eth_dev_configure(port, config->rx_queues, config->tx_queues, &port_conf);
  if (ret != 0) {
    snprintf(err, err_len, "port %u (%s): configuration refused: %s", port, info.driver_name,
             rte_strerror(-ret));
    return -1;
  }
  int socket = rte_eth_dev_socket_id(port);
  for (uint16_t q = 0; q < config->rx_queues; q++) {
    ret = rte_eth_rx_queue_setup(port, q, RX_DESCRIPTORS, socket, NULL, config->pool);
    if (ret != 0) {
      snprintf(err, err_len, "port %u: RX queue %u setup failed: %s", port, q, rte_strerror(-ret));
      return -1;
    }
  }
  for (uint16_t q = 0; q < config->tx_queues; q++) {
    ret = rte_eth_tx_queue_setup(port, q, TX_DESCRIPTORS, socket, NULL);
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
