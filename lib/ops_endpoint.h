/* ops_endpoint: one endpoint check (health.endpoints) into a result.
 *
 * http:// and https:// through libcurl (ops_http_fetch): the status must
 * be in expect_status (default 200-299), the body contain expect_body (a
 * substring or a POSIX extended regex), the JSON value at expect_json's
 * path equal its "equals"; a response slower than time_warn/time_crit
 * warns or is CRITICAL; for https, a leaf certificate with less than
 * cert_warn/cert_crit left warns or is CRITICAL (its expiry read by
 * OpenSSL from CURLINFO_CERTINFO). tcp://HOST:PORT: a connect. */
#ifndef OPS_ENDPOINT_H
#define OPS_ENDPOINT_H

#include "ops_check.h"
#include "ops_config.h"

/* The most an answer may be when its body is read (1 MiB). */
#define OPS_ENDPOINT_MAX_BODY ((size_t)1 << 20)

/* Check ep within limit seconds (less than ep->timeout when the run's time
 * limit is nearer: a probe cut short by it is UNKNOWN, not CRITICAL) at
 * time now (certificate expiry) and add its result to r. */
void ops_endpoint_check(const struct ops_config *cfg,
    const struct ops_endpoint_cfg *ep, double limit, double now,
    struct ops_report *r);

/* The value at a dotted path ("a.b.0.c": object keys, array indexes) of
 * root, or NULL. Exposed for the unit test. */
struct cJSON;
const struct cJSON *ops_endpoint_json_at(const struct cJSON *root, const char *path);

#endif
