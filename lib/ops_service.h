/* ops_service: the agent as a service of the user's session.
 *
 * start/stop/restart run the agent directly through ops_daemon, or, when
 * the home's systemd user unit (~/.config/systemd/user/
 * dharmic-agent-HASH.service) or LaunchAgent (~/Library/LaunchAgents/
 * com.dharmic.agent.HASH.plist) is installed, through `systemctl --user` /
 * `launchctl` (run with ops_run). install/uninstall write and remove that
 * unit. Each home of a user has its own units (ops_service_unit names
 * them). Every function fills msg with the lines to show the operator (one
 * per line, '\n'-terminated). */
#ifndef OPS_SERVICE_H
#define OPS_SERVICE_H

#include <limits.h>
#include <stddef.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_strv.h"

enum ops_manager {
	OPS_MGR_DIRECT,		/* no unit installed: ops_daemon */
	OPS_MGR_SYSTEMD,
	OPS_MGR_LAUNCHD,
};

enum ops_unit_kind {
	OPS_UNIT_AGENT,		/* the agent (install) */
	OPS_UNIT_DASHBOARD,	/* ops-dashboard serve (install --serve) */
};

/* One unit of one home. */
struct ops_unit {
	enum ops_manager m;
	char name[96];		/* systemd: the unit's file name; launchd: the label */
	char path[PATH_MAX];	/* its file */
};

/* The manager of this platform: systemd on Linux, launchd on macOS. */
enum ops_manager ops_service_native(void);

/* The naming rule (the only one): a home's units carry HASH, the first 10
 * hex digits of the SHA-256 of its canonical path (cfg->home), so that
 * each home of a user has its own: dharmic-agent-HASH.service and
 * dharmic-dashboard-HASH.service in $XDG_CONFIG_HOME/systemd/user/
 * (~/.config by default); com.dharmic.agent.HASH and
 * com.dharmic.dashboard.HASH in ~/Library/LaunchAgents/LABEL.plist. */
int ops_service_unit(enum ops_manager m, enum ops_unit_kind k, const char *home,
    struct ops_unit *u, struct ops_err *err);
/* The one agent unit of a user from before units were named per home:
 * dharmic-agent.service, com.dharmic.agent. */
int ops_service_legacy_unit(enum ops_manager m, struct ops_unit *u,
    struct ops_err *err);
/* The home an agent unit file runs (its DHARMIC_HOME, as install wrote
 * it) into home: 1, 0 when it names none or is missing, -1 unreadable. */
int ops_service_unit_home(const struct ops_unit *u, char *home, size_t len,
    struct ops_err *err);
/* The same from the text of a unit of manager m: 1 or 0; a home that does
 * not fit in len is none. */
int ops_service_unit_home_text(enum ops_manager m, const char *text, char *home,
    size_t len);

/* The manager that runs this home's agent: the native one when the home's
 * unit file exists (or a legacy one naming this home, until install
 * migrates it), else OPS_MGR_DIRECT. u (may be NULL) gets the unit. */
enum ops_manager ops_service_manager(const char *home, struct ops_unit *u);

/* The homes with an agent unit of manager m installed (legacy included),
 * each once, sorted, into homes (the caller releases it). */
int ops_service_homes(enum ops_manager m, struct ops_strv *homes,
    struct ops_err *err);

struct ops_service_opts {
	int force;		/* stop: SIGKILL after daemon.stop_timeout */
	int wait_heartbeat;	/* start: also wait for a fresh heartbeat */
	const char *reason;	/* restart: "manual", "auto", "restore" */
};

int ops_service_start(const struct ops_config *cfg, const struct ops_service_opts *o,
    struct ops_buf *msg, struct ops_err *err);
int ops_service_stop(const struct ops_config *cfg, const struct ops_service_opts *o,
    struct ops_buf *msg, struct ops_err *err);
/* stop, start, then one line in logs/restart.log and an event in the state
 * database (ops_daemon_log_restart). */
int ops_service_restart(const struct ops_config *cfg,
    const struct ops_service_opts *o, struct ops_buf *msg, struct ops_err *err);

/* The unit text for manager m (systemd unit or launchd plist): ExecStart
 * from daemon.command with absolute paths, daemon.workdir, the env file,
 * DHARMIC_HOME, output to logs/daemon_stdout.log and daemon_stderr.log,
 * restart on failure after 60 s, start limits. */
int ops_service_render(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *out, struct ops_err *err);

/* Write the home's unit atomically and hand it to the manager (systemd:
 * daemon-reload, enable --now; launchd: bootstrap) when the manager can be
 * reached; otherwise say how to do it later. A legacy unit naming this
 * home is disabled and removed first (one naming another home is left
 * alone). With print, only render the unit into msg. */
int ops_service_install(const struct ops_config *cfg, enum ops_manager m, int print,
    struct ops_buf *msg, struct ops_err *err);
/* One word of a systemd unit setting, quoted and escaped as systemd
 * reads it (exec: an ExecStart word, where '$' is doubled too). */
int ops_service_unit_word(struct ops_buf *b, const char *s, int exec,
    struct ops_err *err);

/* Disable and stop this home's unit, then remove it (a legacy one naming
 * this home too). */
int ops_service_uninstall(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *msg, struct ops_err *err);

#endif
