#ifndef NFPAR_FAKE_UNISTD_H
#define NFPAR_FAKE_UNISTD_H
#include <getopt.h>
#endif
