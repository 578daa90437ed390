/* ops_buf: a growable NUL-terminated string for building output.
 * The buffer owns buf->s; ops_buf_release frees it. An allocation failure
 * sets buf->oom and later appends do nothing, so callers check once. */
#ifndef OPS_BUF_H
#define OPS_BUF_H

#include <stddef.h>

struct ops_buf {
	char *s;
	size_t len, cap;
	int oom;
};

#define OPS_BUF_INIT { NULL, 0, 0, 0 }

void ops_buf_add(struct ops_buf *b, const char *s, size_t n);
void ops_buf_puts(struct ops_buf *b, const char *s);
void ops_buf_printf(struct ops_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s quoted for sh(1): as it is when it holds only characters that
 * need no quoting (letters, digits, _ - . / : @ % + , =), else in single
 * quotes with each ' written '\''. */
void ops_buf_shquote(struct ops_buf *b, const char *s);
/* The contents ("" when empty); valid until the next append. */
const char *ops_buf_str(const struct ops_buf *b);
void ops_buf_reset(struct ops_buf *b);
void ops_buf_release(struct ops_buf *b);

#endif
