/* ops_serve: routes, and /health on a home without any recorded run. */
#include "ops_serve.h"

#include <sqlite3.h>

#include "ops_alert_store.h"
#include "ops_catalog.h"
#include "ops_state.h"
#include "ops_time.h"
#include "unit.h"

/* The value of a metric line "NAME VALUE" in the /metrics body, -1 if none. */
static long
metric(struct ops_serve *sv, struct ops_serve_reply *r, const char *name)
{
	const char *p;
	char key[64];

	snprintf(key, sizeof(key), "\n%s ", name);
	if (ops_serve_get(sv, "/metrics", NULL, NULL, r) != 0 || r->status != 200 ||
	    (p = strstr(ops_buf_str(&r->body), key)) == NULL)
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

/* Prometheus counters must not go down: pruning old alert_sent and
 * catalog rows leaves dharmic_alerts_sent_total and
 * dharmic_backups_made_total where they were. */
static void
counters_survive_pruning(struct ops_serve *sv, struct ops_serve_reply *r, const char *home)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_catalog_row row;
	double now = ops_time_now();
	int64_t id, n = -1;
	sqlite3_stmt *s = NULL;

	CHECK(ops_state_open(&st, home, &err) == 0);
	CHECK(ops_alert_store_sent_add(&st, now - 9 * 86400, "daemon_down", OPS_ALERT_FIRING,
	    OPS_CRITICAL, &id, &err) == 0);
	CHECK(ops_alert_store_sent_add(&st, now - 8 * 86400, "daemon_down", OPS_ALERT_RESOLVED,
	    OPS_OK, &id, &err) == 0);
	CHECK(ops_alert_store_sent_add(&st, now - 60, "disk_low", OPS_ALERT_FIRING,
	    OPS_WARNING, &id, &err) == 0);
	for (int i = 0; i < 2; i++) {
		memset(&row, 0, sizeof(row));
		snprintf(row.name, sizeof(row.name), "2026010%d_000000.tar.zst", i + 1);
		row.created = now - (2 - i) * 86400;
		strcpy(row.compression, "zstd");
		CHECK(ops_catalog_put(&st, &row, &err) == 0);
	}
	EQ_INT(metric(sv, r, "dharmic_alerts_sent_total"), 3);
	EQ_INT(metric(sv, r, "dharmic_backups_made_total"), 2);

	/* The week-old notices and the older archive go. */
	CHECK(ops_alert_store_prune(&st, now, &err) == 0);
	CHECK(ops_catalog_remove(&st, "20260101_000000.tar.zst", &err) == 0);
	CHECK(ops_state_prepare(&st, "SELECT count(*) FROM alert_sent", &s, &err) == 0);
	CHECK(ops_state_step_int64(&st, s, "count", &n, &err) == 0);
	EQ_INT(n, 1);	/* really pruned */
	EQ_INT(metric(sv, r, "dharmic_alerts_sent_total"), 3);
	EQ_INT(metric(sv, r, "dharmic_backups_made_total"), 2);

	/* A prune with nothing to do, and more sent: on from there. */
	CHECK(ops_alert_store_prune(&st, now, &err) == 0);
	CHECK(ops_alert_store_sent_add(&st, now, "disk_low", OPS_ALERT_RESOLVED, OPS_OK, &id,
	    &err) == 0);
	EQ_INT(metric(sv, r, "dharmic_alerts_sent_total"), 4);
	/* Removing an unknown archive prunes nothing. */
	CHECK(ops_catalog_remove(&st, "20250101_000000.tar.zst", &err) == 0);
	EQ_INT(metric(sv, r, "dharmic_backups_made_total"), 2);
	ops_state_close(&st);
}

int
main(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_serve sv;
	struct ops_serve_reply r = OPS_SERVE_REPLY_INIT;
	struct ops_serve_health h;
	char *dir = unit_tmpdir();

	CHECK(ops_config_load_text(&cfg, dir, "{}", 2, "test", &err) == 0);
	ops_serve_init(&sv, &cfg);

	/* Unknown paths, path tricks: 404, nothing opened. */
	static const char *const nf[] = { "/nope", "/../etc/passwd", "/metrics/",
		"/api/v1/", "//metrics", "/api/v1/status/../../x", "/health?x", "" };
	for (size_t i = 0; i < sizeof(nf) / sizeof(nf[0]); i++) {
		unit_case("%s", nf[i]);
		EQ_INT(ops_serve_get(&sv, nf[i], NULL, NULL, &r), 0);
		EQ_INT(r.status, 404);
		EQ_STR(r.type, OPS_SERVE_JSON_TYPE);
		HAS_STR(ops_buf_str(&r.body), "\"error\":\"not found\"");
	}
	unit_case("%s", "");

	/* No state database: UNKNOWN, stale, 503. */
	EQ_INT(ops_serve_get(&sv, "/health", NULL, NULL, &r), 0);
	EQ_INT(r.status, 503);
	HAS_STR(ops_buf_str(&r.body), "\"state\":\"UNKNOWN\"");
	HAS_STR(ops_buf_str(&r.body), "\"stale\":true");
	EQ_INT(ops_serve_last_run(&cfg, 1e9, &h), 0);
	EQ_INT(h.stale, 1);
	EQ_INT(h.state, 3);

	/* History arguments are checked. */
	EQ_INT(ops_serve_get(&sv, "/api/v1/history", "soon", NULL, &r), 0);
	EQ_INT(r.status, 400);
	EQ_INT(ops_serve_get(&sv, "/api/v1/history", NULL, "../x", &r), 0);
	EQ_INT(r.status, 400);
	EQ_INT(ops_serve_get(&sv, "/api/v1/history", "2h", "daemon", &r), 0);
	EQ_INT(r.status, 200);
	HAS_STR(ops_buf_str(&r.body), "\"results\":[]");

	/* The metrics carry the counters only the server adds. */
	EQ_INT(ops_serve_get(&sv, "/metrics", NULL, NULL, &r), 0);
	EQ_INT(r.status, 200);
	EQ_STR(r.type, OPS_SERVE_PROM_TYPE);
	HAS_STR(ops_buf_str(&r.body), "# TYPE dharmic_restarts_total counter\n"
	    "dharmic_restarts_total 0\n");
	HAS_STR(ops_buf_str(&r.body), "dharmic_alerts_sent_total 0\n");
	HAS_STR(ops_buf_str(&r.body), "dharmic_backups_made_total 0\n");
	counters_survive_pruning(&sv, &r, dir);
	/* The page says STALE: there never was a run. */
	EQ_INT(ops_serve_get(&sv, "/", NULL, NULL, &r), 0);
	EQ_STR(r.type, OPS_SERVE_HTML_TYPE);
	HAS_STR(ops_buf_str(&r.body), "id=\"stale\"");
	HAS_STR(ops_buf_str(&r.body), "no health run recorded");

	/* A model older than a second: answered from it at once, the
	 * gatherer thread asked for a new one; release stops it. */
	usleep(1100000);
	EQ_INT(ops_serve_get(&sv, "/metrics", NULL, NULL, &r), 0);
	EQ_INT(r.status, 200);
	usleep(300000);
	EQ_INT(ops_serve_get(&sv, "/api/v1/checks", NULL, NULL, &r), 0);
	EQ_INT(r.status, 200);
	CHECK(sv.started);

	ops_serve_reply_release(&r);
	ops_serve_release(&sv);
	ops_config_release(&cfg);
	unit_cleanup(dir);
	return unit_done();
}
