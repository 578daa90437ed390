/* ops_sanitize: the one place where bytes from outside (plugin output,
 * file names, archive member names, config strings) are made safe for the
 * format they are written into. Every output format goes through here:
 * --json and the webhook body (OPS_SAN_JSON), the Prometheus text file
 * (OPS_SAN_PROM), the terminal (OPS_SAN_TERM) and log files such as
 * rotation.log and error messages (OPS_SAN_LINE).
 *
 * The rules, per mode:
 *   invalid UTF-8 (bad lead or continuation bytes, overlong forms,
 *   surrogates, code points above U+10FFFF, a truncated sequence): each
 *   offending byte becomes U+FFFD, so the output is always valid UTF-8.
 *   OPS_SAN_JSON  nothing else: the JSON encoder (cJSON) escapes control
 *                 characters, '"' and '\\' itself. Applying it to a whole
 *                 printed JSON text is also correct, because outside
 *                 strings the encoder writes only ASCII.
 *   OPS_SAN_PROM  a label value: '\\', '"' and '\n' escaped as the text
 *                 format wants; every other control character becomes '?'.
 *   OPS_SAN_TERM  C0 controls but '\n' and '\t', DEL, the C1 controls
 *                 (U+0080..U+009F, where a UTF-8 terminal reads CSI) and
 *                 the bidirectional overrides (U+202A..U+202E,
 *                 U+2066..U+2069) become '?': no escape sequence reaches
 *                 the terminal and no text is drawn reversed.
 *   OPS_SAN_LINE  like OPS_SAN_TERM, and '\n', '\r' become '?' too: one
 *                 line of a log stays one line (a newline in a file name
 *                 cannot forge a line in rotation.log).
 *
 * No function here fails except for memory; none prints. */
#ifndef OPS_SANITIZE_H
#define OPS_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"

enum ops_san {
	OPS_SAN_JSON,
	OPS_SAN_PROM,
	OPS_SAN_TERM,
	OPS_SAN_LINE,
};

/* Length (1-4) of the valid UTF-8 character at s (at most len bytes), its
 * code point in *cp; 0 when the bytes there are not valid UTF-8. */
size_t ops_utf8_char(const char *s, size_t len, uint32_t *cp);

/* 1 when code point cp is one that how replaces by '?' (for code that
 * draws a character at a time, such as the dashboard's clipped text). */
int ops_san_is_control(uint32_t cp, enum ops_san how);

/* 1 when the n bytes at s are valid UTF-8 (a NUL byte counts as invalid). */
int ops_utf8_valid(const char *s, size_t n);

/* Append the n bytes at s to b, sanitised for how. An allocation failure
 * sets b->oom, as every ops_buf append does. */
void ops_san_add(struct ops_buf *b, const char *s, size_t n, enum ops_san how);

/* The same for a NUL-terminated string (NULL appends nothing). */
void ops_san_puts(struct ops_buf *b, const char *s, enum ops_san how);

/* A sanitised copy of s (NULL gives ""); the caller frees it. NULL only
 * when out of memory. */
char *ops_san_dup(const char *s, enum ops_san how);

/* Sanitise s in place for OPS_SAN_TERM or OPS_SAN_LINE without growing it:
 * invalid bytes become '?' instead of U+FFFD. For fixed buffers such as
 * struct ops_err's message. */
void ops_san_inplace(char *s, enum ops_san how);

#endif
