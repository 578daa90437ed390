/* ops_time: ISO 8601 as the agent writes it, "now" for tests, formats. */
#include "ops_time.h"

#include <math.h>
#include <time.h>

#include "unit.h"

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Forms with a zone (or UTC forms under a local zone that is not UTC):
 * absolute, whatever TZ says. */
static void
test_parse_absolute(void)
{
	static const struct {
		const char *in;
		double want;
	} cases[] = {
		{ "2026-02-02T23:17:21.526298Z", 1770074241.526298 },
		{ "2026-02-02T23:17:21Z", 1770074241 },
		{ "2026-02-02 23:17:21Z", 1770074241 },
		{ "2026-02-02T23:17Z", 1770074220 },
		{ "2026-02-02T23:17:21+00:00", 1770074241 },
		{ "2026-02-02T23:17:21-00:00", 1770074241 },
		{ "2026-02-02T23:17:21+05:30", 1770054441 },
		{ "2026-02-02T23:17:21+0530", 1770054441 },
		{ "2026-02-02T23:17:21-0800", 1770103041 },
		{ "2026-02-02T23:17:21-08:00", 1770103041 },
		{ "2026-02-02T23:17:21.5-08:00", 1770103041.5 },
		{ "2026-02-02T23:17:21,25Z", 1770074241.25 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-02-02T23:17:60Z", 1770074241 - 21 + 60 },
	};
	static const char *const zones[] = { "UTC0", "EST5EDT,M3.2.0,M11.1.0",
		"IST-5:30" };

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		set_tz(zones[z]);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct ops_err err = OPS_ERR_INIT;
			double t = -1;

			unit_case("TZ=%s '%s'", zones[z], cases[i].in);
			EQ_INT(ops_time_parse_iso(cases[i].in, &t, &err), 0);
			EQ_DBL(t, cases[i].want, 1e-5);
			EQ_STR(err.msg, "");
		}
	}
	unit_case("%s", "");
}

/* Forms without a zone are local time. */
static void
test_parse_local(void)
{
	static const struct {
		const char *tz, *in;
		double want;
	} cases[] = {
		{ "UTC0", "2026-02-02T23:17:21.526298", 1770074241.526298 },
		{ "UTC0", "2026-02-02 23:17:21", 1770074241 },
		{ "UTC0", "2026-02-02T23:17", 1770074220 },
		/* winter: EST, UTC-5 */
		{ "EST5EDT,M3.2.0,M11.1.0", "2026-02-02T18:17:21", 1770074241 },
		{ "EST5EDT,M3.2.0,M11.1.0", "2026-02-02 18:17:21.25", 1770074241.25 },
		/* summer: EDT, UTC-4 */
		{ "EST5EDT,M3.2.0,M11.1.0", "2026-07-01T12:00:00", 1782921600 },
		{ "IST-5:30", "2026-02-02T23:17:21", 1770054441 },
		{ "IST-5:30", "2026-02-02T23:17", 1770054420 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		double t = -1;

		set_tz(cases[i].tz);
		unit_case("TZ=%s '%s'", cases[i].tz, cases[i].in);
		EQ_INT(ops_time_parse_iso(cases[i].in, &t, &err), 0);
		EQ_DBL(t, cases[i].want, 1e-5);
	}
	unit_case("%s", "");
}

static void
test_parse_reject(void)
{
	static const char *const bad[] = {
		"",
		"2026-02-02",
		"2026-13-02T23:17:21",
		"2026-00-02T23:17:21",
		"2026-02-30T23:17:21",
		"2026-02-29T23:17:21",		/* 2026 is not a leap year */
		"1900-02-29T00:00:00Z",		/* nor 1900 (and before 1970) */
		"2026-04-31T00:00:00",
		"2026-02-00T23:17:21",
		"2026-02-02T24:00:00",
		"2026-02-02T23:60:00",
		"2026-02-02T23:17:61",
		"2026-02-02T23:17:21x",
		"2026-02-02T23:17:21Z ",
		"2026-02-02T23:17:21 ",
		"2026-02-02T23:17:21ZZ",
		"2026-02-02T23:17:21.",
		"2026-02-02T23:17:21.Z",
		"2026-02-02T23:17:21+5:30",
		"2026-02-02T23:17:21+05",
		"2026-02-02T23:17:21+05:3",
		"2026-02-02T23:17:21+24:00",
		"2026-02-02T23:17:21+05:60",
		"2026-02-02T23:1",
		"2026-02-02T23",
		"2026-02-02T",
		"2026-2-2T23:17:21",
		"2026-02-02X23:17:21",
		"2026/02/02T23:17:21",
		" 2026-02-02T23:17:21",
		"1969-12-31T23:59:59Z",
		"abcd-ef-ghTij:kl:mn",
		"2026-02-02T23:17:21.526298\n",
	};

	set_tz("UTC0");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		double t = -7;

		unit_case("'%s'", bad[i]);
		EQ_INT(ops_time_parse_iso(bad[i], &t, &err), -1);
		EQ_DBL(t, -7, 0);
		EQ_INT(err.code, OPS_E_FAIL);
		HAS_STR(err.msg, "invalid timestamp");
	}
	unit_case("%s", "");
	EQ_INT(ops_time_parse_iso("nope", &(double){ 0 }, NULL), -1);
}

static void
test_now(void)
{
	double real;

	unsetenv("DHARMIC_OPS_NOW");
	real = (double)time(NULL);
	CHECK(fabs(ops_time_now() - real) < 2);

	setenv("DHARMIC_OPS_NOW", "1770074241.5", 1);
	EQ_DBL(ops_time_now(), 1770074241.5, 1e-6);
	setenv("DHARMIC_OPS_NOW", "0", 1);
	EQ_DBL(ops_time_now(), 0, 0);
	setenv("DHARMIC_OPS_NOW", "1000", 1);
	EQ_DBL(ops_time_now(), 1000, 0);
	/* garbage and empty fall back to the real clock */
	setenv("DHARMIC_OPS_NOW", "soon", 1);
	CHECK(fabs(ops_time_now() - real) < 2);
	setenv("DHARMIC_OPS_NOW", "1000x", 1);
	CHECK(fabs(ops_time_now() - real) < 2);
	setenv("DHARMIC_OPS_NOW", "", 1);
	CHECK(fabs(ops_time_now() - real) < 2);
	setenv("DHARMIC_OPS_NOW", "inf", 1);
	CHECK(fabs(ops_time_now() - real) < 2);
	unsetenv("DHARMIC_OPS_NOW");
}

static void
test_clocks_and_log_lines(void)
{
	double t = 0, m1, m2;

	setenv("DHARMIC_OPS_NOW", "1000", 1);
	/* the real clock ignores DHARMIC_OPS_NOW */
	CHECK(fabs(ops_time_real() - (double)time(NULL)) < 2);
	unsetenv("DHARMIC_OPS_NOW");
	m1 = ops_time_mono();
	m2 = ops_time_mono();
	CHECK(m2 >= m1);

	set_tz("UTC0");
	EQ_INT(ops_time_log_line("[2026-02-02 23:17:21] [INFO] restart: manual", &t), 0);
	EQ_DBL(t, 1770074241, 0);
	EQ_INT(ops_time_log_line("[2026-02-02 23:17:21]", &t), 0);
	EQ_INT(ops_time_log_line("2026-02-02 23:17:21 no bracket", &t), -1);
	EQ_INT(ops_time_log_line("[2026-02-02 23:17] short", &t), -1);
	EQ_INT(ops_time_log_line("[2026-13-02 23:17:21] bad month", &t), -1);
	EQ_INT(ops_time_log_line("[", &t), -1);
	EQ_INT(ops_time_log_line("", &t), -1);
}

static void
test_format(void)
{
	char buf[64], small[8];
	double t = 1770074241.9, back = 0;

	set_tz("UTC0");
	EQ_STR(ops_time_log(t, buf, sizeof(buf)), "2026-02-02 23:17:21");
	EQ_STR(ops_time_stamp(t, buf, sizeof(buf)), "20260202_231721");
	EQ_STR(ops_time_iso(t, buf, sizeof(buf)), "2026-02-02T23:17:21+00:00");
	/* a time from outside may be any double (fuzz_listen found 1.7e35 in
	 * a history query): no undefined cast, just "?" */
	EQ_STR(ops_time_log(1.7397e35, buf, sizeof(buf)), "?");
	EQ_STR(ops_time_iso(-1e300, buf, sizeof(buf)), "?");
	EQ_STR(ops_time_stamp(NAN, buf, sizeof(buf)), "?");

	set_tz("IST-5:30");
	EQ_STR(ops_time_log(t, buf, sizeof(buf)), "2026-02-03 04:47:21");
	EQ_STR(ops_time_stamp(t, buf, sizeof(buf)), "20260203_044721");
	EQ_STR(ops_time_iso(t, buf, sizeof(buf)), "2026-02-03T04:47:21+05:30");
	/* what ops_time_iso writes, ops_time_parse_iso reads back */
	EQ_INT(ops_time_parse_iso(buf, &back, NULL), 0);
	EQ_DBL(back, 1770074241, 0);
	/* ... and the local log form too */
	ops_time_log(t, buf, sizeof(buf));
	EQ_INT(ops_time_parse_iso(buf, &back, NULL), 0);
	EQ_DBL(back, 1770074241, 0);

	set_tz("EST5EDT,M3.2.0,M11.1.0");
	EQ_STR(ops_time_iso(1782921600, buf, sizeof(buf)), "2026-07-01T12:00:00-04:00");

	/* exactly big enough for the RFC 3339 form */
	{
		char exact[26];

		set_tz("UTC0");
		EQ_STR(ops_time_iso(t, exact, sizeof(exact)), "2026-02-02T23:17:21+00:00");
	}
	/* too small a buffer: "?" rather than a half-written time */
	EQ_STR(ops_time_log(t, small, sizeof(small)), "?");
}

int
main(void)
{
	test_parse_absolute();
	test_parse_local();
	test_parse_reject();
	test_now();
	test_clocks_and_log_lines();
	test_format();
	return unit_done();
}
