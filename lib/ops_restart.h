/* ops_restart: when ops-alert restarts a crashed agent (daemon.restart_*),
 * decided by its own policy, not by the alert cooldown.
 *
 * Crashes are the restart events (kind "restart", ops_daemon_log_restart)
 * made because the agent died or hung, whoever restarted it: "auto" (ops-
 * alert), "stale" (ops-alert, daemon.restart_on_stale), "systemd" and
 * "launchd" (counted from the service manager, ops_restart_sample).
 * Manual restarts and restores are not crashes.
 *
 * With k crash restarts in the last daemon.restart_window:
 *   k == 0                  restart now (the first crash)
 *   0 < k < restart_burst   restart once restart_backoff * 2^(k-1) (at
 *                           most 15 min) has passed since the last one
 *   k >= restart_burst      the burst is spent: no restart until the
 *                           window clears; the restarts check is CRITICAL
 *                           (restart_loop, escalated by email)
 * The times are ops_time_now()'s ($DHARMIC_OPS_NOW in tests). */
#ifndef OPS_RESTART_H
#define OPS_RESTART_H

#include <stddef.h>
#include <stdint.h>

#include "ops_config.h"
#include "ops_err.h"
#include "ops_state.h"

#define OPS_RESTART_BACKOFF_MAX (15 * 60.0)

struct ops_restart_policy {
	double backoff;		/* the first delay, doubled after each restart */
	double backoff_max;
	double window;
	int64_t burst;
};

void ops_restart_policy_from(const struct ops_config *cfg, struct ops_restart_policy *p);

enum ops_restart_verdict {
	OPS_RESTART_NOW,
	OPS_RESTART_WAIT,	/* backing off until next_at */
	OPS_RESTART_SPENT,	/* the burst is spent */
};

struct ops_restart_decision {
	enum ops_restart_verdict verdict;
	int64_t recent;		/* crash restarts in the window */
	double last;		/* the newest of them, 0 when none */
	double next_at;		/* WAIT: when a restart is allowed */
};

/* Pure: decide from the crash restart times (any order) at now. */
void ops_restart_decide(const struct ops_restart_policy *p, const double *times, size_t n,
    double now, struct ops_restart_decision *d);

/* The same from the state database's events. */
int ops_restart_check(const struct ops_config *cfg, struct ops_statedb *st, double now,
    struct ops_restart_decision *d, struct ops_err *err);

/* "NRestarts=5" (systemctl show) or "runs = 5" (launchctl print): the
 * number after key and '=' on a line of text; -1 when there is none. */
int ops_restart_parse_count(const char *text, const char *key, int64_t *n);

/* When the agent runs under a service manager (ops_service_manager), read
 * its restart counter (systemd: `systemctl --user show --property=NRestarts
 * dharmic-agent-HASH.service`; launchd: `launchctl print gui/UID/
 * com.dharmic.agent.HASH`, "runs"; the home's unit, ops_service_unit)
 * and record what it added since the last sample as crash restarts
 * (reason "systemd" or "launchd"); the first sample only sets the
 * baseline. *added says how many (0 with no
 * manager). The counter is kept in its own table, restart_supervisor. */
int ops_restart_sample(const struct ops_config *cfg, struct ops_statedb *st, double now,
    int64_t *added, struct ops_err *err);

#endif
