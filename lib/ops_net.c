#include "ops_net.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

/* libcurl and the two dozen libraries it brings (TLS, Kerberos, LDAP,
 * SSH, ...) take some 3 ms to map and relocate: more than all the rest of
 * a warm ops-health run, which mostly has no HTTP endpoint to probe. So
 * the system's libcurl is loaded on the first HTTP probe, not at start. */
static struct {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
} curl;

static int
sym(void *lib, const char *name, void *fnp)
{
	void *p = dlsym(lib, name);

	if (p == NULL)
		return -1;
	memcpy(fnp, &p, sizeof(p));	/* POSIX: data and function pointers agree */
	return 0;
}

static int
load_curl(struct ops_err *err)
{
	static const char *const names[] = {
		"libcurl.so.4", "libcurl.4.dylib", "libcurl.so", "libcurl.dylib",
	};
	static void *lib;

	if (curl.easy_cleanup != NULL)
		return 0;
	for (size_t i = 0; lib == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return ops_err_set(err, OPS_E_FAIL, "unable to load libcurl: %s", dlerror());
	if (sym(lib, "curl_easy_init", &curl.easy_init) < 0 ||
	    sym(lib, "curl_easy_setopt", &curl.easy_setopt) < 0 ||
	    sym(lib, "curl_easy_perform", &curl.easy_perform) < 0 ||
	    sym(lib, "curl_easy_getinfo", &curl.easy_getinfo) < 0 ||
	    sym(lib, "curl_easy_strerror", &curl.easy_strerror) < 0 ||
	    sym(lib, "curl_easy_cleanup", &curl.easy_cleanup) < 0) {
		curl.easy_cleanup = NULL;
		return ops_err_set(err, OPS_E_FAIL, "unable to use libcurl: %s", dlerror());
	}
	return 0;
}

static int
probe_http(const char *url, double timeout, struct ops_err *err)
{
	CURL *c;
	CURLcode cc;
	long code = 0;
	int rc = -1;

	c = curl.easy_init();
	if (c == NULL)
		return ops_err_set(err, OPS_E_FAIL, "unable to start libcurl");
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "dharmic-ops/" OPS_VERSION);
	cc = curl.easy_perform(c);
	if (cc != CURLE_OK) {
		ops_err_set(err, OPS_E_FAIL, "%s", curl.easy_strerror(cc));
		goto out;
	}
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		ops_err_set(err, OPS_E_FAIL, "HTTP %ld", code);
		goto out;
	}
	rc = 0;
out:
	curl.easy_cleanup(c);
	return rc;
}

static int
probe_tcp(const char *hostport, double timeout, struct ops_err *err)
{
	char host[256], *colon;
	const char *port;
	struct addrinfo hints, *ai = NULL;
	double deadline = mono() + timeout;
	int fd = -1, rc = -1, gai, soerr = 0;
	socklen_t slen = sizeof(soerr);

	if (snprintf(host, sizeof(host), "%s", hostport) >= (int)sizeof(host))
		return ops_err_set(err, OPS_E_FAIL, "host name too long");
	colon = strrchr(host, ':');
	if (colon == NULL || colon[1] == '\0')
		return ops_err_set(err, OPS_E_FAIL, "no port in tcp://%s", hostport);
	*colon = '\0';
	port = colon + 1;
	if (host[0] == '[' && colon > host && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(host, port, &hints, &ai);
	if (gai != 0)
		return ops_err_set(err, OPS_E_FAIL, "unable to resolve '%s': %s", host,
		    gai_strerror(gai));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ops_err_sys(err, errno, "socket");
		goto out;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		double left = deadline - mono();
		int n;

		if (errno != EINPROGRESS) {
			ops_err_sys(err, errno, "connect");
			goto out;
		}
		n = poll(&p, 1, left > 0 ? (int)(left * 1000) : 0);
		if (n == 0) {
			ops_err_set(err, OPS_E_FAIL, "connect timed out after %.0fs", timeout);
			goto out;
		}
		if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0 ||
		    soerr != 0) {
			ops_err_sys(err, soerr ? soerr : errno, "connect");
			goto out;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

int
ops_net_probe(const char *url, double timeout, double *elapsed, struct ops_err *err)
{
	int tcp = strncmp(url, "tcp://", 6) == 0, rc;
	double t0;

	if (elapsed)
		*elapsed = 0;
	/* Loading libcurl is not the endpoint's time. */
	if (!tcp && load_curl(err) < 0)
		return -1;
	t0 = mono();
	if (tcp)
		rc = probe_tcp(url + 6, timeout, err);
	else
		rc = probe_http(url, timeout, err);
	if (elapsed)
		*elapsed = mono() - t0;
	return rc;
}
