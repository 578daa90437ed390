/* ops_config: defaults, every class of error, and where the file and the
 * home come from. */
#include "ops_config.h"

#include <limits.h>
#include <sys/stat.h>

#include "unit.h"

/* The default document of SPEC §4, verbatim. */
static const char spec_default[] =
"{\n"
"  \"daemon\":  { \"command\": [\"python3\", \"daemon.py\"], \"workdir\": \".\",\n"
"               \"pid_file\": \"logs/daemon.pid\", \"status_file\": \"logs/daemon_status.json\",\n"
"               \"match\": \"daemon.py\", \"env_file\": \".env\",\n"
"               \"start_timeout\": \"10s\", \"stop_timeout\": \"10s\" },\n"
"  \"health\":  { \"disk_warn\": \"5G\", \"disk_crit\": \"2G\",\n"
"               \"heartbeat_warn\": 2, \"heartbeat_crit\": 0,\n"
"               \"databases\": [\"memory/*.db\"], \"integrity\": \"quick\",\n"
"               \"email_log\": \"logs/email_*.log\", \"email_window\": 100, \"email_errors\": 5,\n"
"               \"restarts_max\": 3, \"restarts_window\": \"1h\",\n"
"               \"backup_max_age\": \"26h\", \"timeout\": \"30s\",\n"
"               \"checks\": [], \"endpoints\": [] },\n"
"  \"backup\":  { \"dir\": \"backups/memory\",\n"
"               \"include\": [\"memory/*.db\", \"memory/*.jsonl\", \"memory/identity_core.json\"],\n"
"               \"compression\": \"zstd\", \"keep_all\": \"7d\", \"keep_weekly\": \"30d\",\n"
"               \"keep_monthly\": \"365d\", \"offsite_command\": [] },\n"
"  \"rotate\":  { \"daily_logs\": [\"logs/*_????????.log\"], \"compress_after\": \"1d\",\n"
"               \"delete_after\": \"30d\", \"max_size\": \"100M\", \"keep_lines\": 1000,\n"
"               \"history_logs\": [\"logs/alerts.log\", \"logs/health_check.log\",\n"
"                 \"logs/backup.log\", \"logs/rotation.log\", \"logs/restart.log\",\n"
"                 \"logs/cron.log\", \"logs/daemon_stdout.log\", \"logs/daemon_stderr.log\"],\n"
"               \"history_lines\": 1000, \"plain_logs\": [\"logs/weekly_health_*.log\"],\n"
"               \"plain_for\": \"35d\" },\n"
"  \"alert\":   { \"cooldown\": \"30m\", \"max_per_hour\": 5, \"desktop\": true,\n"
"               \"email\": \"\", \"sendmail\": \"/usr/sbin/sendmail\", \"webhook\": \"\",\n"
"               \"command\": [], \"auto_restart\": true }\n"
"}\n";

#define G (1024ULL * 1024 * 1024)

static int
load(struct ops_config *cfg, const char *text, struct ops_err *err)
{
	return ops_config_load_text(cfg, "/h", text, strlen(text), "t.json", err);
}

static int
strv_eq(const struct ops_strv *a, const struct ops_strv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return a->n == 0 || a->v[a->n] == NULL;
}

static int
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Every field of two configs equal (the checks and endpoints included). */
static void
same_config(const struct ops_config *a, const struct ops_config *b)
{
	CHECK(str_eq(a->home, b->home));
	CHECK(strv_eq(&a->daemon.command, &b->daemon.command));
	CHECK(str_eq(a->daemon.workdir, b->daemon.workdir));
	CHECK(str_eq(a->daemon.pid_file, b->daemon.pid_file));
	CHECK(str_eq(a->daemon.status_file, b->daemon.status_file));
	CHECK(str_eq(a->daemon.match, b->daemon.match));
	CHECK(str_eq(a->daemon.env_file, b->daemon.env_file));
	EQ_DBL(a->daemon.start_timeout, b->daemon.start_timeout, 0);
	EQ_DBL(a->daemon.stop_timeout, b->daemon.stop_timeout, 0);
	EQ_U64(a->health.disk_warn, b->health.disk_warn);
	EQ_U64(a->health.disk_crit, b->health.disk_crit);
	EQ_DBL(a->health.heartbeat_warn, b->health.heartbeat_warn, 0);
	EQ_DBL(a->health.heartbeat_crit, b->health.heartbeat_crit, 0);
	CHECK(strv_eq(&a->health.databases, &b->health.databases));
	CHECK(str_eq(a->health.integrity, b->health.integrity));
	CHECK(str_eq(a->health.email_log, b->health.email_log));
	EQ_INT(a->health.email_window, b->health.email_window);
	EQ_INT(a->health.email_errors, b->health.email_errors);
	EQ_INT(a->health.restarts_max, b->health.restarts_max);
	EQ_DBL(a->health.restarts_window, b->health.restarts_window, 0);
	EQ_DBL(a->health.backup_max_age, b->health.backup_max_age, 0);
	EQ_DBL(a->health.timeout, b->health.timeout, 0);
	EQ_INT(a->health.nchecks, b->health.nchecks);
	EQ_INT(a->health.nendpoints, b->health.nendpoints);
	CHECK(str_eq(a->backup.dir, b->backup.dir));
	CHECK(strv_eq(&a->backup.include, &b->backup.include));
	CHECK(str_eq(a->backup.compression, b->backup.compression));
	EQ_DBL(a->backup.keep_all, b->backup.keep_all, 0);
	EQ_DBL(a->backup.keep_weekly, b->backup.keep_weekly, 0);
	EQ_DBL(a->backup.keep_monthly, b->backup.keep_monthly, 0);
	CHECK(strv_eq(&a->backup.offsite_command, &b->backup.offsite_command));
	CHECK(strv_eq(&a->rotate.daily_logs, &b->rotate.daily_logs));
	EQ_DBL(a->rotate.compress_after, b->rotate.compress_after, 0);
	EQ_DBL(a->rotate.delete_after, b->rotate.delete_after, 0);
	EQ_U64(a->rotate.max_size, b->rotate.max_size);
	EQ_INT(a->rotate.keep_lines, b->rotate.keep_lines);
	CHECK(strv_eq(&a->rotate.history_logs, &b->rotate.history_logs));
	EQ_INT(a->rotate.history_lines, b->rotate.history_lines);
	EQ_DBL(a->alert.cooldown, b->alert.cooldown, 0);
	EQ_INT(a->alert.max_per_hour, b->alert.max_per_hour);
	EQ_INT(a->alert.desktop, b->alert.desktop);
	EQ_INT(a->alert.auto_restart, b->alert.auto_restart);
	CHECK(str_eq(a->alert.email, b->alert.email));
	CHECK(str_eq(a->alert.sendmail, b->alert.sendmail));
	CHECK(str_eq(a->alert.webhook, b->alert.webhook));
	CHECK(strv_eq(&a->alert.command, &b->alert.command));
}

static void
test_defaults(void)
{
	struct ops_config def, spec;
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(load(&def, "{}", &err), 0);
	EQ_STR(err.msg, "");
	EQ_INT(load(&spec, spec_default, &err), 0);
	EQ_STR(err.msg, "");
	same_config(&def, &spec);

	/* and the defaults are the values SPEC §4 means */
	EQ_STR(def.home, "/h");
	CHECK(def.file == NULL);
	EQ_INT(def.daemon.command.n, 2);
	EQ_STR(def.daemon.command.v[0], "python3");
	EQ_STR(def.daemon.command.v[1], "daemon.py");
	CHECK(def.daemon.command.v[2] == NULL);
	EQ_STR(def.daemon.match, "daemon.py");
	EQ_DBL(def.daemon.start_timeout, 10, 0);
	EQ_U64(def.health.disk_warn, 5 * G);
	EQ_U64(def.health.disk_crit, 2 * G);
	EQ_DBL(def.health.heartbeat_warn, 2, 0);
	EQ_DBL(def.health.heartbeat_crit, 0, 0);
	EQ_STR(def.health.integrity, "quick");
	EQ_INT(def.health.email_window, 100);
	EQ_DBL(def.health.restarts_window, 3600, 0);
	EQ_DBL(def.health.backup_max_age, 26 * 3600, 0);
	EQ_DBL(def.health.timeout, 30, 0);
	EQ_INT(def.backup.include.n, 3);
	EQ_STR(def.backup.include.v[2], "memory/identity_core.json");
	EQ_STR(def.backup.compression, "zstd");
	EQ_DBL(def.backup.keep_monthly, 365 * 86400, 0);
	EQ_INT(def.backup.offsite_command.n, 0);
	EQ_STR(def.rotate.daily_logs.v[0], "logs/*_????????.log");
	EQ_U64(def.rotate.max_size, 100 * 1024 * 1024);
	EQ_INT(def.rotate.history_logs.n, 8);
	EQ_STR(def.rotate.history_logs.v[4], "logs/restart.log");
	/* the logs that grew without bound: cut like the history logs */
	EQ_STR(def.rotate.history_logs.v[5], "logs/cron.log");
	EQ_STR(def.rotate.history_logs.v[6], "logs/daemon_stdout.log");
	EQ_STR(def.rotate.history_logs.v[7], "logs/daemon_stderr.log");
	EQ_STR(def.rotate.plain_logs.v[0], "logs/weekly_health_*.log");
	EQ_DBL(def.rotate.plain_for, 35 * 86400, 0);
	EQ_DBL(def.alert.cooldown, 1800, 0);
	EQ_INT(def.alert.desktop, 1);
	EQ_INT(def.alert.auto_restart, 1);
	EQ_STR(def.alert.email, "");
	EQ_STR(def.alert.sendmail, "/usr/sbin/sendmail");
	ops_config_release(&def);
	ops_config_release(&spec);
	/* release twice and of NULL is harmless */
	ops_config_release(&def);
	ops_config_release(NULL);
}

static void
test_values(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	const char *text =
	    "{\"daemon\": {\"command\": [\"/usr/bin/agent\", \"--serve\"],"
	    "  \"start_timeout\": 90, \"match\": \"agent\"},"
	    " \"health\": {\"disk_warn\": 2048, \"disk_crit\": \"1.5K\","
	    "  \"heartbeat_warn\": 2.5, \"email_window\": 1, \"integrity\": \"off\","
	    "  \"checks\": [{\"name\": \"proton_bridge\", \"command\": [\"check_tcp\", \"-p\", \"1143\"]},"
	    "    {\"name\": \"x-2\", \"command\": [\"true\"], \"timeout\": \"1m\"}],"
	    "  \"endpoints\": [{\"name\": \"coordinator\", \"url\": \"http://127.0.0.1:8000/health\"},"
	    "    {\"name\": \"imap\", \"url\": \"tcp://127.0.0.1:1143\", \"timeout\": 2}]},"
	    " \"backup\": {\"compression\": \"gzip\", \"offsite_command\": [\"rclone\", \"copy\"]},"
	    " \"alert\": {\"desktop\": false, \"email\": \"ops@example.org\"}}";

	EQ_INT(load(&cfg, text, &err), 0);
	EQ_STR(err.msg, "");
	EQ_STR(cfg.daemon.command.v[0], "/usr/bin/agent");
	EQ_DBL(cfg.daemon.start_timeout, 90, 0);
	EQ_U64(cfg.health.disk_warn, 2048);
	EQ_U64(cfg.health.disk_crit, 1536);
	EQ_DBL(cfg.health.heartbeat_warn, 2.5, 0);
	EQ_INT(cfg.health.email_window, 1);
	EQ_STR(cfg.health.integrity, "off");
	EQ_INT(cfg.health.nchecks, 2);
	EQ_STR(cfg.health.checks[0].name, "proton_bridge");
	EQ_INT(cfg.health.checks[0].command.n, 3);
	EQ_STR(cfg.health.checks[0].command.v[2], "1143");
	EQ_DBL(cfg.health.checks[0].timeout, 10, 0);
	EQ_DBL(cfg.health.checks[1].timeout, 60, 0);
	EQ_INT(cfg.health.nendpoints, 2);
	EQ_STR(cfg.health.endpoints[0].url, "http://127.0.0.1:8000/health");
	EQ_DBL(cfg.health.endpoints[0].timeout, 5, 0);
	EQ_STR(cfg.health.endpoints[1].name, "imap");
	EQ_DBL(cfg.health.endpoints[1].timeout, 2, 0);
	EQ_STR(cfg.backup.compression, "gzip");
	EQ_INT(cfg.backup.offsite_command.n, 2);
	EQ_INT(cfg.alert.desktop, 0);
	EQ_STR(cfg.alert.email, "ops@example.org");
	ops_config_release(&cfg);
}

/* Each bad document fails with OPS_E_USAGE and a message naming the file
 * ("t.json") and every fragment listed (the key and what was expected). */
static void
test_errors(void)
{
	static const struct {
		const char *text, *want1, *want2;
	} cases[] = {
		/* structure */
		{ "{\"bogus\": {}}", "unknown key 'bogus'", NULL },
		{ "{\"health\": {\"disk_wrn\": \"5G\"}}", "unknown key 'health.disk_wrn'", NULL },
		{ "{\"daemon\": {\"disk_warn\": \"5G\"}}", "unknown key 'daemon.disk_warn'", NULL },
		{ "{\"health\": 5}", "'health'", "an object" },
		{ "{\"health\": []}", "'health'", "an object" },
		{ "[]", "expected a JSON object", NULL },
		{ "\"health\"", "expected a JSON object", NULL },
		{ "", "invalid JSON", NULL },
		{ "{} x", "invalid JSON", NULL },
		{ "{\"health\": {}}}", "invalid JSON", NULL },
		/* string */
		{ "{\"daemon\": {\"match\": 5}}", "'daemon.match'", "a string" },
		{ "{\"daemon\": {\"pid_file\": null}}", "'daemon.pid_file'", "a string" },
		{ "{\"daemon\": {\"match\": \"\"}}", "'daemon.match'", "a non-empty string" },
		/* array */
		{ "{\"health\": {\"databases\": \"memory/*.db\"}}", "'health.databases'", "an array of strings" },
		{ "{\"health\": {\"databases\": [\"a\", 5]}}", "'health.databases'", "non-empty strings" },
		{ "{\"health\": {\"databases\": [\"\"]}}", "'health.databases'", "non-empty strings" },
		{ "{\"daemon\": {\"command\": []}}", "'daemon.command'", "a non-empty array" },
		/* size */
		{ "{\"health\": {\"disk_warn\": \"5Q\"}}", "'health.disk_warn'", "a size" },
		{ "{\"health\": {\"disk_warn\": true}}", "'health.disk_warn'", "a size" },
		{ "{\"health\": {\"disk_warn\": -1}}", "'health.disk_warn'", "a size" },
		{ "{\"rotate\": {\"max_size\": 1e30}}", "'rotate.max_size'", "a size" },
		/* duration */
		{ "{\"daemon\": {\"start_timeout\": \"10x\"}}", "'daemon.start_timeout'", "a duration" },
		{ "{\"alert\": {\"cooldown\": -5}}", "'alert.cooldown'", "a duration" },
		{ "{\"alert\": {\"cooldown\": [\"30m\"]}}", "'alert.cooldown'", "a duration" },
		/* int */
		{ "{\"health\": {\"email_window\": 1.5}}", "'health.email_window'", "a whole number" },
		{ "{\"health\": {\"email_window\": \"100\"}}", "'health.email_window'", "a whole number" },
		{ "{\"rotate\": {\"keep_lines\": -1}}", "'rotate.keep_lines'", "a whole number" },
		{ "{\"health\": {\"email_window\": 0}}", "'health.email_window'", "1 or more" },
		{ "{\"rotate\": {\"keep_lines\": 1e300}}", "'rotate.keep_lines'", "a whole number" },
		/* number */
		{ "{\"health\": {\"heartbeat_warn\": \"2\"}}", "'health.heartbeat_warn'", "a number" },
		{ "{\"health\": {\"heartbeat_crit\": -1}}", "'health.heartbeat_crit'", "a number" },
		/* bool */
		{ "{\"alert\": {\"desktop\": \"yes\"}}", "'alert.desktop'", "true or false" },
		{ "{\"alert\": {\"auto_restart\": 1}}", "'alert.auto_restart'", "true or false" },
		/* enums */
		{ "{\"health\": {\"integrity\": \"slow\"}}", "'health.integrity'", "\"quick\", \"full\" or \"off\"" },
		{ "{\"backup\": {\"compression\": \"bzip2\"}}", "'backup.compression'", "\"zstd\", \"gzip\" or \"none\"" },
		/* cross-key */
		{ "{\"health\": {\"disk_warn\": \"1G\", \"disk_crit\": \"2G\"}}", "'health.disk_crit'", "no larger than health.disk_warn" },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"]}],"
		  " \"endpoints\": [{\"name\": \"a\", \"url\": \"tcp://h:1\"}]}}", "check name 'a' is used twice", NULL },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"]},"
		  " {\"name\": \"a\", \"command\": [\"false\"]}]}}", "check name 'a' is used twice", NULL },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"e\", \"url\": \"tcp://h:1\"},"
		  " {\"name\": \"e\", \"url\": \"tcp://h:2\"}]}}", "check name 'e' is used twice", NULL },
		{ "{\"health\": {\"checks\": [{\"name\": \"disk\", \"command\": [\"true\"]}]}}",
		  "check name 'disk' is the name of a built-in check", NULL },
		/* health.checks */
		{ "{\"health\": {\"checks\": {}}}", "'health.checks'", "an array of objects" },
		{ "{\"health\": {\"checks\": [5]}}", "'health.checks[0]'", "an object" },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\"}]}}", "'health.checks[0].command'", "a command" },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": []}]}}", "'health.checks[0].command'", "non-empty array" },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": \"true\"}]}}", "'health.checks[0].command'", "an array of strings" },
		{ "{\"health\": {\"checks\": [{\"name\": \"bad name\", \"command\": [\"true\"]}]}}", "'health.checks[0]'", "a \"name\" of letters" },
		{ "{\"health\": {\"checks\": [{\"name\": \"\", \"command\": [\"true\"]}]}}", "'health.checks[0]'", "a \"name\"" },
		{ "{\"health\": {\"checks\": [{\"name\": \"../x\", \"command\": [\"true\"]}]}}", "'health.checks[0]'", "a \"name\"" },
		{ "{\"health\": {\"checks\": [{\"command\": [\"true\"]}]}}", "'health.checks[0]'", "a \"name\"" },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"]},"
		  " {\"name\": \"b\", \"command\": [\"true\"], \"cmd\": 1}]}}", "unknown key 'health.checks[1].cmd'", NULL },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"], \"url\": \"x\"}]}}", "unknown key 'health.checks[0].url'", NULL },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"], \"timeout\": \"5x\"}]}}", "'health.checks[0].timeout'", "a duration" },
		/* health.endpoints */
		{ "{\"health\": {\"endpoints\": 5}}", "'health.endpoints'", "an array of objects" },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"c\", \"url\": \"ftp://h/\"}]}}", "'health.endpoints[0].url'", "http://, https:// or tcp://" },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"c\", \"url\": \"127.0.0.1:80\"}]}}", "'health.endpoints[0].url'", "URL" },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"c\"}]}}", "'health.endpoints[0].url'", "a URL string" },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"c\", \"url\": 80}]}}", "'health.endpoints[0].url'", "a URL string" },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"c\", \"url\": \"tcp://h:1\", \"command\": [\"x\"]}]}}", "unknown key 'health.endpoints[0].command'", NULL },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"c d\", \"url\": \"tcp://h:1\"}]}}", "'health.endpoints[0]'", "a \"name\"" },
		/* issue 11: NUL in strings, duration ranges, paths in the home */
		{ "{\"daemon\": {\"match\": \"agent\\u0000.py\"}}", "NUL character", "line 1" },
		{ "{\"daemon\":\n {\"command\": [\"a\\\\\", \"b\\u0000\"]}}", "NUL character", "line 2" },
		{ "{\"health\": {\"timeout\": 0}}", "'health.timeout'", "from 0.1s to 1h" },
		{ "{\"health\": {\"timeout\": \"0s\"}}", "'health.timeout'", "from 0.1s to 1h" },
		{ "{\"health\": {\"timeout\": 1e300}}", "'health.timeout'", "from 0.1s to 1h" },
		{ "{\"health\": {\"timeout\": \"2h\"}}", "'health.timeout'", "from 0.1s to 1h" },
		{ "{\"daemon\": {\"stop_timeout\": \"1d\"}}", "'daemon.stop_timeout'", "to 10m" },
		{ "{\"alert\": {\"cooldown\": \"60d\"}}", "'alert.cooldown'", "to 30d" },
		{ "{\"rotate\": {\"delete_after\": \"99999d\"}}", "'rotate.delete_after'", "to 3650d" },
		{ "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"], \"timeout\": 0}]}}", "'health.checks[].timeout'", "from 0.1s" },
		{ "{\"daemon\": {\"pid_file\": \"/etc/shadow\"}}", "'daemon.pid_file'", "absolute" },
		{ "{\"rotate\": {\"daily_logs\": [\"logs/*.log\", \"../x/*.log\"]}}", "'rotate.daily_logs'", "leaves the home" },
		{ "{\"backup\": {\"include\": [\"/etc/passwd\"]}}", "'backup.include'", "absolute" },
		/* issue 13: a check's own context key, hostile values */
#define CK "{\"health\": {\"checks\": [{\"name\": \"p\", \"command\": [\"true\"], \"context\": "
		{ CK "[]}]}}", "'health.checks[0].context'", "{\"file\": PATH}" },
		{ CK "\"logs/a.log\"}]}}", "'health.checks[0].context'", "{\"file\": PATH}" },
		{ CK "{}}]}}", "'health.checks[0].context'", "{\"file\": PATH}" },
		{ CK "{\"max_lines\": 5}}]}}", "'health.checks[0].context'", "{\"file\": PATH}" },
		{ CK "{\"file\": \"a.log\", \"journal\": \"x\"}}]}}", "'health.checks[0].context.journal'", "one of" },
		{ CK "{\"file\": \"a.log\", \"max_lines\": 501}}]}}", "'health.checks[0].context.max_lines'", "from 1 to 500" },
		{ CK "{\"file\": \"a.log\", \"max_lines\": 0}}]}}", "'health.checks[0].context.max_lines'", "from 1 to 500" },
		{ CK "{\"file\": \"a.log\", \"max_lines\": 2.5}}]}}", "'health.checks[0].context.max_lines'", "a whole number" },
		{ CK "{\"file\": \"a.log\", \"max_lines\": 1e300}}]}}", "'health.checks[0].context.max_lines'", "from 1 to 500" },
		{ CK "{\"file\": \"a.log\", \"max_lines\": \"50\"}}]}}", "'health.checks[0].context.max_lines'", "a whole number" },
		{ CK "{\"file\": \"/etc/shadow\"}}]}}", "'health.checks[0].context.file'", "absolute" },
		{ CK "{\"file\": 5}}]}}", "'health.checks[0].context.file'", "a non-empty string" },
		{ CK "{\"file\": \"\"}}]}}", "'health.checks[0].context.file'", "a non-empty string" },
		{ CK "{\"tail\": \"a.log\"}}]}}", "unknown key 'health.checks[0].context.tail'", NULL },
#undef CK
		{ "{\"health\": {\"endpoints\": [{\"name\": \"e\", \"url\": \"tcp://h:1\","
		  " \"context\": {\"newest\": \"logs/../../*.log\"}}]}}", "'health.endpoints[0].context.newest'", "leaves the home" },
		{ "{\"health\": {\"endpoints\": [{\"name\": \"e\", \"url\": \"tcp://h:1\","
		  " \"context\": {\"journal\": \"--root=/\"}}]}}", "'health.endpoints[0].context.journal'", "a systemd unit name" },
		{ "{\"health\": {\"logs\": [{\"name\": \"l\", \"path\": \"logs/a.log\","
		  " \"context\": {\"journal\": 7}}]}}", "'health.logs[0].context.journal'", "a non-empty string" },
		{ "{\"health\": {\"monit\": {\"context\": []}}}", "'health.monit.context'", "an object of Monit service names" },
		{ "{\"health\": {\"monit\": {\"context\": {\"\": {\"file\": \"a.log\"}}}}}", "'health.monit.context.'", "a Monit service name" },
		{ "{\"health\": {\"monit\": {\"context\": {\"a\\u001b[31m\": {\"file\": \"a.log\"}}}}}", "'health.monit.context.a?[31m'", "a Monit service name" },
		{ "{\"health\": {\"monit\": {\"context\": {\"a\\u0085b\": {\"file\": \"a.log\"}}}}}", "'health.monit.context.", "a Monit service name" },
		{ "{\"health\": {\"monit\": {\"context\": {\"*\": {\"file\": \"../a.log\"}}}}}", "'health.monit.context.*.file'", "leaves the home" },
		{ "{\"health\": {\"monit\": {\"context\": {\"sleeper\": 5}}}}", "'health.monit.context.sleeper'", "{\"file\": PATH}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_config cfg;
		struct ops_err err = OPS_ERR_INIT;

		unit_case("%s", cases[i].text);
		EQ_INT(load(&cfg, cases[i].text, &err), -1);
		EQ_INT(err.code, OPS_E_USAGE);
		CHECK(strncmp(err.msg, "t.json: ", 8) == 0);
		HAS_STR(err.msg, cases[i].want1);
		if (cases[i].want2)
			HAS_STR(err.msg, cases[i].want2);
		ops_config_release(&cfg);
	}
	unit_case("%s", "");
}

/* A key given twice (JSON allows it): the last one wins, nothing leaks. */
static void
test_repeated_keys(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	const char *text =
	    "{\"health\": {\"checks\": [{\"name\": \"a\", \"command\": [\"true\"]}],"
	    " \"checks\": [{\"name\": \"b\", \"command\": [\"false\"]}, {\"name\": \"c\", \"command\": [\"x\"]}],"
	    " \"endpoints\": [{\"name\": \"e\", \"url\": \"tcp://h:1\"}],"
	    " \"endpoints\": [{\"name\": \"f\", \"url\": \"tcp://h:2\"}],"
	    " \"databases\": [\"x.db\"], \"databases\": [\"y.db\"],"
	    " \"integrity\": \"full\", \"integrity\": \"off\"}}";

	EQ_INT(load(&cfg, text, &err), 0);
	EQ_STR(err.msg, "");
	EQ_INT(cfg.health.nchecks, 2);
	EQ_STR(cfg.health.checks[0].name, "b");
	EQ_STR(cfg.health.checks[1].name, "c");
	EQ_INT(cfg.health.nendpoints, 1);
	EQ_STR(cfg.health.endpoints[0].name, "f");
	EQ_INT(cfg.health.databases.n, 1);
	EQ_STR(cfg.health.databases.v[0], "y.db");
	EQ_STR(cfg.health.integrity, "off");
	ops_config_release(&cfg);
}

/* Invalid JSON names the line it broke on. */
static void
test_json_line(void)
{
	static const struct {
		const char *text;
		const char *line;
	} cases[] = {
		{ "{\n  \"health\": {\n    \"disk_warn\": \"5G\",,\n  }\n}\n", "near line 3" },
		{ "{\"health\": {\"disk_warn\": \"5G\"}", "near line 1" },
		{ "{\n\n\n\n\n  \"alert\": {\"desktop\": tru}\n}", "near line 6" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_config cfg;
		struct ops_err err = OPS_ERR_INIT;

		unit_case("json line case %zu", i);
		EQ_INT(load(&cfg, cases[i].text, &err), -1);
		EQ_INT(err.code, OPS_E_USAGE);
		HAS_STR(err.msg, "t.json: invalid JSON");
		HAS_STR(err.msg, cases[i].line);
		ops_config_release(&cfg);
	}
	unit_case("%s", "");
}

/* ---- ops_config_load: the home, the file, the environment ------------ */

static char *tmp;

static void
clear_env(void)
{
	unsetenv("DHARMIC_HOME");
	unsetenv("DHARMIC_OPS_CONFIG");
	unsetenv("ALERT_EMAIL");
}

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
put(const char *rel, const char *text)
{
	unit_write(path(rel), text);
	chmod(path(rel), 0600);
}

static void
test_load(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	char real[PATH_MAX];

	clear_env();
	mkdir(path("home"), 0700);
	mkdir(path("other"), 0700);
	mkdir(path("user"), 0700);
	mkdir(path("user/DHARMIC_GODEL_CLAW"), 0700);
	CHECK(realpath(path("home"), real) != NULL);

	/* no ops.json: all defaults */
	unit_case("missing default file");
	EQ_INT(ops_config_load(&cfg, path("home"), NULL, &err), 0);
	EQ_STR(err.msg, "");
	EQ_STR(cfg.home, real);
	CHECK(cfg.file == NULL);
	EQ_U64(cfg.health.disk_warn, 5 * G);
	ops_config_release(&cfg);

	/* an explicit --config that is missing is an error */
	unit_case("missing --config");
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("home"), path("nope.json"), &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "nope.json");
	ops_config_release(&cfg);

	/* ... and so is a $DHARMIC_OPS_CONFIG that is missing */
	unit_case("missing $DHARMIC_OPS_CONFIG");
	setenv("DHARMIC_OPS_CONFIG", path("nope.json"), 1);
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("home"), NULL, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	ops_config_release(&cfg);
	clear_env();

	/* a home that does not exist */
	unit_case("missing home");
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("nohome"), NULL, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "nohome");
	ops_config_release(&cfg);

	/* HOME/ops.json is read; the file is recorded */
	unit_case("HOME/ops.json");
	put("home/ops.json", "{\"health\": {\"disk_warn\": \"7G\"}}");
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("home"), NULL, &err), 0);
	EQ_U64(cfg.health.disk_warn, 7 * G);
	CHECK(cfg.file != NULL);
	HAS_STR(cfg.file, "home/ops.json");
	ops_config_release(&cfg);

	/* $DHARMIC_HOME when there is no --home; --home wins over it */
	unit_case("$DHARMIC_HOME");
	put("other/ops.json", "{\"health\": {\"disk_warn\": \"8G\"}}");
	setenv("DHARMIC_HOME", path("other"), 1);
	EQ_INT(ops_config_load(&cfg, NULL, NULL, &err), 0);
	EQ_U64(cfg.health.disk_warn, 8 * G);
	HAS_STR(cfg.home, "/other");
	ops_config_release(&cfg);
	EQ_INT(ops_config_load(&cfg, path("home"), NULL, &err), 0);
	EQ_U64(cfg.health.disk_warn, 7 * G);
	EQ_STR(cfg.home, real);
	ops_config_release(&cfg);
	/* an empty --home is no --home */
	EQ_INT(ops_config_load(&cfg, "", NULL, &err), 0);
	HAS_STR(cfg.home, "/other");
	ops_config_release(&cfg);
	clear_env();

	/* neither: ~/DHARMIC_GODEL_CLAW */
	unit_case("~/DHARMIC_GODEL_CLAW");
	{
		char *saved = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

		setenv("HOME", path("user"), 1);
		EQ_INT(ops_config_load(&cfg, NULL, NULL, &err), 0);
		HAS_STR(cfg.home, "/user/DHARMIC_GODEL_CLAW");
		ops_config_release(&cfg);
		if (saved) {
			setenv("HOME", saved, 1);
			free(saved);
		} else {
			unsetenv("HOME");
		}
	}

	/* $DHARMIC_OPS_CONFIG over HOME/ops.json; --config over both */
	unit_case("$DHARMIC_OPS_CONFIG");
	put("env.json", "{\"health\": {\"disk_warn\": \"9G\"}}");
	put("opt.json", "{\"health\": {\"disk_warn\": \"10G\"}}");
	setenv("DHARMIC_OPS_CONFIG", path("env.json"), 1);
	EQ_INT(ops_config_load(&cfg, path("home"), NULL, &err), 0);
	EQ_U64(cfg.health.disk_warn, 9 * G);
	HAS_STR(cfg.file, "env.json");
	ops_config_release(&cfg);
	EQ_INT(ops_config_load(&cfg, path("home"), path("opt.json"), &err), 0);
	EQ_U64(cfg.health.disk_warn, 10 * G);
	HAS_STR(cfg.file, "opt.json");
	ops_config_release(&cfg);
	clear_env();

	/* ALERT_EMAIL over the file */
	unit_case("ALERT_EMAIL");
	put("mail.json", "{\"alert\": {\"email\": \"file@example.org\"}}");
	EQ_INT(ops_config_load(&cfg, path("home"), path("mail.json"), &err), 0);
	EQ_STR(cfg.alert.email, "file@example.org");
	ops_config_release(&cfg);
	setenv("ALERT_EMAIL", "env@example.org", 1);
	EQ_INT(ops_config_load(&cfg, path("home"), path("mail.json"), &err), 0);
	EQ_STR(cfg.alert.email, "env@example.org");
	ops_config_release(&cfg);
	setenv("ALERT_EMAIL", "", 1);	/* empty: not set */
	EQ_INT(ops_config_load(&cfg, path("home"), path("mail.json"), &err), 0);
	EQ_STR(cfg.alert.email, "file@example.org");
	ops_config_release(&cfg);
	clear_env();

	/* a config others may write is refused */
	unit_case("world-writable");
	put("ww.json", "{}");
	chmod(path("ww.json"), 0666);
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("home"), path("ww.json"), &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "ww.json");
	HAS_STR(err.msg, "writable by others");
	ops_config_release(&cfg);

	/* a symlinked config is refused, also as the default file */
	unit_case("symlink");
	CHECK(symlink("env.json", path("link.json")) == 0);
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("home"), path("link.json"), &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "symlink");
	ops_config_release(&cfg);
	mkdir(path("linked"), 0700);
	CHECK(symlink("../env.json", path("linked/ops.json")) == 0);
	EQ_INT(ops_config_load(&cfg, path("linked"), NULL, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	ops_config_release(&cfg);

	/* invalid JSON: the file and the line */
	unit_case("invalid JSON file");
	put("bad.json", "{\n  \"alert\": {\n    \"desktop\": yes\n  }\n}\n");
	ops_err_clear(&err);
	EQ_INT(ops_config_load(&cfg, path("home"), path("bad.json"), &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "bad.json: invalid JSON near line 3");
	ops_config_release(&cfg);

	/* a bad value in the file: file and key */
	unit_case("bad value in file");
	put("q.json", "{\"health\": {\"disk_warn\": \"5Q\"}}");
	EQ_INT(ops_config_load(&cfg, path("home"), path("q.json"), &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "q.json: 'health.disk_warn'");
	ops_config_release(&cfg);

	/* relative paths are relative to the home, absolute ones stay */
	unit_case("ops_config_path");
	EQ_INT(ops_config_load(&cfg, path("home"), NULL, &err), 0);
	{
		char buf[PATH_MAX], want[PATH_MAX + 32];

		snprintf(want, sizeof(want), "%s/logs/daemon.pid", real);
		EQ_INT(ops_config_path(&cfg, cfg.daemon.pid_file, buf, sizeof(buf), &err), 0);
		EQ_STR(buf, want);
		EQ_INT(ops_config_path(&cfg, "/var/x", buf, sizeof(buf), &err), 0);
		EQ_STR(buf, "/var/x");
		EQ_INT(ops_config_path(&cfg, "logs/daemon.pid", buf, 8, &err), -1);
		HAS_STR(err.msg, "path too long");
	}
	ops_config_release(&cfg);
	unit_case("%s", "");
}

/* issue 11: an escaped backslash before "u0000" is no NUL; the ranges'
 * ends are accepted. */
static void
test_trust(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(load(&cfg, "{\"daemon\": {\"match\": \"a\\\\u0000\"},"
	    " \"health\": {\"timeout\": \"1h\"}, \"alert\": {\"cooldown\": 0}}", &err), 0);
	EQ_STR(cfg.daemon.match, "a\\u0000");
	EQ_DBL(cfg.health.timeout, 3600, 0);
	ops_config_release(&cfg);
	EQ_INT(load(&cfg, "{\"health\": {\"timeout\": 0.1}, \"daemon\": {\"workdir\": \".\"}}",
	    &err), 0);
	ops_config_release(&cfg);
}

/* issue 12 step 3: backup.offsite (rclone) */
static void
test_offsite(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	static const char *const bad[] = {
		"{\"backup\": {\"offsite\": []}}",
		"{\"backup\": {\"offsite\": {}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"nocolon\"}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"-x:y\"}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\\nc\"}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"keep\": \"gfs\"}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"rclone\": \"\"}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"config\": 1}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"x\": \"y\"}}}",
		"{\"backup\": {\"offsite_command\": [\"cp\"], \"offsite\": {\"remote\": \"a:b\"}}}",
		/* issue 12: keep as the remote's own retention */
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"keep\": {\"daily\": 7}}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"keep\": {\"keep_all\": \"x\"}}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"keep\": {\"keep_good\": 0}}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"keep\": {\"keep_good\": \"2\"}}}}",
		"{\"backup\": {\"offsite\": {\"remote\": \"a:b\", \"keep\": [1]}}}",
		NULL };

	EQ_INT(load(&cfg, "{}", &err), 0);
	EQ_INT(cfg.backup.offsite.enabled, 0);
	ops_config_release(&cfg);
	setenv("HOME", "/home/u", 1);
	EQ_INT(load(&cfg, "{\"backup\": {\"offsite\": {\"remote\": \"s3:b/agent\", "
	    "\"config\": \"~/.config/rclone/rclone.conf\"}}}", &err), 0);
	EQ_INT(cfg.backup.offsite.enabled, 1);
	EQ_STR(cfg.backup.offsite.remote, "s3:b/agent");
	EQ_STR(cfg.backup.offsite.rclone, "rclone");
	EQ_STR(cfg.backup.offsite.config, "/home/u/.config/rclone/rclone.conf");
	EQ_INT(cfg.backup.offsite.keep_same, 1);
	ops_config_release(&cfg);
	EQ_INT(load(&cfg, "{\"backup\": {\"offsite\": {\"remote\": \"s3:\", "
	    "\"config\": \"etc/rc.conf\", \"rclone\": \"/opt/rclone\", \"keep\": \"all\"}}}",
	    &err), 0);
	EQ_STR(cfg.backup.offsite.config, "/h/etc/rc.conf");
	EQ_STR(cfg.backup.offsite.rclone, "/opt/rclone");
	EQ_INT(cfg.backup.offsite.keep_same, 0);
	EQ_INT(cfg.backup.offsite.keep_gfs, 0);
	ops_config_release(&cfg);
	EQ_INT(load(&cfg, "{\"backup\": {\"offsite\": {\"remote\": \"s3:\", "
	    "\"keep\": {\"keep_weekly\": \"60d\", \"keep_good\": 2}}}}", &err), 0);
	EQ_INT(cfg.backup.offsite.keep_same, 0);
	EQ_INT(cfg.backup.offsite.keep_gfs, 1);
	EQ_DBL(cfg.backup.offsite.keep_all, 7 * 86400, 0);
	EQ_DBL(cfg.backup.offsite.keep_weekly, 60 * 86400, 0);
	EQ_DBL(cfg.backup.offsite.keep_monthly, 365 * 86400, 0);
	CHECK(cfg.backup.offsite.keep_good == 2);
	ops_config_release(&cfg);
	for (size_t i = 0; bad[i]; i++) {
		err.msg[0] = '\0';
		EQ_INT(load(&cfg, bad[i], &err), -1);
		HAS_STR(err.msg, "backup.offsite");
		ops_config_release(&cfg);
	}
}

int
main(void)
{
	test_defaults();
	test_offsite();
	test_values();
	test_errors();
	test_repeated_keys();
	test_json_line();
	test_trust();
	tmp = unit_tmpdir();
	test_load();
	clear_env();
	unit_cleanup(tmp);
	return unit_done();
}
