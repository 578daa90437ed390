/* ops_sanitize: every mode yields valid UTF-8 and keeps out what its
 * format cannot hold. */
#include "ops_sanitize.h"

#include "unit.h"

static void
san(const char *in, size_t n, enum ops_san how, const char *want)
{
	struct ops_buf b = OPS_BUF_INIT;

	ops_buf_puts(&b, "");
	ops_san_add(&b, in, n, how);
	EQ_STR(ops_buf_str(&b), want);
	CHECK(ops_utf8_valid(b.s, b.len));
	ops_buf_release(&b);
}

#define S(lit) lit, sizeof(lit) - 1
#define FFFD "\xef\xbf\xbd"

int
main(void)
{
	uint32_t cp = 0;
	char *d, fixed[64];

	/* The decoder: valid forms accepted, every invalid one refused. */
	EQ_INT((int)ops_utf8_char(S("\xc3\xa9"), &cp), 2);
	EQ_INT((int)cp, 0xe9);
	EQ_INT((int)ops_utf8_char(S("\xf0\x9f\x98\x80"), &cp), 4);
	EQ_INT((int)ops_utf8_char(S("\xc0\xaf"), &cp), 0);	/* overlong '/' */
	EQ_INT((int)ops_utf8_char(S("\xe0\x80\xaf"), &cp), 0);	/* overlong */
	EQ_INT((int)ops_utf8_char(S("\xed\xa0\x80"), &cp), 0);	/* surrogate */
	EQ_INT((int)ops_utf8_char(S("\xf4\x90\x80\x80"), &cp), 0);	/* > U+10FFFF */
	EQ_INT((int)ops_utf8_char(S("\xe2\x82"), &cp), 0);	/* truncated */
	EQ_INT((int)ops_utf8_char(S("\x80"), &cp), 0);	/* lone continuation */
	CHECK(ops_utf8_valid(S("caf\xc3\xa9")));
	CHECK(!ops_utf8_valid(S("caf\xc3")));
	CHECK(!ops_utf8_valid("a\0b", 3));

	/* JSON: only validity; the encoder escapes controls itself. */
	san(S("ok \xff\xfe end"), OPS_SAN_JSON, "ok " FFFD FFFD " end");
	san(S("caf\xc3\xa9\n\x1b[31m"), OPS_SAN_JSON, "caf\xc3\xa9\n\x1b[31m");
	san(S("{\"a\":\"\xc3\"}"), OPS_SAN_JSON, "{\"a\":\"" FFFD "\"}");

	/* Prometheus label values: escapes, controls, validity. */
	san(S("a\\b\"c\nd"), OPS_SAN_PROM, "a\\\\b\\\"c\\nd");
	san(S("x\x1b[2Jy\xc3("), OPS_SAN_PROM, "x?[2Jy" FFFD "(");

	/* Terminal: no escape sequence, no C1 CSI, no reversed text. */
	san(S("\x1b]0;pwned\x07ok"), OPS_SAN_TERM, "?]0;pwned?ok");
	san(S("a\xc2\x9b" "31mb"), OPS_SAN_TERM, "a?31mb");
	san(S("evil\xe2\x80\xaetxt.exe"), OPS_SAN_TERM, "evil?txt.exe");
	san(S("two\nlines\tand tab\r"), OPS_SAN_TERM, "two\nlines\tand tab?");
	san(S("caf\xc3\xa9 \xe2\x9c\x93"), OPS_SAN_TERM, "caf\xc3\xa9 \xe2\x9c\x93");

	/* A log line stays one line. */
	san(S("daily_20260101.log\n[2026-01-01] deleted /etc"), OPS_SAN_LINE,
	    "daily_20260101.log?[2026-01-01] deleted /etc");

	d = ops_san_dup("bad \xff", OPS_SAN_LINE);
	EQ_STR(d, "bad " FFFD);
	free(d);
	d = ops_san_dup(NULL, OPS_SAN_JSON);
	EQ_STR(d, "");
	free(d);

	/* In place: never grows, invalid bytes become '?'. */
	snprintf(fixed, sizeof(fixed), "name '\x1b[1mx\xff\xc2\x9b\n'");
	ops_san_inplace(fixed, OPS_SAN_LINE);
	EQ_STR(fixed, "name '?[1mx?" "?" "?" "?'");
	return unit_done();
}
