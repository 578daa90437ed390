/* ops_strv: the argv-shaped vector of owned strings. */
#include "ops_strv.h"

#include "unit.h"

int
main(void)
{
	struct ops_strv a = OPS_STRV_INIT, b = OPS_STRV_INIT;
	char word[8];

	CHECK(a.v == NULL);
	EQ_INT(a.n, 0);
	ops_strv_sort(&a);	/* empty: nothing to do */

	strcpy(word, "pear");
	EQ_INT(ops_strv_push(&a, word), 0);
	strcpy(word, "apple");	/* the vector holds copies */
	EQ_INT(ops_strv_push(&a, word), 0);
	EQ_INT(ops_strv_push(&a, "fig"), 0);
	EQ_INT(ops_strv_push(&a, ""), 0);
	EQ_INT(a.n, 4);
	EQ_STR(a.v[0], "pear");
	EQ_STR(a.v[1], "apple");
	CHECK(a.v[4] == NULL);	/* NULL-terminated for execvp */

	ops_strv_sort(&a);
	EQ_STR(a.v[0], "");
	EQ_STR(a.v[1], "apple");
	EQ_STR(a.v[2], "fig");
	EQ_STR(a.v[3], "pear");
	CHECK(a.v[4] == NULL);

	/* copy replaces what dst held; the copies are independent */
	EQ_INT(ops_strv_push(&b, "old"), 0);
	EQ_INT(ops_strv_copy(&b, &a), 0);
	EQ_INT(b.n, 4);
	EQ_STR(b.v[3], "pear");
	CHECK(b.v[3] != a.v[3]);
	CHECK(b.v[4] == NULL);
	ops_strv_release(&a);
	CHECK(a.v == NULL);
	EQ_INT(a.n, 0);
	EQ_STR(b.v[1], "apple");

	/* copy of an empty vector empties dst */
	EQ_INT(ops_strv_copy(&b, &a), 0);
	EQ_INT(b.n, 0);
	ops_strv_release(&b);
	ops_strv_release(&b);
	ops_strv_release(NULL);

	/* many */
	for (int i = 0; i < 1000; i++) {
		snprintf(word, sizeof(word), "%04d", 999 - i);
		EQ_INT(ops_strv_push(&a, word), 0);
	}
	ops_strv_sort(&a);
	EQ_STR(a.v[0], "0000");
	EQ_STR(a.v[999], "0999");
	CHECK(a.v[1000] == NULL);
	ops_strv_release(&a);
	return unit_done();
}
