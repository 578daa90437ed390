/* ops_cli: one option table per program (or dharmic-ops verb) that both
 * parses the command line (getopt_long) and writes the --help screen, so
 * the two cannot drift; and usage errors that say what was wrong.
 *
 * The library never prints: the help and the short usage are appended to
 * a struct ops_buf, errors go in a struct ops_err, the program prints. */
#ifndef OPS_CLI_H
#define OPS_CLI_H

#include <getopt.h>

#include "ops_buf.h"
#include "ops_err.h"

#define OPS_CLI_MAX 32

/* One option. key is what ops_cli_next returns for it; when shortopt is
 * set, -key is accepted too (key then a letter). arg names the argument
 * (NULL: a flag). help is one line: what it does, and the default. */
struct ops_cli_opt {
	const char *name;
	int key;
	int shortopt;
	const char *arg;
	const char *help;
};

/* The options every program takes (short: whether -H and -c are
 * accepted too). */
#define OPS_CLI_HOME(short) { "home", 'H', short, "DIR", \
	"the agent home (default: $DHARMIC_HOME, else ~/DHARMIC_GODEL_CLAW)" }
#define OPS_CLI_CONFIG(short) { "config", 'c', short, "FILE", \
	"the configuration (default: $DHARMIC_OPS_CONFIG, else HOME/ops.json)" }
#define OPS_CLI_HELP { "help", 'h', 1, NULL, "show this help and exit" }
#define OPS_CLI_VERSION { "version", 'V', 1, NULL, "print the version and exit" }
#define OPS_CLI_END { NULL, 0, 0, NULL, NULL }
/* The exit codes of every program but ops-health. */
#define OPS_CLI_EXIT_CODES "Exit codes:\n" \
	"  0   done\n" \
	"  1   failed (the reason on stderr)\n" \
	"  2   a usage or configuration error\n" \
	"  75  another run holds the lock: try again later\n"

/* A program's command line. prog is the name errors begin with
 * ("ops-health", "dharmic-ops status"); synopsis one or more lines, each
 * what follows the name; about a paragraph; extra what follows the
 * options (exit codes, arguments), each ending in a newline; page the
 * manual page ("ops-health(1)"). opts ends with OPS_CLI_END. The rest is
 * filled by ops_cli_init. */
struct ops_cli {
	const char *prog, *synopsis, *about, *extra, *page;
	const struct ops_cli_opt *opts;
	struct option lo[OPS_CLI_MAX + 1];
	char shorts[OPS_CLI_MAX * 2 + 2];
};

/* Build the getopt_long tables from c->opts; 0, or -1 when more than
 * OPS_CLI_MAX options (a programming error). */
int ops_cli_init(struct ops_cli *c, struct ops_err *err);
/* The next option, like getopt_long (optarg and optind as usual), with
 * getopt's own messages off: -1 at the end; '?' on a usage error, err
 * saying what was wrong ("unknown option '--frobnicate'", "option
 * '--home' needs an argument (DIR)", "option '--json' takes no
 * argument"). */
int ops_cli_next(struct ops_cli *c, int argc, char **argv, struct ops_err *err);
/* The full screen: synopsis, about, every option with its argument and
 * default, extra, the manual page. */
void ops_cli_help(struct ops_buf *b, const struct ops_cli *c);
/* What follows a usage error: the synopsis and where to read more. */
void ops_cli_usage(struct ops_buf *b, const struct ops_cli *c);

#endif
