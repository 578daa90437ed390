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
#include "../cli.h"

struct ctx {
	struct ops_cli *cli;		/* the verb's options, its error prefix */
	const char *home, *config;	/* --home, --config */
	struct ops_config cfg;
	struct ops_buf out;		/* what the library says, for stdout */
	struct ops_err err;
};

#define CTX(cli) { cli, NULL, NULL, { 0 }, OPS_BUF_INIT, OPS_ERR_INIT }
/* The options every built-in takes, last in its table. */
#define COMMON_OPTS OPS_CLI_HOME(0), OPS_CLI_CONFIG(0), OPS_CLI_HELP, OPS_CLI_END
#define COMMON_SYNOPSIS "[--home DIR] [--config FILE]"
/* What every built-in's --help ends with. */
#define VERB_EXIT_CODES OPS_CLI_EXIT_CODES
#define VERB_PAGE "dharmic-ops(1)"

/* The next option of c's table (after cli_init on the first call): -1 at
 * the end, else what ops_cli_next returned. */
int next(struct ctx *c, int argc, char **argv);
/* An option every built-in takes, or a usage error: -1 to go on, else the
 * exit code. */
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
 * (verb: the name, for the audit trail; each table has only the options
 * its verb takes). */
int service(int argc, char **argv, const char *verb, struct ops_cli *cli,
    int (*fn)(const struct ops_config *, const struct ops_service_opts *,
    struct ops_buf *, struct ops_err *));
/* install, uninstall: likewise. */
int unit(int argc, char **argv, struct ops_cli *cli, int install);

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
