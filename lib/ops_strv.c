#include "ops_strv.h"

#include <stdlib.h>
#include <string.h>

int
ops_strv_push(struct ops_strv *sv, const char *s)
{
	char **v, *copy;

	copy = strdup(s);
	if (copy == NULL)
		return -1;
	v = realloc(sv->v, (sv->n + 2) * sizeof(*v));
	if (v == NULL) {
		free(copy);
		return -1;
	}
	v[sv->n++] = copy;
	v[sv->n] = NULL;
	sv->v = v;
	return 0;
}

int
ops_strv_copy(struct ops_strv *dst, const struct ops_strv *src)
{
	struct ops_strv tmp = OPS_STRV_INIT;

	for (size_t i = 0; i < src->n; i++) {
		if (ops_strv_push(&tmp, src->v[i]) < 0) {
			ops_strv_release(&tmp);
			return -1;
		}
	}
	ops_strv_release(dst);
	*dst = tmp;
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
ops_strv_sort(struct ops_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp);
}

void
ops_strv_release(struct ops_strv *sv)
{
	if (sv == NULL)
		return;
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}
