/* Minimal libc declarations for the analyzer (parallelizer/analysis): enough for
 * NF sources to preprocess with -nostdinc and parse with pycparser. */
#ifndef NFPAR_FAKE_COMMON_H
#define NFPAR_FAKE_COMMON_H
typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef struct _nfpar_fake_file FILE;
#define NULL ((void *)0)
#endif
