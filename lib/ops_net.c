#include "ops_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ops_http.h"

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "127.0.0.1:143" or "[::1]:143" for the messages. */
static void
addr_name(const struct addrinfo *a, char *buf, size_t len)
{
	char h[NI_MAXHOST], p[NI_MAXSERV];

	if (getnameinfo(a->ai_addr, a->ai_addrlen, h, sizeof(h), p, sizeof(p),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, len, "(address)");
	else
		snprintf(buf, len, a->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
}

/* Record why one address failed: "ADDR: reason" joined with "; ". */
static void
note(char *why, size_t len, const struct addrinfo *a, const char *reason)
{
	size_t n = strlen(why);
	char name[NI_MAXHOST + NI_MAXSERV + 4];

	addr_name(a, name, sizeof(name));
	snprintf(why + n, len - n, "%s%s: %s", n ? "; " : "", name, reason);
}

#define OPS_NET_MAX_ADDRS 16
#define OPS_NET_STAGGER 0.25	/* RFC 8305's connection attempt delay */

int
ops_net_connect_any(const struct addrinfo *list, double timeout,
    struct ops_err *err)
{
	const struct addrinfo *addr[OPS_NET_MAX_ADDRS], *next = list;
	struct pollfd pf[OPS_NET_MAX_ADDRS];
	char why[1024] = "";
	double deadline = mono() + timeout, started = 0;
	int nfd = 0, tried = 0, rc = -1, last_errno = 0;

	for (;;) {
		double now = mono(), wait;
		int n;

		/* Start the next address when nothing is pending or the last
		 * attempt has had its head start: a blackholed first address
		 * must not eat the whole timeout. */
		while (next != NULL && nfd < OPS_NET_MAX_ADDRS && now < deadline &&
		    (nfd == 0 || now - started >= OPS_NET_STAGGER)) {
			const struct addrinfo *a = next;
			int fd;

			next = next->ai_next;
			tried++;
			started = now;
			fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
			if (fd < 0) {
				last_errno = errno;
				note(why, sizeof(why), a, strerror(errno));
				continue;
			}
			if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
				close(fd);
				rc = 0;
				goto out;
			}
			if (errno != EINPROGRESS) {
				last_errno = errno;
				note(why, sizeof(why), a, strerror(errno));
				close(fd);
				continue;
			}
			addr[nfd] = a;
			pf[nfd].fd = fd;
			pf[nfd].events = POLLOUT;
			pf[nfd].revents = 0;
			nfd++;
		}
		if (nfd == 0 && (next == NULL || now >= deadline))
			break;
		wait = deadline - now;
		if (next != NULL && nfd < OPS_NET_MAX_ADDRS &&
		    started + OPS_NET_STAGGER - now < wait)
			wait = started + OPS_NET_STAGGER - now;
		if (wait <= 0 && now >= deadline)
			break;
		n = poll(pf, (nfds_t)nfd, wait > 0 ? (int)(wait * 1000) + 1 : 0);
		if (n < 0 && errno != EINTR) {
			ops_err_sys(err, errno, "poll");
			goto out;
		}
		for (int i = 0; n > 0 && i < nfd; i++) {
			int soerr = 0;
			socklen_t slen = sizeof(soerr);

			if (pf[i].revents == 0)
				continue;
			if (getsockopt(pf[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0)
				soerr = errno;
			if (soerr == 0) {
				rc = 0;
				goto out;
			}
			last_errno = soerr;
			note(why, sizeof(why), addr[i], strerror(soerr));
			close(pf[i].fd);
			addr[i] = addr[nfd - 1];
			pf[i] = pf[nfd - 1];
			nfd--;
			i--;
		}
		if (mono() >= deadline && nfd > 0)
			break;
	}
	if (nfd > 0) {
		for (int i = 0; i < nfd; i++)
			note(why, sizeof(why), addr[i], "no answer");
		if (tried == 1)
			ops_err_set(err, OPS_E_FAIL, "connect timed out after %gs", timeout);
		else
			ops_err_set(err, OPS_E_FAIL, "connect timed out after %gs (%s)",
			    timeout, why);
	} else if (tried == 1) {
		ops_err_sys(err, last_errno, "connect");
	} else if (tried == 0) {
		ops_err_set(err, OPS_E_FAIL, "connect: no address to try");
	} else {
		ops_err_set(err, OPS_E_FAIL, "connect: every address failed: %s", why);
	}
out:
	for (int i = 0; i < nfd; i++)
		close(pf[i].fd);
	return rc;
}

static int
probe_tcp(const char *hostport, double timeout, struct ops_err *err)
{
	char host[256], *colon;
	const char *port;
	struct addrinfo hints, *ai = NULL;
	int rc, gai;

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
	rc = ops_net_connect_any(ai, timeout, err);
	freeaddrinfo(ai);
	return rc;
}

int
ops_net_probe(const char *url, double timeout, double *elapsed, struct ops_err *err)
{
	double t0 = mono();
	int rc;

	if (strncmp(url, "tcp://", 6) == 0)
		rc = probe_tcp(url + 6, timeout, err);
	else
		rc = ops_http_request(url, NULL, timeout, NULL, err);
	if (elapsed)
		*elapsed = mono() - t0;
	return rc;
}
