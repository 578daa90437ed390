/* ops_httpd: libmicrohttpd carrying ops_serve's answers (ops_httpd.h). */
#include "ops_httpd.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ops_fs.h"
#include "ops_serve.h"

#define SECRET_MAX (64 * 1024)

struct ops_httpd {
	struct MHD_Daemon *mhd;
	struct ops_serve serve;
	int have_token;
	unsigned char token[32];	/* SHA-256 of the token */
	char *htpasswd;			/* the file's text, NULL: none */
	struct crypt_data *cd;		/* crypt_r's scratch space */
	char *cert, *key;		/* PEM, kept for the daemon's life */
	char url[128];
};

int
ops_httpd_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int *loopback, struct ops_err *err)
{
	struct addrinfo hints, *ai = NULL;
	char host[128];
	const char *port, *colon = strrchr(s, ':');
	char *end;
	long p;
	size_t hl;

	if (colon == NULL || colon == s)
		return ops_err_set(err, OPS_E_USAGE, "invalid listen address '%s':"
		    " expected ADDR:PORT", s);
	port = colon + 1;
	hl = (size_t)(colon - s);
	if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	p = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || p < 0 || p > 65535 || hl >= sizeof(host))
		return ops_err_set(err, OPS_E_USAGE, "invalid listen address '%s':"
		    " expected ADDR:PORT", s);
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL ||
	    ai->ai_addrlen > sizeof(*ss)) {
		if (ai)
			freeaddrinfo(ai);
		return ops_err_set(err, OPS_E_USAGE, "invalid listen address '%s':"
		    " expected a numeric IPv4 or [IPv6] address and a port", s);
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		*loopback = (ntohl(((struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	else
		*loopback = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ss)->sin6_addr);
	return 0;
}

/* A secret file: regular, not a symlink, not readable by others. */
static int
read_secret(const struct ops_config *cfg, const char *rel, const char *key,
    char **out, struct ops_err *err)
{
	char path[4096];
	struct stat st;
	size_t n;

	if (ops_config_path(cfg, rel, path, sizeof(path), err) < 0)
		return -1;
	if (lstat(path, &st) < 0)
		return ops_err_sys(err, errno, "%s: unable to read '%s'", key, path);
	if (!S_ISREG(st.st_mode))
		return ops_err_set(err, OPS_E_USAGE, "%s: '%s' is not a regular file",
		    key, path);
	if (st.st_mode & 0007)
		return ops_err_set(err, OPS_E_USAGE, "%s: '%s' is readable by others"
		    " (chmod o-rwx)", key, path);
	if (ops_fs_read_file(path, SECRET_MAX, out, &n, err) < 0)
		return -1;
	if (strlen(*out) != n) {
		free(*out);
		*out = NULL;
		return ops_err_set(err, OPS_E_USAGE, "%s: '%s' holds a NUL byte", key, path);
	}
	return 0;
}

/* SHA-256 and the constant-time compare are nettle's, not OpenSSL's:
 * nettle is in this process anyway (under libmicrohttpd's GnuTLS), and
 * libcrypto would add more than a megabyte to the server's resident
 * memory just by being loaded. */
static void
hash_sha256(const char *s, size_t n, unsigned char md[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, (const uint8_t *)s);
	sha256_digest(&c, SHA256_DIGEST_SIZE, md);
}

static int
load_token(struct ops_httpd *h, const struct ops_config *cfg, struct ops_err *err)
{
	char *text = NULL;
	size_t n;
	int rc = -1;

	if (read_secret(cfg, cfg->serve.token_file, "serve.token_file", &text, err) < 0)
		return -1;
	n = strcspn(text, "\r\n");
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n < 16) {
		ops_err_set(err, OPS_E_USAGE, "serve.token_file: the token must be at least"
		    " 16 characters");
		goto out;
	}
	hash_sha256(text, n, h->token);
	h->have_token = 1;
	rc = 0;
out:
	if (text)
		explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}

static int
bearer_ok(const struct ops_httpd *h, const char *auth)
{
	unsigned char d[32];

	if (!h->have_token || auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	auth += 7;
	while (*auth == ' ')
		auth++;
	hash_sha256(auth, strlen(auth), d);
	return memeql_sec(d, h->token, sizeof(d)) != 0;
}

/* The hash of user in the htpasswd text, copied into buf; 0 when absent. */
static int
htpasswd_hash(const char *text, const char *user, char *buf, size_t len)
{
	size_t ul = strlen(user);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t n = strcspn(p, "\r\n");

		if (n > ul && strncmp(p, user, ul) == 0 && p[ul] == ':' && n - ul - 1 < len) {
			memcpy(buf, p + ul + 1, n - ul - 1);
			buf[n - ul - 1] = '\0';
			return 1;
		}
	}
	return 0;
}

static int
basic_ok(struct ops_httpd *h, struct MHD_Connection *c)
{
	char *pass = NULL, *user = NULL, hash[512];
	const char *out;
	int ok = 0, found;

	if (h->htpasswd == NULL)
		return 0;
	user = MHD_basic_auth_get_username_password(c, &pass);
	if (user == NULL || pass == NULL)
		goto out;
	found = strchr(user, ':') == NULL && htpasswd_hash(h->htpasswd, user, hash,
	    sizeof(hash));
	/* An unknown user costs the same hashing as a known one. */
	if (!found)
		snprintf(hash, sizeof(hash), "%s",
		    "$6$dharmicops$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	memset(h->cd, 0, sizeof(*h->cd));
	/* crypt_rn: libxcrypt's, NULL on failure rather than a "*0" string
	 * (and not intercepted by the sanitizers, whose crypt_r can be NULL). */
	out = crypt_rn(pass, hash, h->cd, (int)sizeof(*h->cd));
	ok = found && out != NULL && out[0] != '*' && strlen(out) == strlen(hash) &&
	    memeql_sec(out, hash, strlen(hash)) != 0;
out:
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return ok;
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, int status, const char *type, const char *body,
    size_t len, const char *h1, const char *v1)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* The page is inline CSS and SVG: nothing else may load or run. */
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
	if (h1 != NULL)
		MHD_add_response_header(resp, h1, v1);
	r = MHD_queue_response(c, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result
send_error(struct MHD_Connection *c, int status, const char *msg, const char *h1,
    const char *v1)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", msg);

	return send_reply(c, status, OPS_SERVE_JSON_TYPE, body, (size_t)n, h1, v1);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **state)
{
	struct ops_httpd *h = cls;
	struct ops_serve_reply r = OPS_SERVE_REPLY_INIT;
	enum MHD_Result rc;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)state;
	/* Answered on the first call, before any body is read: nothing here
	 * takes a body, and MHD closes a connection whose body is left. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
		    MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if ((h->have_token || h->htpasswd) &&
	    !bearer_ok(h, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION)) && !basic_ok(h, c))
		return send_error(c, MHD_HTTP_UNAUTHORIZED, "unauthorized",
		    MHD_HTTP_HEADER_WWW_AUTHENTICATE, h->htpasswd ?
		    "Basic realm=\"dharmic-ops\", charset=\"UTF-8\"" :
		    "Bearer realm=\"dharmic-ops\"");
	if (ops_serve_get(&h->serve, url,
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since"),
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "check"), &r) < 0 ||
	    r.body.oom) {
		ops_serve_reply_release(&r);
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory",
		    NULL, NULL);
	}
	rc = send_reply(c, r.status, r.type, ops_buf_str(&r.body), r.body.len, NULL, NULL);
	ops_serve_reply_release(&r);
	return rc;
}

int
ops_httpd_start(const struct ops_config *cfg, const char *listen,
    struct ops_httpd **out, struct ops_err *err)
{
	struct ops_httpd *h = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;
	char host[INET6_ADDRSTRLEN];
	int loopback, tls = cfg->serve.tls_cert[0] != '\0';
	int rc = -1;

	*out = NULL;
	listen = listen ? listen : cfg->serve.listen;
	if (ops_httpd_parse_listen(listen, &ss, &sslen, &loopback, err) < 0)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return ops_err_sys(err, ENOMEM, "unable to start the server");
	ops_serve_init(&h->serve, cfg);
	if (cfg->serve.token_file[0] && load_token(h, cfg, err) < 0)
		goto out;
	if (cfg->serve.htpasswd[0]) {
		if (read_secret(cfg, cfg->serve.htpasswd, "serve.htpasswd", &h->htpasswd,
		    err) < 0)
			goto out;
		if ((h->cd = calloc(1, sizeof(*h->cd))) == NULL) {
			ops_err_sys(err, ENOMEM, "unable to start the server");
			goto out;
		}
	}
	if (!loopback && !h->have_token && h->htpasswd == NULL) {
		ops_err_set(err, OPS_E_USAGE, "refusing to listen on %s, not a loopback"
		    " address, without serve.token_file or serve.htpasswd", listen);
		goto out;
	}
	if (tls) {
		char path[4096];
		size_t n;

		if (read_secret(cfg, cfg->serve.tls_key, "serve.tls_key", &h->key, err) < 0 ||
		    ops_config_path(cfg, cfg->serve.tls_cert, path, sizeof(path), err) < 0 ||
		    ops_fs_read_file(path, SECRET_MAX, &h->cert, &n, err) < 0)
			goto out;
		flags |= MHD_USE_TLS;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->serve.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->serve.timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)OPS_HTTPD_HEADER_MAX,
	    tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->cert,
	    MHD_OPTION_HTTPS_MEM_KEY, h->key,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		ops_err_set(err, OPS_E_FAIL, "unable to listen on %s (address in use,"
		    " not available here, or a bad TLS certificate or key)", listen);
		goto out;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
		    sizeof(host));
	snprintf(h->url, sizeof(h->url), "%s://%s%s%s:%u/", tls ? "https" : "http",
	    ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
	    info ? (unsigned)info->port : 0);
	*out = h;
	h = NULL;
	rc = 0;
out:
	ops_httpd_stop(h);
	return rc;
}

const char *
ops_httpd_url(const struct ops_httpd *h)
{
	return h->url;
}

void
ops_httpd_stop(struct ops_httpd *h)
{
	if (h == NULL)
		return;
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	ops_serve_release(&h->serve);
	if (h->key)
		explicit_bzero(h->key, strlen(h->key));
	free(h->key);
	free(h->cert);
	free(h->htpasswd);
	free(h->cd);
	free(h);
}
