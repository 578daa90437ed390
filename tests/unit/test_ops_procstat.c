/* ops_procstat: /proc/meminfo parsing, the slope, a reading of ourselves,
 * and the cpu streak and rss trend against samples at chosen times. */
#include "ops_procstat.h"

#include <time.h>
#include <unistd.h>

#include "unit.h"

static void
test_meminfo(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_meminfo m;

	EQ_INT(ops_meminfo_parse("MemTotal:        8000000 kB\nMemFree: 1 kB\n"
	    "MemAvailable:    2000000 kB\nSwapTotal:  100 kB\nSwapFree:  25 kB\n", &m, &e), 0);
	EQ_U64(m.total, 8000000ULL * 1024);
	EQ_U64(m.available, 2000000ULL * 1024);
	EQ_U64(m.swap_total, 100 * 1024);
	EQ_U64(m.swap_free, 25 * 1024);
	/* no MemAvailable (Linux < 3.14), garbage, overflow, empty */
	EQ_INT(ops_meminfo_parse("MemTotal: 8 kB\n", &m, &e), -1);
	HAS_STR(e.msg, "no MemTotal/MemAvailable");
	EQ_INT(ops_meminfo_parse("MemTotal: x kB\nMemAvailable: 1 kB\n", &m, &e), -1);
	EQ_INT(ops_meminfo_parse("MemTotal: 99999999999999999999 kB\n", &m, &e), -1);
	EQ_INT(ops_meminfo_parse("", &m, &e), -1);
	EQ_INT(ops_meminfo_parse("MemTotal: 0 kB\nMemAvailable: 0 kB\n", &m, &e), -1);
}

static void
test_slope(void)
{
	double x[] = { 0, 1, 2, 3 }, y[] = { 10, 12, 14, 16 }, flat[] = { 5, 5, 5, 5 };
	double same[] = { 1, 1, 1, 1 }, s = -1;

	EQ_INT(ops_procstat_slope(x, y, 4, &s), 0);
	EQ_DBL(s, 2, 1e-9);
	EQ_INT(ops_procstat_slope(x, flat, 4, &s), 0);
	EQ_DBL(s, 0, 1e-9);
	EQ_INT(ops_procstat_slope(same, y, 4, &s), -1);
	EQ_INT(ops_procstat_slope(x, y, 1, &s), -1);
}

static void
test_read_self(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procsample s;
	volatile double spin = 0;

	for (long i = 0; i < 20000000; i++)
		spin += (double)i;
	(void)spin;	/* only burns CPU time for s.cpu */
	EQ_INT(ops_procstat_read(getpid(), 1, &s, &e), 0);
	CHECK(s.cpu > 0);
	CHECK(s.rss > 100 * 1024);
	CHECK(s.fds >= 3);
	CHECK(s.fd_limit != 0);
	CHECK(s.start > 1e9 && s.start <= (double)time(NULL) + 1);
	EQ_INT(ops_procstat_read(0x7ffffff0, 1, &s, &e), -1);
}

static struct ops_result *
find(struct ops_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

/* The cpu streak and the rss trend, at chosen times against our own
 * process: samples are planted, then one run judges them. */
static void
test_run(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_config cfg;
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_procsample s;
	struct ops_result *res;
	char *tmp = unit_tmpdir(), sql[512];
	const char *text = "{\"health\": {\"cpu_warn\": 50, \"cpu_crit\": 90,"
	    " \"cpu_for\": \"10m\", \"rss_warn\": \"100G\", \"rss_crit\": \"200G\","
	    " \"rss_trend_window\": \"24h\", \"rss_trend_horizon\": \"7d\"}}";
	double now = 2e9;

	EQ_INT(ops_config_load_text(&cfg, tmp, text, strlen(text), "t", &e), 0);
	EQ_INT(ops_state_open(&st, tmp, &e), 0);
	EQ_INT(ops_procstat_read(getpid(), 1, &s, &e), 0);
	/* a sample 5 minutes ago at 10 CPU seconds fewer than now: 3%;
	 * then one at 100% that began a streak 11 minutes ago */
	snprintf(sql, sizeof(sql), "INSERT INTO proc_samples VALUES(%f, %d, %f, %f, 1, 0, 0)",
	    now - 300, (int)getpid(), s.start, s.cpu - 10);
	EQ_INT(ops_state_exec(&st, sql, &e), 0);
	ops_procstat_run(&cfg, &st, getpid(), now, 1u, &r);
	res = find(&r, "cpu");
	CHECK(res && res->state == OPS_OK);
	if (res)
		HAS_STR(res->message, "CPU over the last 5m");
	ops_report_release(&r);
	/* the run stored a sample at now; add one 60 s later with 60 CPU s
	 * more (100%) and a streak that began 11 minutes earlier */
	snprintf(sql, sizeof(sql), "INSERT INTO proc_samples VALUES(%f, %d, %f, %f, 1, %f, %f)",
	    now + 1, (int)getpid(), s.start, s.cpu - 60, now - 660, now - 300);
	EQ_INT(ops_state_exec(&st, sql, &e), 0);
	ops_procstat_run(&cfg, &st, getpid(), now + 61, 1u, &r);
	res = find(&r, "cpu");
	CHECK(res && res->state == OPS_WARNING);
	if (res)
		HAS_STR(res->message, "above 50% for 12m");
	ops_report_release(&r);
	/* another process with the same PID (a different start): no streak */
	snprintf(sql, sizeof(sql), "DELETE FROM proc_samples; INSERT INTO proc_samples"
	    " VALUES(%f, %d, %f, %f, 1, %f, %f)", now + 100, (int)getpid(), s.start - 50,
	    s.cpu - 600, now - 3600, now - 3600);
	EQ_INT(ops_state_exec(&st, sql, &e), 0);
	ops_procstat_run(&cfg, &st, getpid(), now + 160, 1u, &r);
	res = find(&r, "cpu");
	CHECK(res && res->state == OPS_OK);
	if (res)
		HAS_STR(res->message, "first sample");
	ops_report_release(&r);
	/* rss: 1 GiB an hour over 20 h of the 24 h window reaches 200 GiB in
	 * a week at most: WARNING naming the date */
	EQ_INT(ops_state_exec(&st, "DELETE FROM proc_samples", &e), 0);
	for (int h = 20; h >= 1; h--) {
		snprintf(sql, sizeof(sql), "INSERT INTO proc_samples VALUES(%f, %d, %f, 0,"
		    " %.0f, 0, 0)", now - h * 3600.0, (int)getpid(), s.start,
		    (double)s.rss - h * 1073741824.0 / 1000);
		EQ_INT(ops_state_exec(&st, sql, &e), 0);
	}
	ops_procstat_run(&cfg, &st, getpid(), now, 2u, &r);
	res = find(&r, "rss");
	CHECK(res && res->state == OPS_OK);	/* 1 MiB an hour: years away */
	ops_report_release(&r);
	EQ_INT(ops_state_exec(&st, "UPDATE proc_samples SET rss = rss - "
	    "(2000000000.0 - ts) / 3600 * 1073741824.0 * 1.5", &e), 0);
	ops_procstat_run(&cfg, &st, getpid(), now + 1, 2u, &r);
	res = find(&r, "rss");
	CHECK(res && res->state == OPS_WARNING);
	if (res)
		HAS_STR(res->message, "would reach 200.0 GiB around 20");
	ops_report_release(&r);
	/* no state database: cpu cannot compare, rss still judged by limits */
	ops_procstat_run(&cfg, NULL, getpid(), now, 3u, &r);
	EQ_INT(r.n, 2);
	EQ_INT(r.v[0].state, OPS_UNKNOWN);
	EQ_INT(r.v[1].state, OPS_OK);
	ops_report_release(&r);
	/* no agent */
	ops_procstat_run(&cfg, &st, 0, now, 7u, &r);
	EQ_INT(r.n, 3);
	for (size_t i = 0; i < r.n; i++)
		EQ_INT(r.v[i].state, OPS_UNKNOWN);
	ops_report_release(&r);
	/* the host checks judge against their limits */
	ops_procstat_run(&cfg, NULL, 0, now, 24u, &r);
	EQ_INT(r.n, 2);
	EQ_STR(r.n > 1 ? r.v[1].name : "", "load");
	ops_report_release(&r);
	ops_state_close(&st);
	ops_config_release(&cfg);
	unit_cleanup(tmp);
}

int
main(void)
{
	test_meminfo();
	test_slope();
	test_read_self();
	test_run();
	return unit_done();
}
