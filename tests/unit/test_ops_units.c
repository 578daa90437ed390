/* ops_units: sizes, durations and their human forms. */
#include "ops_units.h"

#include "unit.h"

#define K 1024ULL
#define M (1024ULL * K)
#define G (1024ULL * M)
#define T (1024ULL * G)

static void
test_size_parse(void)
{
	static const struct {
		const char *in;
		unsigned long long want;
	} good[] = {
		{ "0", 0 },
		{ "123", 123 },
		{ "5G", 5 * G },
		{ "100M", 100 * M },
		{ "1.5K", 1536 },
		{ "5g", 5 * G },
		{ "5GiB", 5 * G },
		{ "5GB", 5 * G },
		{ "5gb", 5 * G },
		{ "1T", T },
		{ "2k", 2 * K },
		{ "0.5", 0 },
		{ " 7M", 7 * M },
		{ "16777215T", 16777215 * T },
	};
	static const char *const bad[] = {
		"5Q", "", "-1", "1e9", "0x10", "G", "5GG", "inf", "nan",
		"99999999999T", "16777216T", "18446744073709551616", "5 G", "5G ",
		"5GiBB", "5Gi", "+5", ".", "1..5", "K5", " ",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		uint64_t v = 12345;

		unit_case("size '%s'", good[i].in);
		EQ_INT(ops_size_parse(good[i].in, &v, &err), 0);
		EQ_U64(v, good[i].want);
		EQ_INT(err.code, OPS_E_NONE);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		uint64_t v = 12345;

		unit_case("size '%s'", bad[i]);
		EQ_INT(ops_size_parse(bad[i], &v, &err), -1);
		EQ_U64(v, 12345);	/* untouched on failure */
		EQ_INT(err.code, OPS_E_USAGE);
		HAS_STR(err.msg, "invalid size");
	}
	unit_case("%s", "");
	/* the message quotes the input */
	{
		struct ops_err err = OPS_ERR_INIT;
		uint64_t v;

		ops_size_parse("5Q", &v, &err);
		HAS_STR(err.msg, "'5Q'");
		/* err may be NULL */
		EQ_INT(ops_size_parse("5Q", &v, NULL), -1);
	}
}

static void
test_duration_parse(void)
{
	static const struct {
		const char *in;
		double want;
	} good[] = {
		{ "30", 30 },
		{ "30s", 30 },
		{ "10m", 600 },
		{ "26h", 26 * 3600 },
		{ "7d", 7 * 86400 },
		{ "2w", 14 * 86400 },
		{ "1.5h", 5400 },
		{ "0", 0 },
		{ "0.25s", 0.25 },
		{ "365d", 365 * 86400 },
	};
	static const char *const bad[] = {
		"10x", "", "-5m", "m", "5mm", "1e3", "inf", "0x10", "10 m", "10m ",
		"10M", "10ms", "+5", "99999999999999w",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		double v = -1;

		unit_case("duration '%s'", good[i].in);
		EQ_INT(ops_duration_parse(good[i].in, &v, &err), 0);
		EQ_DBL(v, good[i].want, 1e-9);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		double v = -1;

		unit_case("duration '%s'", bad[i]);
		EQ_INT(ops_duration_parse(bad[i], &v, &err), -1);
		EQ_DBL(v, -1, 0);
		EQ_INT(err.code, OPS_E_USAGE);
		HAS_STR(err.msg, "invalid duration");
	}
	unit_case("%s", "");
}

static void
test_format(void)
{
	static const struct {
		unsigned long long in;
		const char *want;
	} sizes[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.0 KiB" },
		{ 1536, "1.5 KiB" },
		{ 100 * M, "100.0 MiB" },
		{ 5 * G, "5.0 GiB" },
		{ 4509715661ULL, "4.2 GiB" },
		{ 3 * T, "3.0 TiB" },
		{ 2048 * T, "2.0 PiB" },
		{ 3 * 1024 * 1024 * T, "3072.0 PiB" },
	};
	static const struct {
		double in;
		const char *want;
	} durs[] = {
		{ 0, "0s" },
		{ 59.9, "59s" },
		{ 60, "1m 0s" },
		{ 3599, "59m 59s" },
		{ 3 * 3600 + 12 * 60 + 5, "3h 12m" },
		{ 86399, "23h 59m" },
		{ 2 * 86400 + 3600, "2d 1h" },
		{ 400 * 86400, "400d 0h" },
		{ -90, "-1m 30s" },
	};
	char buf[64], small[5];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unit_case("size %llu", sizes[i].in);
		EQ_STR(ops_size_format(sizes[i].in, buf, sizeof(buf)), sizes[i].want);
	}
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		unit_case("duration %g", durs[i].in);
		EQ_STR(ops_duration_format(durs[i].in, buf, sizeof(buf)), durs[i].want);
	}
	unit_case("%s", "");
	/* a short buffer is truncated and NUL-terminated, and returned */
	memset(small, 'x', sizeof(small));
	CHECK(ops_size_format(5 * G, small, sizeof(small)) == small);
	EQ_STR(small, "5.0 ");
	memset(small, 'x', sizeof(small));
	EQ_STR(ops_duration_format(3 * 3600 + 60, small, sizeof(small)), "3h 1");
}

int
main(void)
{
	test_size_parse();
	test_duration_parse();
	test_format();
	return unit_done();
}
