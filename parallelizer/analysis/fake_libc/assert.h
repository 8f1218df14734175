#ifndef NFPAR_FAKE_ASSERT_H
#define NFPAR_FAKE_ASSERT_H
#define assert(x) ((void)0)
#endif
