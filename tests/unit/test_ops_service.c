/* test_ops_service: the systemd unit and launchd plist ops_service renders,
 * above all how awkward values are written (systemd specifiers '%',
 * variables '$', quoting; XML escapes). */
#include "ops_service.h"

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
	return unit_done();
}
