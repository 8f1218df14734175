/* The interface every NF implements; runtimes (DPDK, in-memory, parallel) call it.
 *
 * An NF keeps all of its state in a struct nf_state it defines, built only from
 * nflib primitives in nf_state_create, and touches it in nf_process only through
 * nflib calls. The analyzer reads exactly these two functions. */
#ifndef NFLIB_NF_H
#define NFLIB_NF_H

#include <stdio.h>

#include "nflib/packet.h"
#include "nflib/types.h"

struct nf_config; /* defined by each NF */
struct nf_state;  /* defined by each NF */

/* Name of the NF, for logs and statistics. */
extern const char *const nf_name;

/* Parses the NF's own arguments (those after the runtime's). Returns NULL and
 * writes a one-line message naming the bad option and value into err on error. */
struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len);

/* Writes the NF's option summary. */
void nf_config_usage(FILE *out);

/* Number of ports the NF expects (its port roles come from the config). */
uint16_t nf_port_count(const struct nf_config *cfg);

/* Allocates and initialises all state. Returns NULL (with a message in err)
 * when memory is short or a configured capacity is invalid. */
struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len);

/* Processes one packet that arrived on in_port at time now; returns the output
 * port, NF_DROP or NF_FLOOD (every port but in_port). May rewrite the packet. */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now);

#endif /* NFLIB_NF_H */
