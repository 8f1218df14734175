#ifndef NFPAR_FAKE_STDDEF_H
#define NFPAR_FAKE_STDDEF_H
#include "_fake_common.h"
#define offsetof(type, member) ((size_t) & ((type *)0)->member)
#endif
