/* ops_net: endpoint probes against servers on the loopback interface. */
#include "ops_net.h"

#include <netdb.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "unit.h"

/* A listening socket on 127.0.0.1, its port in *port. */
static int
listener(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		fprintf(stderr, "unable to listen: %s\n", strerror(errno));
		exit(2);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A child answering each connection with one canned HTTP response. */
static pid_t
http_server(int fd, const char *response)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (;;) {
		char buf[4096];
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			_exit(0);
		(void)read(c, buf, sizeof(buf));
		(void)write(c, response, strlen(response));
		close(c);
	}
}

static void
stop(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static void
test_tcp(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char url[128];
	double el = -1;
	int port, fd = listener(&port);

	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	EQ_INT(ops_net_probe(url, 5, &el, &err), 0);
	CHECK(el >= 0 && el < 5);
	snprintf(url, sizeof(url), "tcp://localhost:%d", port);
	EQ_INT(ops_net_probe(url, 5, NULL, &err), 0);
	close(fd);

	/* nothing listens there any more */
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	ops_err_clear(&err);
	EQ_INT(ops_net_probe(url, 5, &el, &err), -1);
	HAS_STR(err.msg, "refused");

	ops_err_clear(&err);
	EQ_INT(ops_net_probe("tcp://127.0.0.1", 5, &el, &err), -1);
	HAS_STR(err.msg, "no port");
	EQ_INT(ops_net_probe("tcp://127.0.0.1:", 5, &el, &err), -1);
	HAS_STR(err.msg, "no port");
	/* (no name that needs a DNS server: the tests stay off the network) */
	ops_err_clear(&err);
	EQ_INT(ops_net_probe("tcp://127.0.0.1:notaport", 5, &el, &err), -1);
	HAS_STR(err.msg, "unable to resolve '127.0.0.1'");
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An addrinfo for a numeric address, as getaddrinfo returns it. */
static struct addrinfo *
numeric(const char *host, int port)
{
	struct addrinfo hints, *ai = NULL;
	char p[16];

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(p, sizeof(p), "%d", port);
	if (getaddrinfo(host, p, &hints, &ai) != 0) {
		fprintf(stderr, "unable to make an address for %s\n", host);
		exit(2);
	}
	freeaddrinfo(ai->ai_next);	/* numeric and one socket type: none */
	ai->ai_next = NULL;
	return ai;
}

/* What Debian's stock /etc/hosts makes of "localhost": ::1 first, then
 * 127.0.0.1; the service listens on 127.0.0.1 only. The probe must go on
 * to the second address, and name both when both fail. */
static void
test_tcp_every_address(void)
{
	struct ops_err err = OPS_ERR_INIT;
	int port, fd = listener(&port), closed, cfd = listener(&closed);
	struct addrinfo *v6, *v4, *v4closed;

	close(cfd);	/* nothing listens on `closed` now */
	v6 = numeric("::1", port);	/* refused, or no IPv6: fails either way */
	v4 = numeric("127.0.0.1", port);
	v6->ai_next = v4;
	EQ_INT(ops_net_connect_any(v6, 5, &err), 0);

	/* an unreachable address first, the live one last of three */
	v4closed = numeric("127.0.0.1", closed);
	v6->ai_next = v4closed;
	v4closed->ai_next = v4;
	ops_err_clear(&err);
	EQ_INT(ops_net_connect_any(v6, 5, &err), 0);

	/* all fail: every address tried is named, with its reason */
	v4closed->ai_next = NULL;
	ops_err_clear(&err);
	EQ_INT(ops_net_connect_any(v6, 5, &err), -1);
	HAS_STR(err.msg, "every address failed");
	HAS_STR(err.msg, "[::1]:");
	HAS_STR(err.msg, "127.0.0.1:");
	HAS_STR(err.msg, "refused");
	/* one address: the message stays the plain one */
	ops_err_clear(&err);
	EQ_INT(ops_net_connect_any(v4closed, 5, &err), -1);
	EQ_STR(err.msg, "connect: Connection refused");

	/* a first address that never answers (a listener whose accept queue
	 * is full drops the SYN) does not eat the timeout: the next one is
	 * started 250 ms later and wins */
	{
		int bfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), bport, filler[4];
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		struct addrinfo *black;
		struct ops_err e2 = OPS_ERR_INIT;
		double t0;

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK(bind(bfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		CHECK(listen(bfd, 0) == 0);
		CHECK(getsockname(bfd, (struct sockaddr *)&sa, &len) == 0);
		bport = ntohs(sa.sin_port);
		black = numeric("127.0.0.1", bport);
		/* fill the queue: connections that complete and are never
		 * accepted */
		for (size_t i = 0; i < sizeof(filler) / sizeof(filler[0]); i++) {
			filler[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
			(void)connect(filler[i], (struct sockaddr *)&sa, sizeof(sa));
		}
		usleep(100000);
		/* is it really dropping? (if not, the case proves nothing: say so) */
		ops_err_clear(&e2);
		if (ops_net_connect_any(black, 0.5, &e2) == -1 &&
		    strstr(e2.msg, "timed out") != NULL) {
			black->ai_next = v4;
			ops_err_clear(&err);
			t0 = mono();
			EQ_INT(ops_net_connect_any(black, 5, &err), 0);
			CHECK(mono() - t0 < 2);
			/* both hang or fail: the timeout holds and both are named */
			black->ai_next = v4closed;
			ops_err_clear(&err);
			t0 = mono();
			EQ_INT(ops_net_connect_any(black, 1, &err), -1);
			CHECK(mono() - t0 < 2);
			HAS_STR(err.msg, "timed out after 1s");
			HAS_STR(err.msg, "no answer");
			HAS_STR(err.msg, "refused");
		} else {
			printf("note: the full-queue listener answered; the "
			    "blackhole case was not run\n");
		}
		for (size_t i = 0; i < sizeof(filler) / sizeof(filler[0]); i++)
			close(filler[i]);
		close(bfd);
		black->ai_next = NULL;
		freeaddrinfo(black);
	}
	v6->ai_next = v4closed->ai_next = NULL;
	freeaddrinfo(v6);
	freeaddrinfo(v4);
	freeaddrinfo(v4closed);
	close(fd);
}

static void
test_http(void)
{
	static const struct {
		const char *response;
		int ok;
		const char *why;
	} cases[] = {
		{ "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 1, NULL },
		{ "HTTP/1.0 204 No Content\r\n\r\n", 1, NULL },
		{ "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 0, "HTTP 503" },
		{ "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, "HTTP 404" },
		/* redirects are not followed */
		{ "HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:1/\r\n"
		  "Content-Length: 0\r\n\r\n", 0, "HTTP 302" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		char url[128];
		int port, fd = listener(&port);
		pid_t srv = http_server(fd, cases[i].response);

		unit_case("http case %zu", i);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/health", port);
		EQ_INT(ops_net_probe(url, 5, NULL, &err), cases[i].ok ? 0 : -1);
		if (!cases[i].ok)
			EQ_STR(err.msg, cases[i].why);
		stop(srv);
		close(fd);
	}
	unit_case("%s", "");

	/* a server that never answers: the timeout holds */
	{
		struct ops_err err = OPS_ERR_INIT;
		char url[128];
		double el = 0;
		int port, fd = listener(&port);

		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
		EQ_INT(ops_net_probe(url, 0.5, &el, &err), -1);
		CHECK(el >= 0.4 && el < 3);
		HAS_STR(err.msg, "imeout");
		close(fd);
	}
	/* only http and https go to libcurl */
	{
		struct ops_err err = OPS_ERR_INIT;

		EQ_INT(ops_net_probe("file:///etc/passwd", 1, NULL, &err), -1);
		CHECK(err.msg[0] != '\0');
	}
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_tcp();
	test_tcp_every_address();
	test_http();
	return unit_done();
}
