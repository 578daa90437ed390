/* ops_status: the agent's daemon_status.json.
 *
 * {"status":"running","timestamp":"...","pid":"76581","heartbeat_interval":3600,
 *  "details":{"last_heartbeat":"...","checks_passed":4,"total_checks":4}}
 * Timestamps are local ISO 8601. Fields other than last_heartbeat are
 * optional; a present field of the wrong type is an error. */
#ifndef OPS_STATUS_H
#define OPS_STATUS_H

#include <stddef.h>

#include "ops_err.h"

struct ops_agent_status {
	char status[32];		/* "" when absent */
	double timestamp;		/* 0 when absent */
	long pid;			/* 0 when absent */
	double heartbeat_interval;	/* seconds; 0 when absent */
	double last_heartbeat;		/* epoch seconds */
	int checks_passed, total_checks; /* -1 when absent */
};

/* Parse the text; -1 with "malformed: ..." on anything else. */
int ops_status_parse(const char *text, size_t len, struct ops_agent_status *st,
    struct ops_err *err);
/* Read (at most 64 KiB, no symlinks) and parse. */
int ops_status_load(const char *path, struct ops_agent_status *st,
    struct ops_err *err);

#endif
