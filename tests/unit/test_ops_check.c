/* ops_check: states, thresholds, perfdata and the two report forms. */
#include "ops_check.h"

#include <cjson/cJSON.h>

#include "unit.h"

#define G 1073741824.0

static void
test_states(void)
{
	static const enum ops_state all[] = { OPS_OK, OPS_WARNING, OPS_CRITICAL,
		OPS_UNKNOWN };
	/* worst[a][b], indexed by the state values 0-3 */
	static const enum ops_state worst[4][4] = {
		/* OK */	{ OPS_OK, OPS_WARNING, OPS_CRITICAL, OPS_UNKNOWN },
		/* WARNING */	{ OPS_WARNING, OPS_WARNING, OPS_CRITICAL, OPS_WARNING },
		/* CRITICAL */	{ OPS_CRITICAL, OPS_CRITICAL, OPS_CRITICAL, OPS_CRITICAL },
		/* UNKNOWN */	{ OPS_UNKNOWN, OPS_WARNING, OPS_CRITICAL, OPS_UNKNOWN },
	};

	for (size_t a = 0; a < 4; a++)
		for (size_t b = 0; b < 4; b++) {
			unit_case("worst(%s, %s)", ops_state_name(all[a]),
			    ops_state_name(all[b]));
			EQ_INT(ops_state_worst(all[a], all[b]), worst[all[a]][all[b]]);
		}
	unit_case("%s", "");

	EQ_STR(ops_state_name(OPS_OK), "OK");
	EQ_STR(ops_state_name(OPS_WARNING), "WARNING");
	EQ_STR(ops_state_name(OPS_CRITICAL), "CRITICAL");
	EQ_STR(ops_state_name(OPS_UNKNOWN), "UNKNOWN");
	EQ_STR(ops_state_name((enum ops_state)7), "UNKNOWN");
	/* the states are the Nagios exit codes */
	EQ_INT(OPS_OK, 0);
	EQ_INT(OPS_WARNING, 1);
	EQ_INT(OPS_CRITICAL, 2);
	EQ_INT(OPS_UNKNOWN, 3);
	for (size_t i = 0; i < 4; i++)
		EQ_INT(ops_state_parse(ops_state_name(all[i])), all[i]);
	EQ_INT(ops_state_parse("ok"), -1);
	EQ_INT(ops_state_parse(""), -1);
	EQ_INT(ops_state_parse("CRIT"), -1);
}

static void
test_thresholds(void)
{
	static const struct {
		int low;
		double v, warn, crit;
		enum ops_state want;
	} cases[] = {
		/* high: bad above */
		{ 0, 5, 10, 20, OPS_OK },
		{ 0, 10, 10, 20, OPS_OK },		/* equal is not over */
		{ 0, 10.001, 10, 20, OPS_WARNING },
		{ 0, 20, 10, 20, OPS_WARNING },
		{ 0, 20.5, 10, 20, OPS_CRITICAL },
		{ 0, 1e9, 10, 20, OPS_CRITICAL },
		{ 0, 100, 0, 20, OPS_CRITICAL },	/* warn disabled */
		{ 0, 15, 0, 20, OPS_OK },
		{ 0, 100, 10, 0, OPS_WARNING },	/* crit disabled */
		{ 0, 100, NAN, NAN, OPS_OK },
		{ 0, 100, NAN, 50, OPS_CRITICAL },
		{ 0, 100, 50, NAN, OPS_WARNING },
		{ 0, 100, -1, -1, OPS_OK },		/* negative: disabled */
		{ 0, 0, 0, 0, OPS_OK },
		{ 0, 30, 20, 10, OPS_CRITICAL },	/* crit is looked at first */
		/* low: bad below */
		{ 1, 6 * G, 5 * G, 2 * G, OPS_OK },
		{ 1, 5 * G, 5 * G, 2 * G, OPS_OK },	/* equal is not under */
		{ 1, 5 * G - 1, 5 * G, 2 * G, OPS_WARNING },
		{ 1, 2 * G, 5 * G, 2 * G, OPS_WARNING },
		{ 1, 2 * G - 1, 5 * G, 2 * G, OPS_CRITICAL },
		{ 1, 0, 5 * G, 2 * G, OPS_CRITICAL },
		{ 1, 1, 5 * G, 0, OPS_WARNING },	/* crit disabled */
		{ 1, 1, 0, 2 * G, OPS_CRITICAL },	/* warn disabled */
		{ 1, 3 * G, 0, 2 * G, OPS_OK },
		{ 1, 0, 0, 0, OPS_OK },
		{ 1, 0, NAN, NAN, OPS_OK },
		{ 1, 1, 2, NAN, OPS_WARNING },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_case("%s(%g, %g, %g)", cases[i].low ? "low" : "high", cases[i].v,
		    cases[i].warn, cases[i].crit);
		if (cases[i].low)
			EQ_INT(ops_threshold_low(cases[i].v, cases[i].warn, cases[i].crit),
			    cases[i].want);
		else
			EQ_INT(ops_threshold_high(cases[i].v, cases[i].warn, cases[i].crit),
			    cases[i].want);
	}
	unit_case("%s", "");
}

static void
test_perf_format(void)
{
	static const struct {
		struct ops_perf p;
		const char *want;
	} cases[] = {
		{ { "disk_free", "B", 5368709120.0, 5368709120.0, 2147483648.0, 0, NAN, 1 },
		  "'disk_free'=5368709120B;5368709120:;2147483648:;0" },
		{ { "x", "", 1, NAN, 5, NAN, NAN, 1 }, "'x'=1;;5:" },
		{ { "x", "", 1, NAN, NAN, NAN, NAN, 0 }, "'x'=1" },
		{ { "x", "s", 1, NAN, 5, NAN, NAN, 0 }, "'x'=1s;;5" },
		{ { "x", "", 1, NAN, NAN, NAN, 10, 0 }, "'x'=1;;;;10" },
		{ { "x", "", 1, 2, 3, 4, 5, 0 }, "'x'=1;2;3;4;5" },
		{ { "t", "s", 0.5, NAN, NAN, 0, 5, 0 }, "'t'=0.5s;;;0;5" },
		{ { "t", "s", 1.25, NAN, NAN, NAN, NAN, 0 }, "'t'=1.25s" },
		{ { "t", "s", 2.10, NAN, NAN, NAN, NAN, 0 }, "'t'=2.1s" },
		{ { "t", "", 0.123456789, NAN, NAN, NAN, NAN, 0 }, "'t'=0.123457" },
		{ { "t", "", 0.0000001, NAN, NAN, NAN, NAN, 0 }, "'t'=0" },
		{ { "t", "", -1.5, NAN, NAN, NAN, NAN, 0 }, "'t'=-1.5" },
		{ { "t", "", -7, NAN, NAN, NAN, NAN, 0 }, "'t'=-7" },
		{ { "big", "B", 1e20, NAN, NAN, NAN, NAN, 0 }, "'big'=100000000000000000000B" },
		{ { "big", "B", 18446744073709551615.0, NAN, NAN, NAN, NAN, 0 },
		  "'big'=18446744073709551616B" },
		{ { "a b", "", 1, NAN, NAN, NAN, NAN, 0 }, "'a b'=1" },
		{ { "it's", "", 1, NAN, NAN, NAN, NAN, 0 }, "'it''s'=1" },
		{ { "a=b", "", 1, NAN, NAN, NAN, NAN, 0 }, "'a_b'=1" },
		{ { "pct", "%", 99.5, 80, 90, 0, 100, 0 }, "'pct'=99.5%;80;90;0;100" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_buf b = OPS_BUF_INIT;

		unit_case("perf %zu", i);
		ops_perf_format(&b, &cases[i].p);
		EQ_STR(ops_buf_str(&b), cases[i].want);
		CHECK(strchr(ops_buf_str(&b), 'e') == NULL ||
		    strchr(cases[i].p.label, 'e') != NULL);
		ops_buf_release(&b);
	}
	unit_case("%s", "");
}

/* A small report: one check per state but UNKNOWN, with perfdata. */
static void
small_report(struct ops_report *r)
{
	struct ops_result *res;

	res = ops_report_add(r, "daemon", OPS_OK, "pid %d up %s", 42, "1h 0m");
	CHECK(res != NULL);
	if (res)
		ops_result_perf(res, "uptime", 3600, "s", NAN, NAN, 0, NAN);
	res = ops_report_add(r, "disk", OPS_WARNING, "4.0 GiB free");
	CHECK(res != NULL);
	if (res)
		ops_result_perf_low(res, "disk_free", 4 * G, "B", 5 * G, 2 * G, 0, NAN);
	res = ops_report_add(r, "email", OPS_CRITICAL, "7 errors in the last 100 lines");
	CHECK(res != NULL);
	if (res)
		ops_result_perf(res, "email_errors", 7, "", 5, NAN, 0, NAN);
}

static void
test_report_nagios(void)
{
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	struct ops_result *res;

	small_report(&r);
	EQ_INT(r.n, 3);
	EQ_INT(ops_report_worst(&r), OPS_CRITICAL);
	EQ_INT(ops_report_count(&r, OPS_OK), 1);
	EQ_INT(ops_report_count(&r, OPS_UNKNOWN), 0);
	ops_report_nagios(&b, &r, "DHARMIC-OPS");
	EQ_STR(ops_buf_str(&b),
	    "DHARMIC-OPS CRITICAL - email: 7 errors in the last 100 lines, "
	    "disk: 4.0 GiB free (1/3 checks ok) | 'uptime'=3600s;;;0 "
	    "'disk_free'=4294967296B;5368709120:;2147483648:;0 'email_errors'=7;5;;0\n"
	    "daemon: OK - pid 42 up 1h 0m\n"
	    "disk: WARNING - 4.0 GiB free\n"
	    "email: CRITICAL - 7 errors in the last 100 lines\n");

	/* an UNKNOWN is listed after the WARNINGs; a plugin's raw perfdata
	 * passes through; newlines and '|' never reach the output */
	res = ops_report_add(&r, "proton", OPS_UNKNOWN, "no answer\nfrom | it");
	CHECK(res != NULL);
	if (res)
		res->perf_raw = strdup("time=0.2s;1;2");
	ops_buf_reset(&b);
	ops_report_nagios(&b, &r, "P");
	EQ_STR(ops_buf_str(&b),
	    "P CRITICAL - email: 7 errors in the last 100 lines, "
	    "disk: 4.0 GiB free, proton: no answer from   it (1/4 checks ok) | "
	    "'uptime'=3600s;;;0 'disk_free'=4294967296B;5368709120:;2147483648:;0 "
	    "'email_errors'=7;5;;0 time=0.2s;1;2\n"
	    "daemon: OK - pid 42 up 1h 0m\n"
	    "disk: WARNING - 4.0 GiB free\n"
	    "email: CRITICAL - 7 errors in the last 100 lines\n"
	    "proton: UNKNOWN - no answer from   it\n");

	/* ops_result_set changes state and message */
	ops_result_set(&r.v[2], OPS_OK, "%d errors", 0);
	EQ_INT(r.v[2].state, OPS_OK);
	EQ_STR(r.v[2].message, "0 errors");
	ops_result_set(&r.v[1], OPS_OK, "fine");
	EQ_INT(ops_report_worst(&r), OPS_UNKNOWN);
	ops_report_release(&r);

	/* all OK, no perfdata: no " | " */
	ops_report_add(&r, "a", OPS_OK, "fine");
	ops_report_add(&r, "b", OPS_OK, "also fine");
	ops_buf_reset(&b);
	ops_report_nagios(&b, &r, "DHARMIC-OPS");
	EQ_STR(ops_buf_str(&b),
	    "DHARMIC-OPS OK - 2/2 checks ok\na: OK - fine\nb: OK - also fine\n");
	ops_report_release(&r);

	/* nothing at all */
	ops_buf_reset(&b);
	ops_report_nagios(&b, &r, "DHARMIC-OPS");
	EQ_STR(ops_buf_str(&b), "DHARMIC-OPS OK - 0/0 checks ok\n");
	EQ_INT(ops_report_worst(&r), OPS_OK);

	/* an incomplete report is never OK */
	r.oom = 1;
	EQ_INT(ops_report_worst(&r), OPS_UNKNOWN);
	ops_report_release(&r);
	EQ_INT(r.oom, 0);
	ops_report_release(NULL);
	ops_buf_release(&b);
}

static const cJSON *
item(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void
test_report_json(void)
{
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	const cJSON *checks, *c, *m;
	cJSON *root;

	small_report(&r);
	r.v[0].since = 1770074241;
	r.v[0].changed = 0;
	EQ_INT(ops_report_json(&b, &r), 0);
	CHECK(b.len > 0 && b.s[b.len - 1] == '\n');
	root = cJSON_Parse(ops_buf_str(&b));
	CHECK(root != NULL);
	if (root == NULL)
		goto out;
	EQ_STR(cJSON_GetStringValue(item(root, "state")), "CRITICAL");
	EQ_INT(cJSON_GetNumberValue(item(root, "code")), 2);
	EQ_STR(cJSON_GetStringValue(item(root, "summary")),
	    "email: 7 errors in the last 100 lines, disk: 4.0 GiB free (1/3 checks ok)");
	checks = item(root, "checks");
	CHECK(cJSON_IsArray(checks));
	EQ_INT(cJSON_GetArraySize(checks), 3);

	c = cJSON_GetArrayItem(checks, 0);
	EQ_STR(cJSON_GetStringValue(item(c, "name")), "daemon");
	EQ_STR(cJSON_GetStringValue(item(c, "state")), "OK");
	EQ_INT(cJSON_GetNumberValue(item(c, "code")), 0);
	EQ_STR(cJSON_GetStringValue(item(c, "message")), "pid 42 up 1h 0m");
	EQ_STR(cJSON_GetStringValue(item(c, "perfdata")), "'uptime'=3600s;;;0");
	CHECK(cJSON_IsString(item(c, "since")));
	CHECK(cJSON_IsFalse(item(c, "changed")));
	m = cJSON_GetArrayItem(item(c, "metrics"), 0);
	EQ_STR(cJSON_GetStringValue(item(m, "label")), "uptime");
	EQ_DBL(cJSON_GetNumberValue(item(m, "value")), 3600, 0);
	EQ_STR(cJSON_GetStringValue(item(m, "uom")), "s");
	CHECK(cJSON_IsNull(item(m, "warn")));
	CHECK(cJSON_IsNull(item(m, "crit")));
	EQ_DBL(cJSON_GetNumberValue(item(m, "min")), 0, 0);
	CHECK(cJSON_IsNull(item(m, "max")));

	c = cJSON_GetArrayItem(checks, 1);
	EQ_STR(cJSON_GetStringValue(item(c, "name")), "disk");
	EQ_STR(cJSON_GetStringValue(item(c, "state")), "WARNING");
	EQ_INT(cJSON_GetNumberValue(item(c, "code")), 1);
	/* no since recorded: neither since nor changed */
	CHECK(item(c, "since") == NULL);
	CHECK(item(c, "changed") == NULL);
	m = cJSON_GetArrayItem(item(c, "metrics"), 0);
	EQ_DBL(cJSON_GetNumberValue(item(m, "value")), 4 * G, 0);
	EQ_DBL(cJSON_GetNumberValue(item(m, "warn")), 5 * G, 0);

	c = cJSON_GetArrayItem(checks, 2);
	EQ_STR(cJSON_GetStringValue(item(c, "state")), "CRITICAL");
	EQ_STR(cJSON_GetStringValue(item(c, "perfdata")), "'email_errors'=7;5;;0");
	cJSON_Delete(root);

	/* an empty report is still an object with an empty checks array */
	ops_report_release(&r);
	ops_buf_reset(&b);
	EQ_INT(ops_report_json(&b, &r), 0);
	root = cJSON_Parse(ops_buf_str(&b));
	CHECK(root != NULL);
	EQ_STR(cJSON_GetStringValue(item(root, "state")), "OK");
	CHECK(cJSON_IsArray(item(root, "checks")));
	EQ_INT(cJSON_GetArraySize(item(root, "checks")), 0);
	cJSON_Delete(root);
out:
	ops_report_release(&r);
	ops_buf_release(&b);
}

/* A plugin's labels get the check's name in front, quoted as the
 * guidelines quote; malformed items are dropped. */
static void
test_perf_prefix(void)
{
	static const struct { const char *raw, *want; } cases[] = {
		{ "uptime=5s", "'up::uptime'=5s" },
		{ "  a=1;2;3 'b c'=2%  ", "'up::a'=1;2;3 'up::b c'=2%" },
		{ "'it''s'=1 junk x=", "'up::it''s'=1 'up::x'=" },
		{ "", "" },
		{ "novalue", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_buf b = OPS_BUF_INIT;

		unit_case("perf prefix %zu", i);
		ops_perf_prefix(&b, "up", cases[i].raw);
		EQ_STR(ops_buf_str(&b), cases[i].want);
		ops_buf_release(&b);
	}
	unit_case("%s", "");
}

int
main(void)
{
	test_perf_prefix();
	test_states();
	test_thresholds();
	test_perf_format();
	test_report_nagios();
	test_report_json();
	return unit_done();
}
