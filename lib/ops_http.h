/* ops_http: one HTTP request through libcurl, for endpoint checks and
 * webhook alerts.
 *
 * libcurl is loaded with dlopen on the first request, not linked: loading
 * it and its thirty-odd dependencies costs several milliseconds at every
 * start of every program, most of a warm ops-health run, and most runs
 * make no HTTP request at all. */
#ifndef OPS_HTTP_H
#define OPS_HTTP_H

#include <stddef.h>

#include "ops_err.h"

/* GET url (json_body NULL) or POST json_body as application/json, within
 * timeout seconds, redirects not followed, http and https only. 0 when the
 * answer is 2xx; -1 with "HTTP 503" or libcurl's reason otherwise. *status
 * (may be NULL) gets the HTTP status, 0 when there was no answer. */
int ops_http_request(const char *url, const char *json_body, double timeout,
    long *status, struct ops_err *err);

/* ---- a GET whose answer is read (endpoint expectations, Monit) ------- */

struct ops_http_get {
	const char *user, *password;	/* basic authentication, or NULL */
	const char *ca_file;		/* CA bundle to verify with, or NULL */
	int certinfo;			/* get the peer certificate's expiry */
	size_t max_body;		/* a larger answer fails the request */
	/* Streamed body: called with each piece; nonzero stops the transfer
	 * (the request then fails with "stopped by the reader"). NULL: the
	 * body is collected into the answer. */
	int (*on_data)(const char *p, size_t n, void *arg);
	void *arg;
};

struct ops_http_answer {
	long status;		/* the HTTP status (0: none; set even on failure) */
	char *body;		/* collected body, NUL-terminated (caller frees) */
	size_t len;
	double cert_not_after;	/* the leaf certificate's notAfter, epoch; 0: none */
	double elapsed;		/* seconds */
};

/* GET url within timeout seconds, redirects not followed. 0 when an answer
 * came, whatever its status; -1 with libcurl's reason otherwise. Release
 * the answer with ops_http_answer_release. */
int ops_http_fetch(const char *url, double timeout, const struct ops_http_get *o,
    struct ops_http_answer *a, struct ops_err *err);
void ops_http_answer_release(struct ops_http_answer *a);

#endif
