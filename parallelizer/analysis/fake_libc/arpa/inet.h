#ifndef NFPAR_FAKE_ARPA_INET_H
#define NFPAR_FAKE_ARPA_INET_H
#include <stdint.h>
int inet_pton(int af, const char *src, void *dst);
#define AF_INET 2
#endif
