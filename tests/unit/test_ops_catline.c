/* ops_catline: the catalog line uploaded beside each offsite archive,
 * formatted and read back; hostile lines refused with a reason. */
#include "ops_catline.h"

#include "unit.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int
main(void)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "", "not a JSON object" },
		{ "[1]", "not a JSON object" },
		{ "{\"name\": \"a\", \"size\": 1, \"sha256\": \"" HEX "\"}", "format" },
		{ "{\"format\": 2, \"name\": \"a\", \"size\": 1, \"sha256\": \"" HEX "\"}", "format" },
		{ "{\"format\": 1, \"size\": 1, \"sha256\": \"" HEX "\"}", "name" },
		{ "{\"format\": 1, \"name\": \"../a\", \"size\": 1, \"sha256\": \"" HEX "\"}", "name" },
		{ "{\"format\": 1, \"name\": \"a b\", \"size\": 1, \"sha256\": \"" HEX "\"}", "name" },
		{ "{\"format\": 1, \"name\": \"a\\u001b[31m\", \"size\": 1, \"sha256\": \"" HEX "\"}", "name" },
		{ "{\"format\": 1, \"name\": \"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "\", \"size\": 1, \"sha256\": \"" HEX "\"}", "name" },
		{ "{\"format\": 1, \"name\": \"a\", \"size\": -1, \"sha256\": \"" HEX "\"}", "size" },
		{ "{\"format\": 1, \"name\": \"a\", \"size\": 1.5, \"sha256\": \"" HEX "\"}", "size" },
		{ "{\"format\": 1, \"name\": \"a\", \"size\": \"1\", \"sha256\": \"" HEX "\"}", "size" },
		{ "{\"format\": 1, \"name\": \"a\", \"size\": 1e300, \"sha256\": \"" HEX "\"}", "size" },
		{ "{\"format\": 1, \"name\": \"a\", \"size\": 1, \"sha256\": \"ABC\"}", "sha256" },
		{ "{\"format\": 1, \"name\": \"a\", \"size\": 1}", "sha256" },
	};
	struct ops_catalog_row row;
	struct ops_buf b = OPS_BUF_INIT;
	struct ops_catline l;
	struct ops_err err = OPS_ERR_INIT;
	char name[128];

	memset(&row, 0, sizeof(row));
	snprintf(row.name, sizeof(row.name), "20261203_031500.tar.zst.age");
	snprintf(row.compression, sizeof(row.compression), "zstd");
	row.size = 123456;
	row.files = 9;
	row.created = 1796000000;
	ops_catline_format(&row, HEX, &b);
	HAS_STR(ops_buf_str(&b), "\"encrypted\": true}\n");
	EQ_INT(ops_catline_parse(ops_buf_str(&b), b.len, &l, &err), 0);
	EQ_STR(l.name, row.name);
	CHECK(l.size == 123456);
	EQ_STR(l.sha256, HEX);
	ops_buf_release(&b);
	/* unknown keys are a later version's: tolerated */
	{
		const char *t = "{\"format\": 1, \"name\": \"a.tar\", \"size\": 0, \"sha256\": \""
		    HEX "\", \"new\": [1]}";

		EQ_INT(ops_catline_parse(t, strlen(t), &l, &err), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unit_case("bad %zu", i);
		ops_err_clear(&err);
		EQ_INT(ops_catline_parse(bad[i].text, strlen(bad[i].text), &l, &err), -1);
		HAS_STR(err.msg, bad[i].why);
	}
	unit_case("%s", "");
	/* a NUL inside, too long */
	EQ_INT(ops_catline_parse("{\"format\": 1}\0x", 15, &l, &err), -1);
	{
		static char big[OPS_CATLINE_MAX + 2];

		memset(big, ' ', sizeof(big) - 1);
		EQ_INT(ops_catline_parse(big, sizeof(big) - 1, &l, &err), -1);
	}
	EQ_INT(ops_catline_name("x.tar", name, sizeof(name)), 0);
	EQ_STR(name, "x.tar.catalog");
	EQ_INT(ops_catline_name("x.tar", name, 8), -1);
	return unit_done();
}
