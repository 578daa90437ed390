/* ops_daemon: start, stop and identify the agent daemon.
 *
 * Shared by dharmic-ops start/stop/restart, ops-restore and ops-alert's
 * auto-restart. A signal only ever goes to a process that ops_proc
 * identifies as the agent (command line matches daemon.match, started
 * before its PID file was written), through a pidfd where the kernel has
 * them so the PID cannot be reused between the check and the signal. */
#ifndef OPS_DAEMON_H
#define OPS_DAEMON_H

#include <stdint.h>
#include <sys/types.h>

#include "ops_config.h"
#include "ops_err.h"
#include "ops_proc.h"
#include "ops_state.h"

/* 1: the agent runs (pi filled); 0: it does not, err->msg says why
 * ("no PID file", "PID 42 is not running", ...); -1: could not tell. */
int ops_daemon_status(const struct ops_config *cfg, struct ops_procinfo *pi,
    struct ops_err *err);

struct ops_daemon_start_opts {
	int wait_heartbeat;	/* also wait for a heartbeat newer than the start */
	double timeout;		/* 0: daemon.start_timeout */
};

/* Start daemon.command in daemon.workdir (relative to the home) with
 * daemon.env_file loaded, in its own session, stdin /dev/null, output
 * appended to logs/daemon_stdout.log and logs/daemon_stderr.log, no fd of
 * ours inherited. Writes the PID file, then waits until the process is
 * identified (and heartbeating when asked). Refuses when already running. */
int ops_daemon_start(const struct ops_config *cfg,
    const struct ops_daemon_start_opts *o, pid_t *pid, struct ops_err *err);

/* Stop the agent: SIGTERM, wait daemon.stop_timeout, then fail, or with
 * force SIGKILL. A PID file that does not name the agent never leads to a
 * signal; it is removed when its process is gone or is not the agent.
 * *was_running (may be NULL) says whether there was anything to stop. */
int ops_daemon_stop(const struct ops_config *cfg, int force, int *was_running,
    struct ops_err *err);

/* Wait up to timeout for the agent to be identified and to write a
 * heartbeat at or after since. */
int ops_daemon_wait_healthy(const struct ops_config *cfg, double since,
    double timeout, struct ops_err *err);

/* Record a restart (reason: "manual", "auto", "restore") in the state
 * database's events and logs/restart.log, where the restarts health check
 * counts them. */
int ops_daemon_log_restart(const struct ops_config *cfg, const char *reason,
    struct ops_err *err);

/* Restarts in [since, until]: the larger of the state database's restart
 * events (st may be NULL) and the lines of logs/restart.log, which also
 * holds restarts made by older tools. */
int ops_daemon_count_restarts(const struct ops_config *cfg, struct ops_statedb *st,
    double since, double until, int64_t *count, struct ops_err *err);

/* Parse one line of an env file: "KEY=VALUE", "export KEY=VALUE", quotes
 * around the value removed; comments and blank lines give 0 (nothing),
 * a valid assignment 1 with *out = "KEY=VALUE" (caller frees), -1 on a
 * malformed line. */
int ops_env_parse_line(const char *line, char **out);

#endif
