/* ops_units: sizes ("5G", powers of 1024) and durations ("30m").
 * Pure functions, no allocation. */
#ifndef OPS_UNITS_H
#define OPS_UNITS_H

#include <stdint.h>

#include "ops_err.h"

/* "123", "5K", "100M", "2G", "1T" (case-insensitive suffix, optional "B"
 * or "iB" after it, integer or decimal number). -1 and err on anything
 * else, negative or overflowing values included. */
int ops_size_parse(const char *s, uint64_t *out, struct ops_err *err);

/* "30", "30s", "10m", "26h", "7d", "2w" (and fractions "1.5h"); a bare
 * number is seconds. Result in seconds. */
int ops_duration_parse(const char *s, double *out, struct ops_err *err);

/* Human forms for messages: "4.2 GiB", "3h 12m". Write into buf (always
 * NUL-terminated) and return buf. */
const char *ops_size_format(uint64_t bytes, char *buf, size_t len);
const char *ops_duration_format(double seconds, char *buf, size_t len);

#endif
