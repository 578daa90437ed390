/* ops_context: redaction of env file values, capture of a file's tail
 * (sanitised, redacted, bounded) and the incident table. */
#include "ops_context.h"

#include <limits.h>
#include <string.h>

#include "unit.h"

static char *tmp;

static const char *
path(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static void
test_redact(void)
{
	struct ops_err e = OPS_ERR_INIT;
	char *text = strdup("key=s3cr3t-value and s3cr3t-value again; DEBUG=1 x\n");

	unit_write(path(".env"), "# comment\nexport TOKEN='s3cr3t-value'\nDEBUG=1\n"
	    "SHORT=abc\n\nbroken line\n");
	EQ_INT(ops_context_redact(path(".env"), &text, &e), 0);
	EQ_STR(text, "key=[redacted] and [redacted] again; DEBUG=1 x\n");
	EQ_INT(ops_context_redact(path("no-such-env"), &text, &e), 0);
	free(text);
}

static void
test_capture(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_config cfg;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_report r = OPS_REPORT_INIT;
	char *text = NULL, *src = NULL, source[256];
	double ts = 0;
	const char *conf = "{\"health\": {\"context\": {\"app\": {\"file\": \"app.log\","
	    " \"max_lines\": 2}, \"web\": {\"newest\": \"w*.log\"}}}}";
	const struct ops_context_cfg *cc;

	unit_write(path("app.log"), "one\ntwo s3cr3t-value\nthree \033]0;title\007\n");
	EQ_INT(ops_config_load_text(&cfg, tmp, conf, strlen(conf), "t", &e), 0);
	cc = ops_context_for(&cfg, "app");
	CHECK(cc != NULL && ops_context_for(&cfg, "nope") == NULL);
	if (cc == NULL)
		return;
	EQ_INT(ops_context_capture(&cfg, cc, &text, source, sizeof(source), &e), 0);
	EQ_STR(text, "two [redacted]\nthree ?]0;title?\n");
	EQ_STR(source, "app.log");
	free(text);
	/* no file for the glob: an error to keep as the context */
	cc = ops_context_for(&cfg, "web");
	if (cc == NULL)
		return;
	EQ_INT(ops_context_capture(&cfg, cc, &text, source, sizeof(source), &e), -1);
	HAS_STR(e.msg, "no file matches");
	/* record: only a changed, non-OK result with a context */
	EQ_INT(ops_state_open(&st, tmp, &e), 0);
	ops_report_add(&r, "app", OPS_WARNING, "bad");
	ops_report_add(&r, "disk", OPS_CRITICAL, "full");
	r.v[0].changed = r.v[1].changed = 1;
	r.v[0].since = r.v[1].since = 1000;
	EQ_INT(ops_context_record(&cfg, &st, &r, 1000, &e), 0);
	EQ_INT(ops_context_get(&cfg, &st, "app", 990, 0, 0, &src, &text, &ts, &e), 1);
	EQ_STR(src, "app.log");
	EQ_DBL(ts, 1000, 1e-9);
	free(src);
	free(text);
	EQ_INT(ops_context_get(&cfg, &st, "disk", 0, 1, 0, &src, &text, &ts, &e), 0);
	/* the web context fails to capture: what failed is stored instead */
	EQ_INT(ops_context_get(&cfg, &st, "web", 2000, 1, 2000, &src, &text, &ts, &e), 1);
	HAS_STR(text, "no file matches");
	free(src);
	free(text);
	ops_report_release(&r);
	ops_state_close(&st);
	ops_config_release(&cfg);
}

/* A check's own "context" key (plugin, endpoint, log, Monit service)
 * and health.context: the own key wins; health.monit.context by Monit's
 * name, then health.context, then its "*". */
static void
test_per_check(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_config cfg;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_report r = OPS_REPORT_INIT;
	char *text = NULL, *src = NULL;
	double ts = 0;
	const char *conf = "{\"health\": {"
	    "\"checks\": [{\"name\": \"p\", \"command\": [\"true\"],"
	    "  \"context\": {\"file\": \"p.log\", \"max_lines\": 1}},"
	    " {\"name\": \"q\", \"command\": [\"true\"]}],"
	    "\"endpoints\": [{\"name\": \"web\", \"url\": \"tcp://127.0.0.1:1\","
	    "  \"context\": {\"journal\": \"web.service\", \"max_lines\": 500}}],"
	    "\"logs\": [{\"name\": \"app\", \"path\": \"app.log\","
	    "  \"context\": {\"newest\": \"w*.log\"}}],"
	    "\"monit\": {\"context\": {\"*\": {\"file\": \"m-any.log\"},"
	    "  \"other.log\": {\"file\": \"m-other.log\", \"max_lines\": 7}}},"
	    "\"context\": {\"p\": {\"file\": \"shadowed.log\"}, \"q\": {\"file\": \"q.log\"},"
	    "  \"monit_flag\": {\"file\": \"m-flag.log\"}, \"disk\": {\"file\": \"d.log\"}}"
	    "}}";
	const struct ops_context_cfg *cc;

	EQ_INT(ops_config_load_text(&cfg, tmp, conf, strlen(conf), "t", &e), 0);
	unit_case("%s", e.msg);
	/* the plugin's own key wins over health.context's entry */
	cc = ops_context_for(&cfg, "p");
	CHECK(cc != NULL && strcmp(cc->target, "p.log") == 0 && cc->max_lines == 1);
	/* no own key: health.context */
	cc = ops_context_for(&cfg, "q");
	CHECK(cc != NULL && strcmp(cc->target, "q.log") == 0 && cc->max_lines == 50);
	cc = ops_context_for(&cfg, "web");
	CHECK(cc != NULL && cc->kind == OPS_CTX_JOURNAL &&
	    strcmp(cc->target, "web.service") == 0 && cc->max_lines == 500);
	cc = ops_context_for(&cfg, "app");
	CHECK(cc != NULL && cc->kind == OPS_CTX_NEWEST && strcmp(cc->target, "w*.log") == 0);
	cc = ops_context_for(&cfg, "disk");
	CHECK(cc != NULL && strcmp(cc->target, "d.log") == 0);
	/* Monit: its name made a check name; health.context; then "*" */
	cc = ops_context_for(&cfg, "monit_other_log");
	CHECK(cc != NULL && strcmp(cc->target, "m-other.log") == 0 && cc->max_lines == 7);
	cc = ops_context_for(&cfg, "monit_flag");
	CHECK(cc != NULL && strcmp(cc->target, "m-flag.log") == 0);
	cc = ops_context_for(&cfg, "monit_sleeper");
	CHECK(cc != NULL && strcmp(cc->target, "m-any.log") == 0);
	/* "*" is for Monit's services only */
	CHECK(ops_context_for(&cfg, "heartbeat") == NULL);
	CHECK(ops_context_for(&cfg, "monit") == NULL);
	unit_case("%s", "");

	/* captured and stored under the check's name, not the config key */
	unit_write(path("p.log"), "p one\np two\n");
	unit_write(path("m-any.log"), "any\n");
	EQ_INT(ops_state_open(&st, tmp, &e), 0);
	ops_report_add(&r, "p", OPS_CRITICAL, "down");
	ops_report_add(&r, "monit_sleeper", OPS_CRITICAL, "does not exist");
	r.v[0].changed = r.v[1].changed = 1;
	r.v[0].since = r.v[1].since = 1000;
	EQ_INT(ops_context_record(&cfg, &st, &r, 1000, &e), 0);
	EQ_INT(ops_context_get(&cfg, &st, "p", 1000, 0, 0, &src, &text, &ts, &e), 1);
	EQ_STR(text ? text : "", "p two\n");
	EQ_STR(src ? src : "", "p.log");
	free(src);
	free(text);
	EQ_INT(ops_context_get(&cfg, &st, "monit_sleeper", 1000, 0, 0, &src, &text, &ts,
	    &e), 1);
	EQ_STR(text ? text : "", "any\n");
	free(src);
	free(text);
	EQ_INT(ops_context_get(&cfg, &st, "*", 0, 0, 0, &src, &text, &ts, &e), 0);
	ops_report_release(&r);
	ops_state_close(&st);
	ops_config_release(&cfg);

	/* a Monit name: 127 bytes at most, as Monit's own buffer */
	for (size_t len = 127; len <= 128; len++) {
		char name[160], text2[400];

		memset(name, 'n', len);
		name[len] = '\0';
		snprintf(text2, sizeof(text2), "{\"health\": {\"monit\": {\"context\": "
		    "{\"%s\": {\"file\": \"a.log\"}}}}}", name);
		unit_case("monit name of %zu bytes", len);
		EQ_INT(ops_config_load_text(&cfg, tmp, text2, strlen(text2), "t", &e),
		    len == 127 ? 0 : -1);
		ops_config_release(&cfg);
	}
	unit_case("%s", "");
}

int
main(void)
{
	tmp = unit_tmpdir();
	test_redact();
	test_capture();
	test_per_check();
	unit_cleanup(tmp);
	return unit_done();
}
