/* Parsers for NF command-line values. Each returns true and sets *out, or
 * returns false and writes one line into err naming the option, the value and
 * what is expected, e.g.
 *   invalid value 'abc' for --max-flows: expected an integer in [1, 16777216]
 */
#ifndef NFS_COMMON_OPTIONS_H
#define NFS_COMMON_OPTIONS_H

#include <stdio.h>

#include "nflib/packet.h"
#include "nflib/types.h"

/* snprintf into err (when err_len > 0); always returns false, for `return nf_opt_fail(...)`. */
bool nf_opt_fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*@ requires \valid_read(option) && \valid_read(value) && min <= max;
    ensures \result ==> min <= *out <= max; */
bool nf_opt_parse_u64(const char *option, const char *value, uint64_t min, uint64_t max,
                      uint64_t *out, char *err, size_t err_len);

/* An integer with an optional decimal suffix K (1e3), M (1e6) or G (1e9), e.g.
 * "1500", "10M". */
bool nf_opt_parse_scaled_u64(const char *option, const char *value, uint64_t min, uint64_t max,
                             uint64_t *out, char *err, size_t err_len);

/* A power of two in [min, max] (map capacities). */
bool nf_opt_parse_pow2(const char *option, const char *value, uint64_t min, uint64_t max,
                       uint64_t *out, char *err, size_t err_len);

/* A duration: an integer with unit ns, us, ms or s ("250ms"); a bare integer is
 * seconds. Must be > 0 and at most one year. */
bool nf_opt_parse_duration(const char *option, const char *value, nf_time_t *out, char *err,
                           size_t err_len);

/* A dotted-quad IPv4 address, returned in host byte order. */
bool nf_opt_parse_ipv4(const char *option, const char *value, uint32_t *out, char *err,
                       size_t err_len);

/* An IPv6 address in any RFC 4291 text form (2001:db8::1, ::ffff:10.0.0.1),
 * returned in network byte order. */
bool nf_opt_parse_ipv6(const char *option, const char *value, struct nf_ipv6_addr *out, char *err,
                       size_t err_len);

/* A MAC address written as six colon-separated hex bytes (02:00:00:00:00:01). */
bool nf_opt_parse_mac(const char *option, const char *value, struct nf_mac *out, char *err,
                      size_t err_len);

/* Message for what getopt_long returned when it is not one of the NF's options
 * (called with opterr = 0 and an optstring starting with "+:"): ':' means the
 * option at argv[optind - 1] lacks its value, anything else an unknown option.
 * Always returns false. */
bool nf_opt_getopt_error(int opt, char **argv, int optind_now, char *err, size_t err_len);

/* Two port roles that must differ: false with a message naming both options. */
bool nf_opt_check_distinct_ports(const char *option_a, uint64_t a, const char *option_b, uint64_t b,
                                 char *err, size_t err_len);

#endif /* NFS_COMMON_OPTIONS_H */
