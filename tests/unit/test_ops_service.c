/* test_ops_service: the systemd unit and launchd plist ops_service renders,
 * above all how awkward values are written (systemd specifiers '%',
 * variables '$', quoting; XML escapes); the per-home naming rule and the
 * home read back from a rendered unit (migration, listing). */
#include "ops_service.h"

#include <sys/stat.h>

#include "unit.h"

static const struct {
	const char *name, *home, *json;
	enum ops_manager m;
	const char *want[4];	/* lines (or parts) the unit must hold */
	int fails;
} cases[] = {
	{ "plain", "/srv/agent", "{\"daemon\": {\"command\": [\"/bin/sh\", \"-c\", \"true\"]}}",
	  OPS_MGR_SYSTEMD, { "\nExecStart=/bin/sh -c true\n", "\nWorkingDirectory=/srv/agent\n",
	  "\nEnvironment=DHARMIC_HOME=/srv/agent\n", "\nEnvironmentFile=-/srv/agent/.env\n" }, 0 },
	{ "specifiers, variables and quotes", "/srv/a%h",
	  "{\"daemon\": {\"command\": [\"/bin/sh\", \"-c\", \"echo $HOME 100% \\\"q\\\" \\\\\"], "
	  "\"workdir\": \"w d\"}}",
	  OPS_MGR_SYSTEMD, { "\nExecStart=/bin/sh -c \"echo $$HOME 100%% \\\"q\\\" \\\\\"\n",
	  "\nWorkingDirectory=/srv/a%%h/w d\n", "\nEnvironment=DHARMIC_HOME=/srv/a%%h\n",
	  "\nStandardError=append:/srv/a%%h/logs/daemon_stderr.log\n" }, 0 },
	{ "a lone semicolon is an argument", "/h",
	  "{\"daemon\": {\"command\": [\"/bin/echo\", \";\", \"x\"]}}",
	  OPS_MGR_SYSTEMD, { "\nExecStart=/bin/echo \";\" x\n" }, 0 },
	{ "stop timeout", "/h",
	  "{\"daemon\": {\"command\": [\"/bin/true\"], \"stop_timeout\": \"90s\"}}",
	  OPS_MGR_SYSTEMD, { "\nTimeoutStopSec=90\n", "\nRestart=on-failure\n",
	  "\nRestartSec=60\n" }, 0 },
	{ "a newline cannot be written", "/h",
	  "{\"daemon\": {\"command\": [\"/bin/echo\", \"a\\nb\"]}}", OPS_MGR_SYSTEMD, { NULL }, 1 },
	{ "program not found", "/h",
	  "{\"daemon\": {\"command\": [\"/nonexistent/agent\"]}}", OPS_MGR_SYSTEMD, { NULL }, 1 },
	{ "plist escapes", "/h<&>",
	  "{\"daemon\": {\"command\": [\"/bin/echo\", \"a'b\\\"c\"]}}",
	  OPS_MGR_LAUNCHD, { "<string>/bin/echo</string>",
	  "<string>a&apos;b&quot;c</string>", "<key>DHARMIC_HOME</key><string>/h&lt;&amp;&gt;</string>",
	  "<key>ThrottleInterval</key><integer>60</integer>" }, 0 },
};

static const char *const homes[] = { "/srv/agent", "/srv/a%h", "/srv/w d \"q\" \\ $x",
	"/h<&>'\"" };

static void
names(void)
{
	char *dir = unit_tmpdir(), sub[4096], home[4096];
	struct ops_err err = OPS_ERR_INIT;
	struct ops_strv listed = OPS_STRV_INIT;
	struct ops_unit u;

	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	unit_case("naming rule");
	/* printf %s /srv/agent | sha256sum | cut -c1-10 */
	EQ_INT(ops_service_unit(OPS_MGR_SYSTEMD, OPS_UNIT_AGENT, "/srv/agent", &u, &err), 0);
	EQ_STR(u.name, "dharmic-agent-5ecc165485.service");
	snprintf(sub, sizeof(sub), "%s/systemd/user/dharmic-agent-5ecc165485.service", dir);
	EQ_STR(u.path, sub);
	EQ_INT(ops_service_unit(OPS_MGR_SYSTEMD, OPS_UNIT_DASHBOARD, "/srv/agent", &u, &err), 0);
	EQ_STR(u.name, "dharmic-dashboard-5ecc165485.service");
	EQ_INT(ops_service_unit(OPS_MGR_LAUNCHD, OPS_UNIT_AGENT, "/srv/agent", &u, &err), 0);
	EQ_STR(u.name, "com.dharmic.agent.5ecc165485");
	snprintf(sub, sizeof(sub), "%s/Library/LaunchAgents/com.dharmic.agent.5ecc165485.plist",
	    dir);
	EQ_STR(u.path, sub);
	EQ_INT(ops_service_unit(OPS_MGR_LAUNCHD, OPS_UNIT_DASHBOARD, "/srv/agent", &u, &err), 0);
	EQ_STR(u.name, "com.dharmic.dashboard.5ecc165485");
	EQ_INT(ops_service_unit(OPS_MGR_SYSTEMD, OPS_UNIT_AGENT, "srv/agent", &u, &err), -1);
	EQ_INT(ops_service_legacy_unit(OPS_MGR_SYSTEMD, &u, &err), 0);
	EQ_STR(u.name, "dharmic-agent.service");
	EQ_INT(ops_service_legacy_unit(OPS_MGR_LAUNCHD, &u, &err), 0);
	EQ_STR(u.name, "com.dharmic.agent");

	snprintf(sub, sizeof(sub), "%s/systemd", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/systemd/user", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/Library", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/Library/LaunchAgents", dir);
	mkdir(sub, 0700);
	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
		for (int m = OPS_MGR_SYSTEMD; m <= OPS_MGR_LAUNCHD; m++) {
			static const char json[] = "{\"daemon\": {\"command\": [\"/bin/true\"]}}";
			struct ops_config cfg;
			struct ops_buf out = OPS_BUF_INIT;

			unit_case("the home read back from its unit: %s, %s", homes[i],
			    m == OPS_MGR_SYSTEMD ? "systemd" : "launchd");
			memset(&cfg, 0, sizeof(cfg));
			EQ_INT(ops_config_load_text(&cfg, homes[i], json, strlen(json), "t.json",
			    &err), 0);
			EQ_INT(ops_service_render(&cfg, (enum ops_manager)m, &out, &err), 0);
			EQ_INT(ops_service_unit((enum ops_manager)m, OPS_UNIT_AGENT, homes[i], &u,
			    &err), 0);
			EQ_INT(ops_service_unit_home(&u, home, sizeof(home), &err), 0);
			unit_write(u.path, ops_buf_str(&out));
			EQ_INT(ops_service_unit_home(&u, home, sizeof(home), &err), 1);
			EQ_STR(home, homes[i]);
			ops_buf_release(&out);
			ops_config_release(&cfg);
		}
	}
	unit_case("a home that does not fit is none (a cut one would be another)");
	EQ_INT(ops_service_unit_home_text(OPS_MGR_SYSTEMD,
	    "Environment=DHARMIC_HOME=/abcdef\n", home, 21), 1);
	EQ_STR(home, "/abcdef");
	EQ_INT(ops_service_unit_home_text(OPS_MGR_SYSTEMD,
	    "Environment=DHARMIC_HOME=/abcdef\n", home, 20), 0);
	EQ_STR(home, "");
	EQ_INT(ops_service_unit_home_text(OPS_MGR_SYSTEMD,
	    "Environment=\"DHARMIC_HOME=/a b\"\n", home, 18), 1);
	EQ_STR(home, "/a b");
	EQ_INT(ops_service_unit_home_text(OPS_MGR_SYSTEMD,
	    "Environment=\"DHARMIC_HOME=/a b\"\n", home, 17), 0);
	EQ_INT(ops_service_unit_home_text(OPS_MGR_LAUNCHD,
	    "<key>DHARMIC_HOME</key><string>/a&amp;b</string>", home, 4), 0);
	EQ_INT(ops_service_unit_home_text(OPS_MGR_LAUNCHD,
	    "<key>DHARMIC_HOME</key><string>/a&amp;b</string>", home, 5), 1);
	EQ_STR(home, "/a&b");
	EQ_INT(ops_service_unit_home_text(OPS_MGR_SYSTEMD,
	    "Environment=DHARMIC_HOME=relative\nEnvironment=OTHER=/x\n", home, 64), 0);
	unit_case("listing the homes with a unit");
	snprintf(sub, sizeof(sub), "%s/systemd/user/dharmic-agent.service", dir);
	unit_write(sub, "[Service]\nEnvironment=DHARMIC_HOME=/legacy\n");
	snprintf(sub, sizeof(sub), "%s/systemd/user/dharmic-agent-zzzzzzzzzz.service", dir);
	unit_write(sub, "[Service]\nEnvironment=DHARMIC_HOME=/not-ours\n");
	snprintf(sub, sizeof(sub), "%s/systemd/user/dharmic-agent-0123456789.service", dir);
	unit_write(sub, "[Service]\nEnvironment=OTHER=/x\n");
	EQ_INT(ops_service_homes(OPS_MGR_SYSTEMD, &listed, &err), 0);
	EQ_INT((int)listed.n, 5);
	for (size_t i = 0; i < listed.n; i++)
		CHECK(strcmp(listed.v[i], "/not-ours") != 0);
	for (size_t i = 0; i + 1 < listed.n; i++)
		CHECK(strcmp(listed.v[i], listed.v[i + 1]) < 0);
	CHECK(listed.n == 5 && strcmp(listed.v[1], "/legacy") == 0);
	ops_strv_release(&listed);
	EQ_INT(ops_service_homes(OPS_MGR_LAUNCHD, &listed, &err), 0);
	EQ_INT((int)listed.n, 4);
	ops_strv_release(&listed);
	unit_cleanup(dir);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_config cfg;
		struct ops_buf out = OPS_BUF_INIT;
		struct ops_err err = OPS_ERR_INIT;

		unit_case("%s", cases[i].name);
		memset(&cfg, 0, sizeof(cfg));
		EQ_INT(ops_config_load_text(&cfg, cases[i].home, cases[i].json,
		    strlen(cases[i].json), "test.json", &err), 0);
		if (cases[i].fails) {
			EQ_INT(ops_service_render(&cfg, cases[i].m, &out, &err), -1);
			EQ_INT(err.code, OPS_E_USAGE);
		} else {
			EQ_INT(ops_service_render(&cfg, cases[i].m, &out, &err), 0);
			for (size_t j = 0; j < 4 && cases[i].want[j]; j++)
				HAS_STR(ops_buf_str(&out), cases[i].want[j]);
		}
		ops_buf_release(&out);
		ops_config_release(&cfg);
	}
	names();
	return unit_done();
}
