/* ops_agentid: who the agent is, established without its PID file.
 *
 * A PID file can be garbage, stale, or old while the agent runs; taking
 * it at its word started second agents and swapped memory/ under a live
 * writer. So before any start, auto-restart or restore the process table
 * is asked too (Linux /proc, processes of our user only, never ourselves):
 *  - OPS_AGENT_BY_CWD: a process whose working directory is the agent's
 *    (daemon.workdir in the home) and whose command line contains
 *    daemon.match (ops_proc_identify's test) — identified: the agent;
 *  - OPS_AGENT_BY_DB: a process holding one of the home's databases
 *    (health.databases, their -wal and -journal) open — a live writer
 *    (or reader), whoever it claims to be.
 * Nothing here sends a signal. */
#ifndef OPS_AGENTID_H
#define OPS_AGENTID_H

#include <stddef.h>
#include <sys/types.h>

#include "ops_config.h"
#include "ops_err.h"

enum {
	OPS_AGENT_BY_CWD = 1,
	OPS_AGENT_BY_DB = 2,
};

struct ops_agent_found {
	pid_t pid;
	int how;		/* OPS_AGENT_BY_CWD or OPS_AGENT_BY_DB */
	char what[640];		/* "PID 42 (agent-sim ...) has memory/memory.db open" */
};

/* Look for a process that is the agent by the tests in how (a mask). 1
 * found (f filled: the first by cwd, else the first holding a database),
 * 0 none, -1 could not tell (err). */
int ops_agent_find(const struct ops_config *cfg, int how,
    struct ops_agent_found *f, struct ops_err *err);

#endif
