/* ops_strv: a NULL-terminated vector of owned strings (argv-shaped, so it
 * can go straight to execvp). ops_strv_release frees the strings and the
 * vector. */
#ifndef OPS_STRV_H
#define OPS_STRV_H

#include <stddef.h>

struct ops_strv {
	char **v;	/* v[n] == NULL when n > 0 */
	size_t n;
};

#define OPS_STRV_INIT { NULL, 0 }

/* Append a copy of s. -1 on allocation failure (the vector is unchanged). */
int ops_strv_push(struct ops_strv *sv, const char *s);
/* Replace dst's contents with copies of src's. */
int ops_strv_copy(struct ops_strv *dst, const struct ops_strv *src);
void ops_strv_sort(struct ops_strv *sv);
void ops_strv_release(struct ops_strv *sv);

#endif
