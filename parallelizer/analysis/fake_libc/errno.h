#ifndef NFPAR_FAKE_ERRNO_H
#define NFPAR_FAKE_ERRNO_H
extern int errno;
#define ERANGE 34
#define EINVAL 22
#endif
