/* ops_health: each built-in check on a home built by hand, the configured
 * checks and endpoints, --check selection and the record of a run. */
#include "ops_health.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ops_fs.h"
#include "ops_procstat.h"
#include "ops_time.h"
#include "unit.h"

static char *tmp;
static const char *me;	/* our program name: the "agent" we identify */

static char *
path(const char *rel)
{
	static char buf[8][PATH_MAX];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static void
make_db(const char *rel)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(path(rel), &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS m(x); INSERT INTO m VALUES(1)",
	    NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "unable to create %s\n", rel);
		exit(2);
	}
	sqlite3_close(db);
}

static void
write_status(double heartbeat, const char *status, int passed, int total)
{
	char ts[64], text[512];

	ops_time_iso(heartbeat, ts, sizeof(ts));
	snprintf(text, sizeof(text), "{\"status\":\"%s\",\"pid\":\"%d\","
	    "\"heartbeat_interval\":60,\"details\":{\"last_heartbeat\":\"%s\","
	    "\"checks_passed\":%d,\"total_checks\":%d}}", status, (int)getpid(), ts,
	    passed, total);
	unit_write(path("logs/daemon_status.json"), text);
}

/* A healthy home: we are the agent, a fresh heartbeat, two good
 * databases, a quiet email log, a recent backup. */
static void
build_home(void)
{
	char pid[32], name[PATH_MAX], stamp[32];
	double now = ops_time_now();

	mkdir(path("logs"), 0700);
	mkdir(path("memory"), 0700);
	mkdir(path("backups"), 0700);
	mkdir(path("backups/memory"), 0700);
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	unit_write(path("logs/daemon.pid"), pid);
	/* the PID file is written after we started */
	write_status(now - 5, "running", 4, 4);
	make_db("memory/a.db");
	make_db("memory/b.db");
	unit_write(path("logs/email_20260101.log"), "ERROR old\nERROR old\n"
	    "ERROR old\nERROR old\nERROR old\nERROR old\nERROR old\n");
	unit_write(path("logs/email_20260102.log"), "sent\nsent\nERROR one\n");
	snprintf(name, sizeof(name), "backups/memory/%s.tar.zst",
	    ops_time_stamp(now - 3600, stamp, sizeof(stamp)));
	unit_write(path(name), "");
	unit_write(path("backups/memory/notabackup.txt"), "");
}

static int
config(struct ops_config *cfg, const char *extra)
{
	struct ops_err err = OPS_ERR_INIT;
	char text[2048];
	int rc;

	snprintf(text, sizeof(text),
	    "{\"daemon\": {\"match\": \"%s\"},"
	    " \"health\": {\"disk_warn\": \"1K\", \"disk_crit\": 0, \"heartbeat_warn\": 2,"
	    "  \"heartbeat_crit\": 10, \"email_window\": 10, \"email_errors\": 1,"
	    "  \"restarts_max\": 2, \"restarts_window\": \"1h\", \"backup_max_age\": \"2h\""
	    "  %s}}", me, extra ? extra : "");
	rc = ops_config_load_text(cfg, tmp, text, strlen(text), "t.json", &err);
	if (rc < 0)
		fprintf(stderr, "config: %s\n", err.msg);
	return rc;
}

static const struct ops_result *
find(const struct ops_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

/* Run the checks named (NULL: all) and expect the given state and a
 * message containing want. */
static void
expect(const struct ops_config *cfg, struct ops_statedb *st, const char *name,
    enum ops_state state, const char *want)
{
	struct ops_health_opts o = { 0, NULL, 0, 10 };
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_err err = OPS_ERR_INIT;
	const char *only[1] = { name };
	const struct ops_result *res;

	o.only = only;
	o.nonly = 1;
	unit_case("check %s", name);
	EQ_INT(ops_health_run(cfg, &o, st, &r, &err), 0);
	EQ_INT(r.n, 1);
	res = find(&r, name);
	CHECK(res != NULL);
	if (res) {
		EQ_STR(ops_state_name(res->state), ops_state_name(state));
		HAS_STR(res->message, want);
	}
	ops_report_release(&r);
	unit_case("%s", "");
}

/* Is value inside a threshold range of the plugin guidelines?
 * [@]start:end, start ~ for minus infinity, "N" meaning 0:N, an empty end
 * plus infinity; an alert is raised outside the range (inside with @). */
static int
range_ok(const char *range, double value)
{
	char buf[128], *colon, *end;
	const char *r = buf;
	double lo = 0, hi = INFINITY;
	int inside = 0;

	snprintf(buf, sizeof(buf), "%s", range);
	if (*r == '\0')
		return 1;
	if (*r == '@') {
		inside = 1;
		r++;
	}
	if ((colon = strchr(r, ':')) != NULL) {
		*colon = '\0';
		if (strcmp(r, "~") == 0)
			lo = -INFINITY;
		else if (*r != '\0')
			lo = strtod(r, &end);
		if (colon[1] != '\0')
			hi = strtod(colon + 1, &end);
	} else {
		hi = strtod(r, &end);
	}
	return inside ? !(value >= lo && value <= hi) : value >= lo && value <= hi;
}

/* Every label's value of an all-OK report lies inside its warn and crit
 * ranges, read from the Nagios perfdata text as a graphing tool would. */
static void
check_ranges(const char *text)
{
	const char *pd = strstr(text, " | ");
	char line[4096], *save = NULL, *tok;

	CHECK(pd != NULL);
	if (pd == NULL)
		return;
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(pd + 3, "\n"), pd + 3);
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *f[5] = { 0 }, *p;
		double v;
		int n = 0;

		CHECK(eq != NULL);
		if (eq == NULL)
			continue;
		for (p = eq + 1; n < 5; n++) {
			f[n] = p;
			if ((p = strchr(p, ';')) == NULL)
				break;
			*p++ = '\0';
		}
		v = strtod(f[0], NULL);
		unit_case("%s", tok);
		if (f[1])
			CHECK(range_ok(f[1], v));
		if (f[2])
			CHECK(range_ok(f[2], v));
	}
	unit_case("%s", "");
	/* the parser itself: lower bounds, upper bounds, @ and ~ */
	CHECK(range_ok("10", 5) && !range_ok("10", 11) && !range_ok("10", -1));
	CHECK(range_ok("10:", 11) && !range_ok("10:", 9));
	CHECK(range_ok("~:10", -5) && !range_ok("~:10", 11));
	CHECK(!range_ok("@10:20", 15) && range_ok("@10:20", 21));
}

static void
test_all_ok(struct ops_statedb *st)
{
	struct ops_config cfg;
	struct ops_health_opts o = { 0, NULL, 0, 10 };
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	char *log = NULL;

	CHECK(config(&cfg, NULL) == 0);
	EQ_INT(ops_health_run(&cfg, &o, st, &r, &err), 0);
	/* the seven built-in checks, then the agent's resource checks (on
	 * by default: cpu rss fds; we are the agent) */
	EQ_INT(r.n, 10);
	for (size_t i = 0; i < r.n && i < 10; i++) {
		EQ_STR(r.v[i].name, i < 7 ? ops_health_builtin[i] :
		    ops_procstat_checks[i - 7]);
		unit_case("%s: %s", r.v[i].name, r.v[i].message);
		EQ_INT(r.v[i].state, OPS_OK);
	}
	unit_case("%s", "");
	HAS_STR(find(&r, "cpu")->message, "first sample");
	HAS_STR(find(&r, "rss")->message, "agent resident memory");
	HAS_STR(find(&r, "daemon")->message, "running (pid");
	HAS_STR(find(&r, "integrity")->message, "2 databases ok");
	HAS_STR(find(&r, "email")->message, "1 error in the last 3 lines of logs/email_20260102.log");
	HAS_STR(find(&r, "backup")->message, "newest backup");
	ops_report_nagios(&b, &r, "DHARMIC-OPS");
	HAS_STR(ops_buf_str(&b), "DHARMIC-OPS OK - 10/10 checks ok | 'uptime'=");
	HAS_STR(ops_buf_str(&b), "'databases_ok'=2;;;0;2");
	check_ranges(ops_buf_str(&b));

	/* recorded: a run in the state database, a line in the log */
	EQ_INT(ops_health_record(&cfg, st, &r, 1770074241, &err), 0);
	EQ_INT(ops_fs_read_file(path("logs/health_check.log"), 4096, &log, NULL, &err), 0);
	HAS_STR(log, "] [OK] health: 10/10 checks ok\n");
	free(log);
	CHECK(r.v[0].since > 0);

	/* the second run uses the integrity cache */
	ops_report_release(&r);
	EQ_INT(ops_health_run(&cfg, &o, st, &r, &err), 0);
	HAS_STR(find(&r, "integrity")->message, "2 unchanged since their last check");
	ops_report_release(&r);
	ops_buf_release(&b);
	ops_config_release(&cfg);
}

static void
test_problems(struct ops_statedb *st)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	char pid[32];
	double now = ops_time_now();

	CHECK(config(&cfg, NULL) == 0);

	/* daemon */
	unit_write(path("logs/daemon.pid"), "garbage\n");
	expect(&cfg, st, "daemon", OPS_CRITICAL, "not running: PID file holds garbage");
	unlink(path("logs/daemon.pid"));
	expect(&cfg, st, "daemon", OPS_CRITICAL, "not running: no PID file (logs/daemon.pid)");
	unit_write(path("logs/daemon.pid"), "1\n");
	expect(&cfg, st, "daemon", OPS_CRITICAL, "PID 1");
	/* no agent: the daemon check says so once; cpu rss fds are left out
	 * of a full run, and UNKNOWN when asked for by name */
	{
		struct ops_health_opts o = { 0, NULL, 0, 10 };
		struct ops_report r = OPS_REPORT_INIT;

		unit_case("%s", "no agent, full run");
		EQ_INT(ops_health_run(&cfg, &o, st, &r, &err), 0);
		EQ_INT(r.n, 7);
		CHECK(find(&r, "cpu") == NULL && find(&r, "rss") == NULL &&
		    find(&r, "fds") == NULL);
		EQ_INT(find(&r, "daemon") ? (int)find(&r, "daemon")->state : -1, OPS_CRITICAL);
		ops_report_release(&r);
		unit_case("%s", "");
	}
	expect(&cfg, st, "cpu", OPS_UNKNOWN, "agent not running (see the daemon check)");
	expect(&cfg, st, "fds", OPS_UNKNOWN, "agent not running");
	snprintf(pid, sizeof(pid), "%d\n", (int)getppid());
	unit_write(path("logs/daemon.pid"), pid);
	expect(&cfg, st, "daemon", OPS_CRITICAL, "is not the agent");
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	unit_write(path("logs/daemon.pid"), pid);
	expect(&cfg, st, "daemon", OPS_OK, "running");

	/* heartbeat: interval 60 s, warn 2 x, crit 10 x */
	write_status(now - 200, "running", 4, 4);
	expect(&cfg, st, "heartbeat", OPS_WARNING, "stale: last heartbeat 3m");
	write_status(now - 700, "running", 4, 4);
	expect(&cfg, st, "heartbeat", OPS_CRITICAL, "stale");
	write_status(now + 3600, "running", 4, 4);
	expect(&cfg, st, "heartbeat", OPS_WARNING, "in the future");
	write_status(now, "degraded", 4, 4);
	expect(&cfg, st, "heartbeat", OPS_WARNING, "agent reports status 'degraded'");
	write_status(now, "running", 3, 4);
	expect(&cfg, st, "heartbeat", OPS_WARNING, "3/4 of its own checks");
	unit_write(path("logs/daemon_status.json"), "{not json");
	expect(&cfg, st, "heartbeat", OPS_WARNING, "status file unusable: malformed");
	unlink(path("logs/daemon_status.json"));
	expect(&cfg, st, "heartbeat", OPS_WARNING, "status file missing");
	write_status(now, "running", 4, 4);
	expect(&cfg, st, "heartbeat", OPS_OK, "last heartbeat");

	/* integrity */
	unit_write(path("memory/c.db"), "this is not a database, not at all........");
	expect(&cfg, st, "integrity", OPS_CRITICAL, "memory/c.db: corrupt");
	unlink(path("memory/c.db"));
	CHECK(symlink("a.db", path("memory/l.db")) == 0);
	expect(&cfg, st, "integrity", OPS_WARNING, "memory/l.db: is a symlink");
	unlink(path("memory/l.db"));
	ops_config_release(&cfg);
	CHECK(config(&cfg, ", \"databases\": [\"memory/*.db\", \"memory/gone.db\", \"nodir/*.db\"]") == 0);
	expect(&cfg, st, "integrity", OPS_CRITICAL, "memory/gone.db: missing");
	expect(&cfg, st, "integrity", OPS_CRITICAL, "nodir/*.db: no database matches");
	ops_config_release(&cfg);
	CHECK(config(&cfg, NULL) == 0);

	/* email: the newest log only, its last email_window lines */
	unit_write(path("logs/email_20260103.log"), "ERROR a\nERROR b\nok\n");
	expect(&cfg, st, "email", OPS_WARNING, "2 errors in the last 3 lines of logs/email_20260103.log");
	unlink(path("logs/email_20260103.log"));

	/* restarts: events in the state database and lines in restart.log */
	for (int i = 0; i < 2; i++)
		EQ_INT(ops_state_add_event(st, now - 60 * (i + 1), "restart", "test", &err), 0);
	EQ_INT(ops_state_add_event(st, now - 7200, "restart", "too old", &err), 0);
	expect(&cfg, st, "restarts", OPS_OK, "2 restarts in the last 1h 0m");
	EQ_INT(ops_state_add_event(st, now - 30, "restart", "test", &err), 0);
	expect(&cfg, st, "restarts", OPS_WARNING, "3 restarts in the last 1h 0m (restart loop?)");
	{
		char line[128], ts[32];
		FILE *f = fopen(path("logs/restart.log"), "w");

		CHECK(f != NULL);
		for (int i = 0; f && i < 5; i++) {
			snprintf(line, sizeof(line), "[%s] restarted\n",
			    ops_time_log(now - 10 * (i + 1), ts, sizeof(ts)));
			fputs(line, f);
		}
		if (f)
			fclose(f);
	}
	expect(&cfg, st, "restarts", OPS_WARNING, "5 restarts");

	/* backup: stale, missing */
	{
		char name[PATH_MAX], stamp[32];

		snprintf(name, sizeof(name), "backups/memory/%s.tar.gz",
		    ops_time_stamp(now - 3 * 3600, stamp, sizeof(stamp)));
		rename(path("backups/memory"), path("backups/saved"));
		mkdir(path("backups/memory"), 0700);
		unit_write(path(name), "");
		expect(&cfg, st, "backup", OPS_WARNING, "stale: newest backup");
		unlink(path(name));
		expect(&cfg, st, "backup", OPS_WARNING, "no backup in backups/memory");
		rmdir(path("backups/memory"));
		expect(&cfg, st, "backup", OPS_WARNING, "no backups (backups/memory");
		rename(path("backups/saved"), path("backups/memory"));
		expect(&cfg, st, "backup", OPS_OK, "newest backup");
	}

	/* disk: thresholds above anything a test machine has free */
	ops_config_release(&cfg);
	CHECK(config(&cfg, NULL) == 0);
	cfg.health.disk_warn = UINT64_MAX / 2;
	cfg.health.disk_crit = UINT64_MAX / 4;
	expect(&cfg, st, "disk", OPS_CRITICAL, "free of");
	cfg.health.disk_crit = 0;
	expect(&cfg, st, "disk", OPS_WARNING, "below");
	ops_config_release(&cfg);
}

static int
listener(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		exit(2);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void
test_configured(struct ops_statedb *st)
{
	struct ops_config cfg;
	struct ops_health_opts o = { 0, NULL, 0, 10 };
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_err err = OPS_ERR_INIT;
	const char *only[] = { "p_ok", "nope" };
	char extra[1024];
	int port, fd = listener(&port), closed_port, fd2 = listener(&closed_port);

	close(fd2);
	snprintf(extra, sizeof(extra), ", \"checks\": ["
	    "{\"name\": \"p_ok\", \"command\": [\"sh\", \"-c\", \"echo 'PLUG OK - fine | t=1s;2;3'\"]},"
	    "{\"name\": \"p_crit\", \"command\": [\"sh\", \"-c\", \"echo 'down'; exit 2\"]},"
	    "{\"name\": \"p_weird\", \"command\": [\"sh\", \"-c\", \"exit 7\"]},"
	    "{\"name\": \"p_missing\", \"command\": [\"/nonexistent/check\"]},"
	    "{\"name\": \"p_slow\", \"command\": [\"sleep\", \"10\"], \"timeout\": 0.3}],"
	    " \"endpoints\": ["
	    "{\"name\": \"e_up\", \"url\": \"tcp://127.0.0.1:%d\"},"
	    "{\"name\": \"e_down\", \"url\": \"tcp://127.0.0.1:%d\"}]", port, closed_port);
	CHECK(config(&cfg, extra) == 0);
	expect(&cfg, st, "p_ok", OPS_OK, "PLUG OK - fine");
	expect(&cfg, st, "p_crit", OPS_CRITICAL, "down");
	expect(&cfg, st, "p_weird", OPS_UNKNOWN, "exit code 7: (no output)");
	expect(&cfg, st, "p_missing", OPS_UNKNOWN, "unable to run '/nonexistent/check'");
	expect(&cfg, st, "p_slow", OPS_UNKNOWN, "timed out");
	expect(&cfg, st, "e_up", OPS_OK, "up in");
	expect(&cfg, st, "e_down", OPS_CRITICAL, "refused");

	/* the plugin's perfdata passes through, each label prefixed NAME:: */
	o.only = only;
	o.nonly = 1;
	EQ_INT(ops_health_run(&cfg, &o, st, &r, &err), 0);
	EQ_INT(r.n, 1);
	if (r.n == 1)
		EQ_STR(r.v[0].perf_raw, "'p_ok::t'=1s;2;3");	/* its labels NAME:: prefixed */
	ops_report_release(&r);

	/* a name that is no check: a usage error, nothing run */
	o.nonly = 2;
	EQ_INT(ops_health_run(&cfg, &o, st, &r, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "no check named 'nope'");
	EQ_INT(r.n, 0);

	/* every check runs, the built-ins first */
	o.nonly = 0;
	o.only = NULL;
	EQ_INT(ops_health_run(&cfg, &o, st, &r, &err), 0);
	EQ_INT(r.n, 7 + 3 + 5 + 2);
	if (r.n == 17) {
		EQ_STR(r.v[10].name, "p_ok");
		EQ_STR(r.v[16].name, "e_down");
	}
	EQ_INT(ops_report_worst(&r), OPS_CRITICAL);
	ops_report_release(&r);
	ops_config_release(&cfg);
	close(fd);
}

int
main(int argc, char **argv)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;

	(void)argc;
	me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsetenv("DHARMIC_OPS_NOW");
	tmp = unit_tmpdir();
	build_home();
	if (ops_state_open(&st, tmp, &err) < 0) {
		fprintf(stderr, "state: %s\n", err.msg);
		return 2;
	}
	test_all_ok(&st);
	test_problems(&st);
	test_configured(&st);
	ops_state_close(&st);
	unit_cleanup(tmp);
	return unit_done();
}
