/* ops_logcheck: counting matching lines, and the email check's entry. */
#include "ops_logcheck.h"

#include "unit.h"

static void
test_count(void)
{
	static const struct {
		const char *text, *pattern;
		long want;
		size_t lines;
	} cases[] = {
		{ "", "ERROR", 0, 0 },
		{ "a\nERROR b\nc ERROR\n", "ERROR", 2, 3 },
		{ "a\nERROR b\nc ERROR", "^ERROR", 1, 3 },
		{ "x\n\n\ny\n", "x|y", 2, 2 },			/* empty lines not counted */
		{ "Traceback (most\n[CRITICAL] x\n[ERROR]\n[WARN]\n",
		  "ERROR|CRITICAL|Traceback", 3, 4 },
		{ "no newline at the end ERROR", "ERROR$", 1, 1 },
		{ "error\n", "ERROR", 0, 1 },			/* case matters */
	};
	size_t lines;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_case("%zu", i);
		EQ_INT(ops_logcheck_count(cases[i].text, cases[i].pattern, &lines),
		    cases[i].want);
		EQ_INT(lines, cases[i].lines);
	}
	unit_case("%s", "");
	EQ_INT(ops_logcheck_count("x", "(", &lines), -1);
}

static void
test_email(void)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_config cfg;
	struct ops_logcheck_cfg lc;
	const char *seed = "{\"health\": {\"email_window\": 7, \"email_errors\": 2}}";
	const char *own = "{\"health\": {\"logs\": [{\"name\": \"app\", \"path\": \"a.log\"},"
	    " {\"name\": \"email\", \"path\": \"mail/*.log\", \"crit\": 9}]}}";

	EQ_INT(ops_config_load_text(&cfg, "/h", seed, strlen(seed), "t", &e), 0);
	ops_logcheck_email(&cfg, &lc);
	EQ_STR(lc.name, "email");
	EQ_STR(lc.path, "logs/email_*.log");
	EQ_STR(lc.pattern, "ERROR");
	EQ_INT(lc.window, 7);
	EQ_INT(lc.warn, 2);
	EQ_INT(lc.crit, -1);
	EQ_INT(lc.by_name, 1);
	ops_config_release(&cfg);
	EQ_INT(ops_config_load_text(&cfg, "/h", own, strlen(own), "t", &e), 0);
	ops_logcheck_email(&cfg, &lc);
	EQ_STR(lc.path, "mail/*.log");
	EQ_STR(lc.pattern, "ERROR|CRITICAL|Traceback");
	EQ_INT(lc.window, 100);
	EQ_INT(lc.warn, 5);
	EQ_INT(lc.crit, 9);
	EQ_INT(lc.by_name, 0);
	ops_config_release(&cfg);
}

int
main(void)
{
	test_count();
	test_email();
	return unit_done();
}
