#include "ops_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
grow(struct ops_buf *b, size_t need)
{
	size_t cap;
	char *s;

	if (b->oom)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (s == NULL) {
		b->oom = 1;
		return -1;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

void
ops_buf_add(struct ops_buf *b, const char *s, size_t n)
{
	if (grow(b, n) < 0)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
ops_buf_puts(struct ops_buf *b, const char *s)
{
	ops_buf_add(b, s, strlen(s));
}

void
ops_buf_printf(struct ops_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
ops_buf_shquote(struct ops_buf *b, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-./:@%+,=";

	if (*s != '\0' && s[strspn(s, safe)] == '\0') {
		ops_buf_puts(b, s);
		return;
	}
	ops_buf_add(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			ops_buf_puts(b, "'\\''");
		else
			ops_buf_add(b, s, 1);
	}
	ops_buf_add(b, "'", 1);
}

const char *
ops_buf_str(const struct ops_buf *b)
{
	return b->s ? b->s : "";
}

void
ops_buf_reset(struct ops_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
ops_buf_release(struct ops_buf *b)
{
	if (b == NULL)
		return;
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
