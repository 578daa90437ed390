#include "ops_sanitize.h"

#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

size_t
ops_utf8_char(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n;

	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, c = u[0] & 0x1f, min = 0x80;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, c = u[0] & 0x0f, min = 0x800;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, c = u[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

int
ops_utf8_valid(const char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	while (n > 0) {
		k = ops_utf8_char(s, n, &cp);
		if (k == 0 || cp == 0)
			return 0;
		s += k;
		n -= k;
	}
	return 1;
}

/* Characters that move the cursor, change colours or reverse text. */
int
ops_san_is_control(uint32_t cp, enum ops_san how)
{
	if (cp == '\n')
		return how == OPS_SAN_LINE;
	if (cp == '\t')
		return 0;
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 1;
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void
ops_san_add(struct ops_buf *b, const char *s, size_t n, enum ops_san how)
{
	uint32_t cp;
	size_t k;

	while (n > 0) {
		k = ops_utf8_char(s, n, &cp);
		if (k == 0) {
			ops_buf_puts(b, REPLACEMENT);
			k = 1;
		} else if (how == OPS_SAN_JSON) {
			ops_buf_add(b, s, k);
		} else if (how == OPS_SAN_PROM) {
			if (cp == '\\')
				ops_buf_puts(b, "\\\\");
			else if (cp == '"')
				ops_buf_puts(b, "\\\"");
			else if (cp == '\n')
				ops_buf_puts(b, "\\n");
			else if (ops_san_is_control(cp, OPS_SAN_LINE))
				ops_buf_puts(b, "?");
			else
				ops_buf_add(b, s, k);
		} else if (ops_san_is_control(cp, how)) {
			ops_buf_puts(b, "?");
		} else {
			ops_buf_add(b, s, k);
		}
		s += k;
		n -= k;
	}
}

void
ops_san_puts(struct ops_buf *b, const char *s, enum ops_san how)
{
	if (s != NULL)
		ops_san_add(b, s, strlen(s), how);
}

char *
ops_san_dup(const char *s, enum ops_san how)
{
	struct ops_buf b = OPS_BUF_INIT;

	ops_buf_puts(&b, "");
	ops_san_puts(&b, s, how);
	if (b.oom) {
		ops_buf_release(&b);
		return NULL;
	}
	return b.s;
}

void
ops_san_inplace(char *s, enum ops_san how)
{
	size_t n = strlen(s), k;
	uint32_t cp;

	while (n > 0) {
		k = ops_utf8_char(s, n, &cp);
		if (k == 0) {
			*s = '?';
			k = 1;
		} else if (how != OPS_SAN_JSON && ops_san_is_control(cp, how)) {
			memset(s, '?', k);
		}
		s += k;
		n -= k;
	}
}
