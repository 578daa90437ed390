/* ops_net: endpoint probes for ops-health.
 * http:// and https:// through libcurl (a 2xx answer is up; redirects are
 * not followed), tcp://HOST:PORT by a connect to each address the name
 * resolves to, in order, within the one timeout. */
#ifndef OPS_NET_H
#define OPS_NET_H

#include <stddef.h>

#include "ops_err.h"

/* 0 when the endpoint is up, with *elapsed seconds; -1 with the reason
 * ("HTTP 503", "connection refused", "timed out after 5s"). */
int ops_net_probe(const char *url, double timeout, double *elapsed,
    struct ops_err *err);

/* Connect to the addresses of list in order (each started 250 ms after
 * the previous one if that has not finished, RFC 8305) until one accepts,
 * all within timeout seconds; 0 when one did. -1 naming every address
 * tried and why each failed ("connect: every address failed: [::1]:143:
 * Connection refused; ..."); with a single address the message is the
 * plain "connect: Connection refused". Exposed for the tests, which
 * inject a list. */
struct addrinfo;
int ops_net_connect_any(const struct addrinfo *list, double timeout,
    struct ops_err *err);

#endif
