/* ops_buf: the growable string. */
#include "ops_buf.h"

#include "unit.h"

int
main(void)
{
	struct ops_buf b = OPS_BUF_INIT;
	char big[1000];

	/* empty: "" not NULL */
	EQ_STR(ops_buf_str(&b), "");
	EQ_INT(b.len, 0);
	ops_buf_reset(&b);	/* on an empty buffer */
	EQ_STR(ops_buf_str(&b), "");

	ops_buf_puts(&b, "abc");
	ops_buf_add(&b, "defgh", 2);
	ops_buf_printf(&b, "-%d-%s-%.1f", 42, "x", 2.25);
	EQ_STR(ops_buf_str(&b), "abcde-42-x-2.2");
	EQ_INT(b.len, 14);
	CHECK(b.cap > b.len);
	EQ_INT(b.oom, 0);

	/* growth well past the first allocation keeps everything */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		ops_buf_puts(&b, big);
	EQ_INT(b.len, 14 + 20 * 999);
	EQ_INT(strlen(ops_buf_str(&b)), b.len);
	CHECK(strncmp(ops_buf_str(&b), "abcde-42-x-2.2qqq", 17) == 0);
	ops_buf_printf(&b, "%s|%s", big, big);
	EQ_INT(b.len, 14 + 20 * 999 + 999 * 2 + 1);
	EQ_INT(b.s[b.len], '\0');
	EQ_INT(b.s[14 + 21 * 999], '|');

	/* reset keeps the memory, empties the text */
	ops_buf_reset(&b);
	EQ_INT(b.len, 0);
	EQ_STR(ops_buf_str(&b), "");
	CHECK(b.cap > 0);
	ops_buf_printf(&b, "%s", "");
	EQ_STR(ops_buf_str(&b), "");
	ops_buf_add(&b, "z", 0);
	EQ_STR(ops_buf_str(&b), "");
	ops_buf_puts(&b, "again");
	EQ_STR(ops_buf_str(&b), "again");

	/* shell quoting: bare when safe, else single quotes */
	{
		static const struct { const char *in, *out; } q[] = {
			{ "/usr/bin/ops-health", "/usr/bin/ops-health" },
			{ "a_b-c.d/e:f@g%h+i,j=k", "a_b-c.d/e:f@g%h+i,j=k" },
			{ "", "''" },
			{ "a b", "'a b'" },
			{ "it's", "'it'\\''s'" },
			{ "$HOME;rm *", "'$HOME;rm *'" },
			{ "new\nline", "'new\nline'" },
		};

		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			ops_buf_reset(&b);
			ops_buf_shquote(&b, q[i].in);
			EQ_STR(ops_buf_str(&b), q[i].out);
		}
		ops_buf_reset(&b);
		ops_buf_puts(&b, "again");
	}

	/* after an allocation failure appends do nothing */
	b.oom = 1;
	ops_buf_puts(&b, "lost");
	ops_buf_printf(&b, "%d", 1);
	EQ_STR(ops_buf_str(&b), "again");

	ops_buf_release(&b);
	CHECK(b.s == NULL);
	EQ_INT(b.len, 0);
	EQ_INT(b.cap, 0);
	EQ_INT(b.oom, 0);
	EQ_STR(ops_buf_str(&b), "");
	ops_buf_release(&b);
	ops_buf_release(NULL);
	return unit_done();
}
