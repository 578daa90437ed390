/* ops_httpd: the HTTP server of `ops-dashboard serve`, on libmicrohttpd.
 *
 * One internal polling thread answers GET and HEAD on the routes of
 * ops_serve (405 for any other method). Limits: serve.max_connections
 * connections, serve.timeout per idle connection, 32 KiB of request
 * headers (a larger request gets 431 and is closed); the server keeps
 * running whatever a client sends.
 *
 * Access: with serve.token_file, an "Authorization: Bearer TOKEN" equal
 * to the file's first line (compared as SHA-256 digests with
 * CRYPTO_memcmp); with serve.htpasswd, HTTP basic auth against
 * "user:crypt-hash" lines (bcrypt, sha512crypt, ... as crypt(3) knows);
 * with both, either. An address other than loopback is refused unless one
 * of them is configured. serve.tls_cert and serve.tls_key turn on TLS. */
#ifndef OPS_HTTPD_H
#define OPS_HTTPD_H

#include <sys/socket.h>

#include "ops_config.h"
#include "ops_err.h"

#define OPS_HTTPD_HEADER_MAX (32 * 1024)

struct ops_httpd;

/* Start serving on listen ("ADDR:PORT", "[ADDR]:PORT"; NULL: serve.listen;
 * port 0 picks a free port). cfg must outlive the server. *out is freed
 * by ops_httpd_stop. */
int ops_httpd_start(const struct ops_config *cfg, const char *listen,
    struct ops_httpd **out, struct ops_err *err);
/* "http://127.0.0.1:9731/" (https with TLS), with the port bound. */
const char *ops_httpd_url(const struct ops_httpd *h);
void ops_httpd_stop(struct ops_httpd *h);

/* Parse a listen address into ss/len; *loopback is 1 for 127.0.0.0/8
 * and ::1. Numeric addresses only: a name could resolve anywhere. */
int ops_httpd_parse_listen(const char *s, struct sockaddr_storage *ss,
    socklen_t *len, int *loopback, struct ops_err *err);

#endif
