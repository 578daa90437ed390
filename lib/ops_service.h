/* ops_service: the agent as a service of the user's session.
 *
 * start/stop/restart run the agent directly through ops_daemon, or, when
 * a systemd user unit (~/.config/systemd/user/dharmic-agent.service) or a
 * LaunchAgent (~/Library/LaunchAgents/com.dharmic.agent.plist) is
 * installed, through `systemctl --user` / `launchctl` (run with ops_run).
 * install/uninstall write and remove that unit. Every function fills msg
 * with the lines to show the operator (one per line, '\n'-terminated). */
#ifndef OPS_SERVICE_H
#define OPS_SERVICE_H

#include <stddef.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"

enum ops_manager {
	OPS_MGR_DIRECT,		/* no unit installed: ops_daemon */
	OPS_MGR_SYSTEMD,
	OPS_MGR_LAUNCHD,
};

#define OPS_SYSTEMD_UNIT "dharmic-agent.service"
#define OPS_LAUNCHD_LABEL "com.dharmic.agent"

/* The manager of this platform: systemd on Linux, launchd on macOS. */
enum ops_manager ops_service_native(void);

/* Where the unit of manager m lives: $XDG_CONFIG_HOME/systemd/user/
 * (~/.config by default) or ~/Library/LaunchAgents/. */
int ops_service_unit_path(enum ops_manager m, char *buf, size_t len,
    struct ops_err *err);

/* The manager that runs the agent: the native one when its unit file
 * exists, else OPS_MGR_DIRECT. */
enum ops_manager ops_service_manager(void);

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

/* Write the unit atomically and hand it to the manager (systemd:
 * daemon-reload, enable --now; launchd: bootstrap) when the manager can be
 * reached; otherwise say how to do it later. With print, only render the
 * unit into msg. */
int ops_service_install(const struct ops_config *cfg, enum ops_manager m, int print,
    struct ops_buf *msg, struct ops_err *err);
/* One word of a systemd unit setting, quoted and escaped as systemd
 * reads it (exec: an ExecStart word, where '$' is doubled too). */
int ops_service_unit_word(struct ops_buf *b, const char *s, int exec,
    struct ops_err *err);

/* Disable and stop the unit, then remove it. */
int ops_service_uninstall(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *msg, struct ops_err *err);

#endif
