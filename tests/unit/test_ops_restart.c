/* ops_restart: the restart policy's decisions, counter parsing, and the
 * crash restarts counted from the state database. */
#include "ops_restart.h"

#include "unit.h"

static void
test_decide(void)
{
	struct ops_restart_policy p = { 60, 900, 3600, 3 };
	struct ops_restart_decision d;
	double t[8];

	/* first crash: at once */
	ops_restart_decide(&p, NULL, 0, 1000, &d);
	EQ_INT(d.verdict, OPS_RESTART_NOW);
	EQ_INT(d.recent, 0);
	/* one restart 30 s ago: back off 60 s */
	t[0] = 970;
	ops_restart_decide(&p, t, 1, 1000, &d);
	EQ_INT(d.verdict, OPS_RESTART_WAIT);
	EQ_DBL(d.next_at, 1030, 0);
	ops_restart_decide(&p, t, 1, 1030, &d);
	EQ_INT(d.verdict, OPS_RESTART_NOW);
	/* two: 120 s after the newest */
	t[1] = 1030;
	ops_restart_decide(&p, t, 2, 1100, &d);
	EQ_INT(d.verdict, OPS_RESTART_WAIT);
	EQ_DBL(d.next_at, 1150, 0);
	ops_restart_decide(&p, t, 2, 1150, &d);
	EQ_INT(d.verdict, OPS_RESTART_NOW);
	/* three in the window: spent, whatever the time */
	t[2] = 1150;
	ops_restart_decide(&p, t, 3, 4000, &d);
	EQ_INT(d.verdict, OPS_RESTART_SPENT);
	EQ_INT(d.recent, 3);
	/* the window slides: the oldest is out, the back-off is from the
	 * newest */
	ops_restart_decide(&p, t, 3, 970 + 3600, &d);
	EQ_INT(d.recent, 2);
	EQ_INT(d.verdict, OPS_RESTART_NOW);
	/* the back-off doubles up to the cap */
	p.burst = 100;
	for (int i = 0; i < 8; i++)
		t[i] = 1000 + i;
	ops_restart_decide(&p, t, 8, 1010, &d);
	EQ_DBL(d.next_at, 1007 + 900, 0);
	/* restarts in the future (a clock set back) do not count */
	t[0] = 9999;
	ops_restart_decide(&p, t, 1, 1000, &d);
	EQ_INT(d.verdict, OPS_RESTART_NOW);
}

static void
test_parse(void)
{
	int64_t n = -1;

	CHECK(ops_restart_parse_count("NRestarts=5\n", "NRestarts", &n) == 0);
	EQ_INT(n, 5);
	CHECK(ops_restart_parse_count("Id=x\nNRestarts=12", "NRestarts", &n) == 0);
	EQ_INT(n, 12);
	CHECK(ops_restart_parse_count("gui/501/com.dharmic.agent = {\n\tactive count = 1\n"
	    "\truns = 4\n\tpid = 77\n}\n", "runs", &n) == 0);
	EQ_INT(n, 4);
	CHECK(ops_restart_parse_count("NRestarts=\n", "NRestarts", &n) < 0);
	CHECK(ops_restart_parse_count("NRestarts=x1\n", "NRestarts", &n) < 0);
	CHECK(ops_restart_parse_count("NRestarts=1x\n", "NRestarts", &n) < 0);
	CHECK(ops_restart_parse_count("NRestartsX=1\n", "NRestarts", &n) < 0);
	CHECK(ops_restart_parse_count("", "NRestarts", &n) < 0);
	CHECK(ops_restart_parse_count("NRestarts=99999999999999999999999\n", "NRestarts",
	    &n) < 0);
}

static void
test_check(const char *tmp)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_config cfg;
	struct ops_restart_decision d;

	memset(&cfg, 0, sizeof(cfg));
	CHECK(ops_config_load_text(&cfg, tmp, "{}", 2, "test", &err) == 0);
	EQ_DBL(cfg.daemon.restart_backoff, 60, 0);
	EQ_INT(cfg.daemon.restart_burst, 3);
	EQ_DBL(cfg.daemon.restart_window, 3600, 0);
	CHECK(!cfg.daemon.restart_on_stale);
	CHECK(ops_state_open(&st, tmp, &err) == 0);
	/* manual restarts and restores are not crashes */
	CHECK(ops_state_add_event(&st, 100, "restart", "manual", &err) == 0);
	CHECK(ops_state_add_event(&st, 110, "restart", "restore", &err) == 0);
	CHECK(ops_restart_check(&cfg, &st, 200, &d, &err) == 0);
	EQ_INT(d.recent, 0);
	CHECK(ops_state_add_event(&st, 120, "restart", "auto", &err) == 0);
	CHECK(ops_state_add_event(&st, 130, "restart", "systemd", &err) == 0);
	CHECK(ops_state_add_event(&st, 140, "restart", "stale", &err) == 0);
	CHECK(ops_restart_check(&cfg, &st, 200, &d, &err) == 0);
	EQ_INT(d.recent, 3);
	EQ_INT(d.verdict, OPS_RESTART_SPENT);
	CHECK(ops_restart_check(&cfg, &st, 130 + 3600, &d, &err) == 0);
	EQ_INT(d.recent, 1);
	EQ_INT(d.verdict, OPS_RESTART_NOW);
	ops_state_close(&st);
	ops_config_release(&cfg);
	/* bad values */
	memset(&cfg, 0, sizeof(cfg));
	CHECK(ops_config_load_text(&cfg, tmp, "{\"daemon\": {\"restart_burst\": 0}}", 31,
	    "test", &err) < 0);
	ops_config_release(&cfg);
}

int
main(void)
{
	char *tmp = unit_tmpdir();

	test_decide();
	test_parse();
	test_check(tmp);
	unit_cleanup(tmp);
	return unit_done();
}
