#include "nfs/common/options.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_YEAR (365LL * 24 * 3600 * 1000000000LL)

bool nf_opt_fail(char *err, size_t err_len, const char *fmt, ...) {
  if (err != NULL && err_len > 0) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(err, err_len, fmt, args);
    va_end(args);
  }
  return false;
}

/* Digits only (no sign, no spaces), at most UINT64_MAX; *end is past the digits. */
static bool parse_digits(const char *value, uint64_t *out, const char **end) {
  if (!isdigit((unsigned char)value[0])) return false;
  errno = 0;
  char *stop = NULL;
  unsigned long long parsed = strtoull(value, &stop, 10);
  if (errno == ERANGE) return false;
  *out = parsed;
  *end = stop;
  return true;
}

bool nf_opt_parse_u64(const char *option, const char *value, uint64_t min, uint64_t max,
                      uint64_t *out, char *err, size_t err_len) {
  uint64_t parsed = 0;
  const char *end = NULL;
  if (!parse_digits(value, &parsed, &end) || *end != '\0' || parsed < min || parsed > max) {
    return nf_opt_fail(err, err_len,
                       "invalid value '%s' for %s: expected an integer in [%llu, %llu]", value,
                       option, (unsigned long long)min, (unsigned long long)max);
  }
  *out = parsed;
  return true;
}

bool nf_opt_parse_scaled_u64(const char *option, const char *value, uint64_t min, uint64_t max,
                             uint64_t *out, char *err, size_t err_len) {
  uint64_t parsed = 0;
  const char *end = NULL;
  bool ok = parse_digits(value, &parsed, &end);
  uint64_t scale = 1;
  if (ok && *end != '\0') {
    if (strcmp(end, "K") == 0 || strcmp(end, "k") == 0) {
      scale = 1000ULL;
    } else if (strcmp(end, "M") == 0) {
      scale = 1000000ULL;
    } else if (strcmp(end, "G") == 0) {
      scale = 1000000000ULL;
    } else {
      ok = false;
    }
  }
  if (ok && parsed > UINT64_MAX / scale) ok = false;
  if (ok) parsed *= scale;
  if (!ok || parsed < min || parsed > max) {
    return nf_opt_fail(err, err_len,
                       "invalid value '%s' for %s: expected an integer in [%llu, %llu], "
                       "optionally with suffix K, M or G",
                       value, option, (unsigned long long)min, (unsigned long long)max);
  }
  *out = parsed;
  return true;
}

bool nf_opt_parse_pow2(const char *option, const char *value, uint64_t min, uint64_t max,
                       uint64_t *out, char *err, size_t err_len) {
  uint64_t parsed = 0;
  const char *end = NULL;
  if (!parse_digits(value, &parsed, &end) || *end != '\0' || parsed < min || parsed > max ||
      (parsed & (parsed - 1)) != 0) {
    return nf_opt_fail(err, err_len,
                       "invalid value '%s' for %s: expected a power of two in [%llu, %llu]", value,
                       option, (unsigned long long)min, (unsigned long long)max);
  }
  *out = parsed;
  return true;
}

bool nf_opt_parse_duration(const char *option, const char *value, nf_time_t *out, char *err,
                           size_t err_len) {
  uint64_t parsed = 0;
  const char *end = NULL;
  bool ok = parse_digits(value, &parsed, &end);
  uint64_t unit_ns = 0;
  if (ok) {
    if (*end == '\0' || strcmp(end, "s") == 0) {
      unit_ns = 1000000000ULL;
    } else if (strcmp(end, "ms") == 0) {
      unit_ns = 1000000ULL;
    } else if (strcmp(end, "us") == 0) {
      unit_ns = 1000ULL;
    } else if (strcmp(end, "ns") == 0) {
      unit_ns = 1ULL;
    } else {
      ok = false;
    }
  }
  if (ok && (parsed == 0 || parsed > (uint64_t)NS_PER_YEAR / unit_ns)) ok = false;
  if (!ok) {
    return nf_opt_fail(err, err_len,
                       "invalid value '%s' for %s: expected a duration > 0 and at most a year "
                       "with unit ns, us, ms or s (e.g. 250ms; no unit means s)",
                       value, option);
  }
  *out = (nf_time_t)(parsed * unit_ns);
  return true;
}

bool nf_opt_parse_ipv6(const char *option, const char *value, struct nf_ipv6_addr *out, char *err,
                       size_t err_len) {
  struct nf_ipv6_addr addr;
  if (inet_pton(AF_INET6, value, addr.bytes) != 1) {
    return nf_opt_fail(err, err_len,
                       "invalid value '%s' for %s: expected an IPv6 address like 2001:db8::1",
                       value, option);
  }
  *out = addr;
  return true;
}

bool nf_opt_parse_ipv4(const char *option, const char *value, uint32_t *out, char *err,
                       size_t err_len) {
  uint32_t addr = 0;
  const char *cursor = value;
  for (int part = 0; part < 4; part++) {
    uint64_t byte = 0;
    const char *end = NULL;
    if (!parse_digits(cursor, &byte, &end) || byte > 255 || end - cursor > 3) {
      return nf_opt_fail(err, err_len,
                         "invalid value '%s' for %s: expected an IPv4 address like 10.0.0.1", value,
                         option);
    }
    addr = (addr << 8) | (uint32_t)byte;
    if (part < 3 && *end != '.') {
      return nf_opt_fail(err, err_len,
                         "invalid value '%s' for %s: expected an IPv4 address like 10.0.0.1", value,
                         option);
    }
    if (part == 3 && *end != '\0') {
      return nf_opt_fail(err, err_len,
                         "invalid value '%s' for %s: expected an IPv4 address like 10.0.0.1", value,
                         option);
    }
    cursor = end + 1;
  }
  *out = addr;
  return true;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool nf_opt_parse_mac(const char *option, const char *value, struct nf_mac *out, char *err,
                      size_t err_len) {
  struct nf_mac mac;
  bool ok = strlen(value) == 17;
  for (int i = 0; ok && i < 6; i++) {
    int high = hex_value(value[3 * i]);
    int low = hex_value(value[3 * i + 1]);
    if (high < 0 || low < 0 || (i < 5 && value[3 * i + 2] != ':')) ok = false;
    if (ok) mac.bytes[i] = (uint8_t)(high * 16 + low);
  }
  if (!ok) {
    return nf_opt_fail(err, err_len,
                       "invalid value '%s' for %s: expected a MAC address like 02:00:00:00:00:01",
                       value, option);
  }
  *out = mac;
  return true;
}

bool nf_opt_getopt_error(int opt, char **argv, int optind_now, char *err, size_t err_len) {
  const char *arg = optind_now > 0 ? argv[optind_now - 1] : "";
  if (opt == ':') return nf_opt_fail(err, err_len, "option '%s' needs a value", arg);
  return nf_opt_fail(err, err_len, "unknown option '%s'", arg);
}

bool nf_opt_check_distinct_ports(const char *option_a, uint64_t a, const char *option_b, uint64_t b,
                                 char *err, size_t err_len) {
  if (a != b) return true;
  return nf_opt_fail(err, err_len, "%s and %s must differ (both are %llu)", option_a, option_b,
                     (unsigned long long)a);
}
