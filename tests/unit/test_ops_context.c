/* ops_context: redaction of env file values, capture of a file's tail
 * (sanitised, redacted, bounded) and the incident table. */
#include "ops_context.h"

#include <limits.h>

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

int
main(void)
{
	tmp = unit_tmpdir();
	test_redact();
	test_capture();
	unit_cleanup(tmp);
	return unit_done();
}
