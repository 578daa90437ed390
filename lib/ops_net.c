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
