/* ops_serve: routes, and /health on a home without any recorded run. */
#include "ops_serve.h"

#include "unit.h"

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
