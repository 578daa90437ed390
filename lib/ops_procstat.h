/* ops_procstat: resource checks of the agent and its host, from /proc
 * (ops-health's cpu rss fds host_memory load, health.resources).
 *
 * cpu is the agent's CPU % (its live descendants and reaped children
 * included) over the interval since the previous sample, which is kept in
 * the state database (table proc_samples); it is WARNING/CRITICAL only
 * once above health.cpu_warn/cpu_crit for health.cpu_for. rss is the
 * agent's resident memory against rss_warn/rss_crit, and a leak signal:
 * the least-squares slope of the samples of the same process over
 * rss_trend_window, WARNING when it projects rss_crit within
 * rss_trend_horizon. fds is open descriptors against the soft limit,
 * host_memory MemAvailable and swap use, load the 5-minute load per core.
 *
 * Linux only; elsewhere each check is UNKNOWN. */
#ifndef OPS_PROCSTAT_H
#define OPS_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_state.h"

/* The names of the resource checks, NULL-terminated, in report order. */
extern const char *const ops_procstat_checks[];

/* One reading of a process. */
struct ops_procsample {
	pid_t pid;
	double start;		/* process start, epoch seconds */
	double cpu;		/* CPU seconds used so far, children included */
	uint64_t rss;		/* bytes (the process alone) */
	long fds, fd_limit;	/* open descriptors; soft RLIMIT_NOFILE (-1: none) */
};

/* Read pid's sample from /proc; with children, the CPU time of its live
 * descendants too (found by one pass over /proc/[0-9]*, the costly part).
 * -1 when the process is gone or unreadable. */
int ops_procstat_read(pid_t pid, int children, struct ops_procsample *s,
    struct ops_err *err);

struct ops_meminfo {
	uint64_t total, available, swap_total, swap_free;	/* bytes */
};

/* Parse the text of /proc/meminfo (also used by the unit test). */
int ops_meminfo_parse(const char *text, struct ops_meminfo *m, struct ops_err *err);

/* Least-squares slope of y over x (units of y per unit of x); -1 when
 * fewer than two distinct x. */
int ops_procstat_slope(const double *x, const double *y, size_t n, double *slope);

/* Run the resource checks whose bit is set in want (bit i is
 * ops_procstat_checks[i]) into r, in order. pid is the agent (0: not
 * running, so the agent's checks are UNKNOWN). st may be NULL: no cpu %
 * and no trend. now is ops_time_now(). A check that cannot run is an
 * UNKNOWN result; nothing here fails the run. */
void ops_procstat_run(const struct ops_config *cfg, struct ops_statedb *st,
    pid_t pid, double now, unsigned want, struct ops_report *r);

#endif
