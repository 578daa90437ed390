/* ops_http: one HTTP request through libcurl, for endpoint checks and
 * webhook alerts.
 *
 * libcurl is loaded with dlopen on the first request, not linked: loading
 * it and its thirty-odd dependencies costs several milliseconds at every
 * start of every program, most of a warm ops-health run, and most runs
 * make no HTTP request at all. */
#ifndef OPS_HTTP_H
#define OPS_HTTP_H

#include "ops_err.h"

/* GET url (json_body NULL) or POST json_body as application/json, within
 * timeout seconds, redirects not followed, http and https only. 0 when the
 * answer is 2xx; -1 with "HTTP 503" or libcurl's reason otherwise. *status
 * (may be NULL) gets the HTTP status, 0 when there was no answer. */
int ops_http_request(const char *url, const char *json_body, double timeout,
    long *status, struct ops_err *err);

#endif
