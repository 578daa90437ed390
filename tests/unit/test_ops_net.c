/* ops_net: endpoint probes against servers on the loopback interface. */
#include "ops_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
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
	test_http();
	return unit_done();
}
