/* Drives an NF (the one linked into the test) through nf.h with controlled
 * time: parse options from a string, create state, send frames. */
#ifndef NFS_TESTING_NF_HARNESS_H
#define NFS_TESTING_NF_HARNESS_H

#include "nflib/nf.h"
#include "nfs/testing/packets.h"

#define TEST_ERR_LEN 512

/* Splits args at spaces into argv (argv[0] = nf_name) and calls nf_config_parse.
 * On failure returns NULL with the message in err (TEST_ERR_LEN bytes). */
struct nf_config *test_parse(const char *args, char *err);

/* Parses args and creates the state; aborts the test binary with the message
 * when either fails (a test setup error, not a checked behaviour). */
struct nf_state *test_create(const char *args);

/* nf_process on f->pkt. */
int test_send(struct nf_state *state, struct test_frame *f, uint16_t in_port, nf_time_t now);

#define TEST_SEC 1000000000LL
#define TEST_MS 1000000LL

#endif /* NFS_TESTING_NF_HARNESS_H */
