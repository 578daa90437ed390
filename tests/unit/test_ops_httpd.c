/* ops_httpd: listen addresses, and the refusals made before any socket. */
#include "ops_httpd.h"

#include <netinet/in.h>

#include "unit.h"

static void
test_parse_listen(void)
{
	static const struct {
		const char *in;
		int family, loopback;
	} good[] = {
		{ "127.0.0.1:9731", AF_INET, 1 },
		{ "127.1.2.3:0", AF_INET, 1 },
		{ "0.0.0.0:80", AF_INET, 0 },
		{ "192.168.1.5:65535", AF_INET, 0 },
		{ "[::1]:9731", AF_INET6, 1 },
		{ "[::]:9731", AF_INET6, 0 },
		{ "[fe80::1]:1", AF_INET6, 0 },
	};
	static const char *const bad[] = {
		"", "127.0.0.1", "127.0.0.1:", ":9731", "localhost:9731", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:80x", "::1:9731x", "[::1:9731", "example.com:80",
		"127.0.0.1:9731:1",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		struct sockaddr_storage ss;
		socklen_t len;
		int lo = -1;

		unit_case("%s", good[i].in);
		EQ_INT(ops_httpd_parse_listen(good[i].in, &ss, &len, &lo, &err), 0);
		EQ_INT(ss.ss_family, good[i].family);
		EQ_INT(lo, good[i].loopback);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		struct sockaddr_storage ss;
		socklen_t len;
		int lo;

		unit_case("%s", bad[i]);
		EQ_INT(ops_httpd_parse_listen(bad[i], &ss, &len, &lo, &err), -1);
		EQ_INT(err.code, OPS_E_USAGE);
	}
	unit_case("%s", "");
}

/* Not loopback and no token: refused before anything listens. */
static void
test_refuse_open(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_httpd *h = (struct ops_httpd *)1;
	char *dir = unit_tmpdir();

	CHECK(ops_config_load_text(&cfg, dir, "{}", 2, "test", &err) == 0);
	EQ_INT(ops_httpd_start(&cfg, "0.0.0.0:0", &h, &err), -1);
	CHECK(h == NULL);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "refusing to listen on 0.0.0.0:0");
	/* A token file others can read is refused too. */
	ops_config_release(&cfg);
	{
		char cfgtext[512], tok[600];

		snprintf(tok, sizeof(tok), "%s/token", dir);
		unit_write(tok, "0123456789abcdef0123\n");
		chmod(tok, 0644);
		snprintf(cfgtext, sizeof(cfgtext), "{\"serve\": {\"token_file\": \"token\"}}");
		CHECK(ops_config_load_text(&cfg, dir, cfgtext, strlen(cfgtext), "test",
		    &err) == 0);
		err = (struct ops_err)OPS_ERR_INIT;
		EQ_INT(ops_httpd_start(&cfg, "127.0.0.1:0", &h, &err), -1);
		HAS_STR(err.msg, "readable by others");
		chmod(tok, 0600);
		unit_write(tok, "short\n");
		err = (struct ops_err)OPS_ERR_INIT;
		EQ_INT(ops_httpd_start(&cfg, "127.0.0.1:0", &h, &err), -1);
		HAS_STR(err.msg, "at least 16 characters");
		ops_config_release(&cfg);
	}
	unit_cleanup(dir);
}

int
main(void)
{
	test_parse_listen();
	test_refuse_open();
	return unit_done();
}
