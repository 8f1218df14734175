/* Software RSS dispatch of the in-memory runtime (inmem_queue.h). */
#include <stdlib.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/inmem/inmem_queue.h"
#include "dpdk_rules/runtime/parallel/config_util.h"
#include "dpdk_rules/runtime/parallel/softrss.h"

void inmem_dispatch(const struct inmem_input *input, uint16_t workers, struct inmem_queue *queues) {
  static uint16_t reta[NF_PAR_MAX_RETA];
  nf_par_run_reta(&nf_parallel_config, reta, workers);
  uint32_t *counts = calloc(workers, sizeof(uint32_t));
  uint16_t *queue_of = malloc(sizeof(uint16_t) * (input->count ? input->count : 1));
  if (counts == NULL || queue_of == NULL) inmem_die("out of memory");
  for (uint32_t i = 0; i < input->count; i++) {
    const struct inmem_packet *p = &input->packets[i];
    uint16_t queue = 0;
    /* One worker takes everything: no key needed (the sequential reference). */
    if (workers > 1) {
      const struct nf_par_rss_port *rss = nf_par_rss_for_port(&nf_parallel_config, p->port);
      if (rss == NULL)
        inmem_die("the plan has no RSS key for port %u: cannot split its traffic", p->port);
      queue = nf_par_rss_queue(rss, reta, nf_parallel_config.reta_size, p->pristine, p->len);
    }
    queue_of[i] = queue;
    counts[queue]++;
  }
  for (uint16_t k = 0; k < workers; k++) {
    queues[k].index = malloc(sizeof(uint32_t) * (counts[k] ? counts[k] : 1));
    if (queues[k].index == NULL) inmem_die("out of memory");
    queues[k].len = 0;
  }
  for (uint32_t i = 0; i < input->count; i++) {
    struct inmem_queue *q = &queues[queue_of[i]];
    q->index[q->len++] = i;
  }
  free(counts);
  free(queue_of);
}
