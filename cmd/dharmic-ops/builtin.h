/* The built-in verbs of dharmic-ops (dharmic-ops(1)): one file each in
 * cmd/dharmic-ops/, linked into the dharmic-ops program only. Each handler
 * parses its own options and makes one library call; what they share
 * (the common options, loading the config, printing the result) is in
 * builtin.c. The verb table is in cmd/dharmic-ops.c. */
#ifndef DHARMIC_OPS_BUILTIN_H
#define DHARMIC_OPS_BUILTIN_H

#include <getopt.h>
#include <stddef.h>

#include "ops.h"

struct ctx {
	const char *usage;
	const char *home, *config;	/* --home, --config */
	struct ops_config cfg;
	struct ops_buf out;		/* what the library says, for stdout */
	struct ops_err err;
};

#define CTX(usage) { usage, NULL, NULL, { 0 }, OPS_BUF_INIT, OPS_ERR_INIT }
#define COMMON_SHORT "h"
#define COMMON_LONG \
	{ "home", required_argument, NULL, 'H' }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "help", no_argument, NULL, 'h' }
#define COMMON_USAGE " [--home DIR] [--config FILE]\n"

/* An option every built-in takes: -1 to go on, else the exit code. */
int common(struct ctx *c, int ch);
/* After the options: exactly npos arguments left, then the config;
 * -1 to go on, else the exit code. */
int setup(struct ctx *c, int argc, char **argv, int npos);
/* A verb with only the common options and no arguments: parse and load
 * the config; -1 to go on, else the exit code. */
int plain(struct ctx *c, int argc, char **argv);
/* Print what the library said, or its error, release c; the exit code. */
int finish(struct ctx *c, int rc);
/* The directory holding this binary; 0 or -1. */
int self_dir(char *buf, size_t len);

/* One audit entry for a verb that changed or decided something: rc < 0
 * "failed" with the error, else "done" with detail (NULL: the first line
 * of the output). A failure to record is said on stderr, the verb's exit
 * status is left alone. */
void audit_verb(struct ctx *c, const char *verb, int rc, const char *detail);

/* start, stop, restart: the service verbs share their option parsing
 * (verb: the name, for the audit trail). */
int service(int argc, char **argv, const char *verb, const char *usage,
    int (*fn)(const struct ops_config *, const struct ops_service_opts *,
    struct ops_buf *, struct ops_err *));
/* install, uninstall: likewise. */
int unit(int argc, char **argv, int install);

/* The handlers, one per file. */
int cmd_act(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_cron_install(int argc, char **argv);
int cmd_cron_uninstall(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_troubleshoot(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
