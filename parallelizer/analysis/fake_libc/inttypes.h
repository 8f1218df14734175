#ifndef NFPAR_FAKE_INTTYPES_H
#define NFPAR_FAKE_INTTYPES_H
#include <stdint.h>
#define PRIu8 "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIu64 "lu"
#define PRId32 "d"
#define PRId64 "ld"
#define PRIx32 "x"
#define PRIx64 "lx"
#endif
