/* ops_net: endpoint probes for ops-health.
 * http:// and https:// through libcurl (a 2xx answer is up; redirects are
 * not followed), tcp://HOST:PORT by a connect. */
#ifndef OPS_NET_H
#define OPS_NET_H

#include <stddef.h>

#include "ops_err.h"

/* 0 when the endpoint is up, with *elapsed seconds; -1 with the reason
 * ("HTTP 503", "connection refused", "timed out after 5s"). */
int ops_net_probe(const char *url, double timeout, double *elapsed,
    struct ops_err *err);

#endif
