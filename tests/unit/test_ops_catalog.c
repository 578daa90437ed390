/* ops_catalog: archive states, rows, runs and consecutive failures. */
#include "ops_catalog.h"

#include "unit.h"

static void
test_rows(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_catalog_row row, got;

	memset(&row, 0, sizeof(row));
	snprintf(row.name, sizeof(row.name), "20260101_000000.tar.zst");
	row.created = 100;
	CHECK(ops_catalog_put(st, &row, &err) == 0);
	CHECK(ops_catalog_get(st, row.name, &got, &err) == 1);
	EQ_INT(got.state, OPS_ARCHIVE_UNCHECKED);
	CHECK(!ops_catalog_row_good(&got));
	EQ_STR(ops_archive_state_name(got.state), "unchecked");

	ops_catalog_row_verdict(&row, OPS_ARCHIVE_GOOD, NULL, 200);
	EQ_STR(row.verify_msg, "ok");
	CHECK(row.verify_ok && row.good_at == 200);
	CHECK(ops_catalog_put(st, &row, &err) == 0);
	CHECK(ops_catalog_get(st, row.name, &got, &err) == 1);
	EQ_INT(got.state, OPS_ARCHIVE_GOOD);
	CHECK(ops_catalog_row_good(&got));

	/* could not check: still good for retention (good once, not bad) */
	ops_catalog_row_verdict(&got, OPS_ARCHIVE_UNCHECKED, "no space", 300);
	CHECK(ops_catalog_put(st, &got, &err) == 0);
	CHECK(ops_catalog_get(st, row.name, &got, &err) == 1);
	EQ_INT(got.state, OPS_ARCHIVE_UNCHECKED);
	EQ_STR(got.verify_msg, "no space");
	CHECK(!got.verify_ok && got.good_at == 200 && got.verified == 300);
	CHECK(ops_catalog_row_good(&got));

	/* bad: no longer good */
	ops_catalog_row_verdict(&got, OPS_ARCHIVE_BAD, "hash mismatch", 400);
	got.offsite = 350;
	snprintf(got.offsite_msg, sizeof(got.offsite_msg), "rclone: 503");
	CHECK(ops_catalog_put(st, &got, &err) == 0);
	CHECK(ops_catalog_get(st, row.name, &got, &err) == 1);
	EQ_INT(got.state, OPS_ARCHIVE_BAD);
	CHECK(!ops_catalog_row_good(&got));
	EQ_DBL(got.offsite, 350, 0);
	EQ_STR(got.offsite_msg, "rclone: 503");
	CHECK(ops_catalog_get(st, "nope", &got, &err) == 0);
	CHECK(ops_catalog_remove(st, row.name, &err) == 0);
	CHECK(ops_catalog_get(st, row.name, &got, &err) == 0);
}

static void
test_runs(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_catalog_run r;
	int64_t n = -1;

	CHECK(ops_catalog_run_last(st, "offsite", 0, &r, &err) == 0);
	CHECK(ops_catalog_run_failures(st, "offsite", &n, &err) == 0);
	EQ_INT(n, 0);
	CHECK(ops_catalog_run_add(st, 10, "offsite", 0, "a", "exit 1", &err) == 0);
	CHECK(ops_catalog_run_add(st, 20, "offsite", 0, "a", "exit 1", &err) == 0);
	CHECK(ops_catalog_run_add(st, 25, "create", 1, "a", NULL, &err) == 0);
	CHECK(ops_catalog_run_failures(st, "offsite", &n, &err) == 0);
	EQ_INT(n, 2);
	CHECK(ops_catalog_run_last(st, "offsite", 1, &r, &err) == 0);
	CHECK(ops_catalog_run_add(st, 30, "offsite", 1, "a", NULL, &err) == 0);
	CHECK(ops_catalog_run_add(st, 40, "offsite", 0, "b", "timed out", &err) == 0);
	CHECK(ops_catalog_run_failures(st, "offsite", &n, &err) == 0);
	EQ_INT(n, 1);
	CHECK(ops_catalog_run_last(st, "offsite", 0, &r, &err) == 1);
	CHECK(r.ts == 40 && !r.ok);
	EQ_STR(r.archive, "b");
	EQ_STR(r.msg, "timed out");
	CHECK(ops_catalog_run_last(st, "offsite", 1, &r, &err) == 1);
	CHECK(r.ts == 30 && r.ok);
	EQ_STR(r.msg, "");
	/* runs older than OPS_CATALOG_RUNS_KEEP go with the next add */
	CHECK(ops_catalog_run_add(st, 40 + OPS_CATALOG_RUNS_KEEP, "create", 1, "c", NULL,
	    &err) == 0);
	CHECK(ops_catalog_run_first(st, "offsite", &r, &err) == 1);
	CHECK(r.ts == 40);
	CHECK(ops_catalog_run_first(st, "create", &r, &err) == 1);
	CHECK(r.ts == 40 + OPS_CATALOG_RUNS_KEEP);
}

int
main(void)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char *tmp = unit_tmpdir();

	CHECK(ops_state_open(&st, tmp, &err) == 0);
	test_rows(&st);
	test_runs(&st);
	ops_state_close(&st);
	unit_cleanup(tmp);
	return unit_done();
}
