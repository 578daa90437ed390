/* ops_monit: Monit's XML status as Monit 5.33 writes it, hostile input,
 * streaming in small pieces, and the parse time of 200 services (printed,
 * not asserted: bench/health.sh quotes it). */
#include "ops_monit.h"

#include <time.h>

#include "unit.h"

static const char real[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><monit><server><id>f51f</id>"
    "<version>5.33.0</version><localhostname>vm</localhostname></server>"
    "<platform><name>Linux</name><cpu>2</cpu></platform>"
    "<service type=\"2\"><name>flag</name><status>0</status><status_hint>0</status_hint>"
    "<monitor>1</monitor><mode>644</mode><size>0</size></service>"
    "<service type=\"3\"><name>sleeper</name><status>0</status><monitor>1</monitor>"
    "<pid>4883</pid><ppid>4880</ppid><memory><percent>0.0</percent>"
    "<percenttotal>0.0</percenttotal><kilobyte>1672</kilobyte>"
    "<kilobytetotal>1700</kilobytetotal></memory><cpu><percent>0.0</percent>"
    "<percenttotal>1.5</percenttotal></cpu></service>"
    "<service type=\"2\"><name>missing</name><status>512</status><monitor>1</monitor>"
    "</service><service type=\"3\"><name>caf\xe9</name><status>514</status>"
    "<monitor>0</monitor></service>"
    "<service type=\"5\"><name>vm</name><status>0</status><monitor>1</monitor>"
    "<system><memory><kilobytetotal>5</kilobytetotal></memory><cpu><percenttotal>3"
    "</percenttotal></cpu></system></service></monit>";

static void
test_real(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_monit_status st;

	EQ_INT(ops_monit_parse(real, strlen(real), &st, &e), 0);
	EQ_INT(st.n, 5);
	EQ_STR(st.host, "vm");
	if (st.n == 5) {
		EQ_STR(st.v[0].name, "flag");
		EQ_INT(st.v[0].type, 2);
		EQ_INT(st.v[0].status, 0);
		EQ_INT(st.v[0].monitor, 1);
		CHECK(isnan(st.v[0].cpu) && isnan(st.v[0].memory));
		EQ_STR(st.v[1].name, "sleeper");
		EQ_INT(st.v[1].pid, 4883);
		EQ_DBL(st.v[1].memory, 1700 * 1024.0, 1e-6);
		EQ_DBL(st.v[1].cpu, 1.5, 1e-9);
		EQ_INT(st.v[2].status, 512);
		EQ_STR(st.v[3].name, "caf\xc3\xa9");	/* Latin-1 made UTF-8 */
		EQ_INT(st.v[3].monitor, 0);
		/* a system service's own memory is not a process's */
		CHECK(isnan(st.v[4].memory) && isnan(st.v[4].cpu));
	}
	ops_monit_status_release(&st);
}

static void
test_pieces(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_monit_status st;
	struct ops_monit_parser *p = ops_monit_parser_new(&st);
	size_t n = strlen(real);

	/* one byte at a time: the text of an element arrives in pieces */
	for (size_t i = 0; i < n; i++)
		if (ops_monit_parser_feed(p, real + i, 1, &e) < 0)
			break;
	EQ_INT(ops_monit_parser_finish(p, &e), 0);
	EQ_INT(st.n, 5);
	if (st.n == 5)
		EQ_STR(st.v[1].name, "sleeper");
	ops_monit_parser_free(p);
	ops_monit_status_release(&st);
}

static void
test_hostile(void)
{
	static const struct { const char *xml, *err; } cases[] = {
		{ "", "no element found" },
		{ "<html><body>401</body></html>", "no <monit> element" },
		{ "<monit><service><name>a</name>", "no element found" },
		{ "<monit><service><status>0</status></service></monit>", "without a name" },
		{ "<monit><service><name></name></service></monit>", "empty or too long" },
		{ "<!DOCTYPE monit [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
		  "<monit><service><name>&b;</name></service></monit>", "document type" },
		{ "<monit><service><name>a</name></service></monit><x/>", "junk after" },
		{ "<monit>\xff</monit>", "not well-formed" },
	};
	struct ops_err e = OPS_ERR_INIT;
	struct ops_monit_status st;
	char big[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_case("%zu", i);
		ops_err_clear(&e);
		EQ_INT(ops_monit_parse(cases[i].xml, strlen(cases[i].xml), &st, &e), -1);
		HAS_STR(e.msg, cases[i].err);
		EQ_INT(st.n, 0);
	}
	unit_case("%s", "");
	/* a name longer than we keep */
	snprintf(big, sizeof(big), "<monit><service><name>%0300d</name></service></monit>", 0);
	EQ_INT(ops_monit_parse(big, strlen(big), &st, &e), -1);
	/* numbers out of range are ignored, not trusted */
	snprintf(big, sizeof(big), "<monit><service type=\"99\"><name>x</name>"
	    "<status>-5</status><monitor>1e300</monitor><pid>-1</pid><cpu>"
	    "<percenttotal>nan</percenttotal></cpu></service></monit>");
	EQ_INT(ops_monit_parse(big, strlen(big), &st, &e), 0);
	if (st.n == 1) {
		EQ_INT(st.v[0].status, 0);
		EQ_INT(st.v[0].monitor, -1);
		EQ_INT(st.v[0].pid, -1);
		CHECK(isnan(st.v[0].cpu));
		EQ_STR(ops_monit_type(st.v[0].type), "service");
	}
	ops_monit_status_release(&st);
}

static void
test_names(void)
{
	char buf[256];

	EQ_STR(ops_monit_events(0x200, buf, sizeof(buf)), "does not exist");
	EQ_STR(ops_monit_events(0x202, buf, sizeof(buf)),
	    "resource limit matched, does not exist");
	EQ_STR(ops_monit_events(0x20, buf, sizeof(buf)), "connection failed");
	EQ_STR(ops_monit_type(3), "process");
	EQ_STR(ops_monit_type(5), "system");
}

/* 200 services as Monit writes them for processes, parsed in one go. */
static void
bench_200(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_monit_status st;
	struct ops_buf b = OPS_BUF_INIT;
	struct timespec t0, t1;
	double best = 1e9;

	ops_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><monit><server>"
	    "<localhostname>bench</localhostname></server>");
	for (int i = 0; i < 200; i++)
		ops_buf_printf(&b, "<service type=\"3\"><name>service%03d</name>"
		    "<collected_sec>1796307778</collected_sec><collected_usec>568043"
		    "</collected_usec><status>%d</status><status_hint>0</status_hint>"
		    "<monitor>1</monitor><monitormode>0</monitormode><onreboot>0</onreboot>"
		    "<pendingaction>0</pendingaction><pid>%d</pid><ppid>1</ppid><uid>0</uid>"
		    "<euid>0</euid><gid>0</gid><uptime>2</uptime><threads>1</threads>"
		    "<children>0</children><memory><percent>0.0</percent><percenttotal>0.0"
		    "</percenttotal><kilobyte>1672</kilobyte><kilobytetotal>1672"
		    "</kilobytetotal></memory><cpu><percent>0.0</percent><percenttotal>0.0"
		    "</percenttotal></cpu><filedescriptors><open>5</open><opentotal>5"
		    "</opentotal><limit><soft>20000</soft><hard>20000</hard></limit>"
		    "</filedescriptors><read><bytesgeneric><count>0</count><total>6976"
		    "</total></bytesgeneric></read></service>", i, i % 7 ? 0 : 512, 1000 + i);
	ops_buf_printf(&b, "</monit>");
	for (int run = 0; run < 20; run++) {
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		EQ_INT(ops_monit_parse(ops_buf_str(&b), b.len, &st, &e), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
		EQ_INT(st.n, 200);
		ops_monit_status_release(&st);
	}
	printf("monit: 200 services (%zu bytes) parsed in %.3f ms (best of 20)\n",
	    b.len, best);
	ops_buf_release(&b);
}

int
main(void)
{
	test_real();
	test_pieces();
	test_hostile();
	test_names();
	bench_200();
	return unit_done();
}
