/* ops_cli: one table parses the options and writes the help. */
#include "ops_cli.h"

#include "unit.h"

static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(0),
	{ "jobs", 'j', 1, "N", "compress N files at once; a description long enough "
	  "that it has to be wrapped onto a second and maybe a third line" },
	{ "json", 'J', 0, NULL, "JSON" },
	OPS_CLI_HELP,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-test",
	.synopsis = "[--home DIR] [-j N]\n [--json]\n--help",
	.about = "About it.",
	.extra = "Exit codes:\n  0  done\n",
	.page = "ops-test(1)",
	.opts = opts,
};

/* Parse argv (NULL-terminated) to its first error or its end: the last
 * ops_cli_next result, err filled on '?'. */
static int
parse(struct ops_err *err, char **argv)
{
	int argc = 0, ch, last = -1;

	while (argv[argc])
		argc++;
	optind = 0;	/* glibc: a full reset */
	ops_err_clear(err);
	while ((ch = ops_cli_next(&cli, argc, argv, err)) != -1) {
		last = ch;
		if (ch == '?')
			break;
	}
	return last;
}

static void
test_parse(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char *ok[] = { "p", "--home", "/h", "-j", "3", "--json", "x", NULL };
	char *unknown[] = { "p", "--frobnicate=1", NULL };
	char *unknown_short[] = { "p", "-x", NULL };
	char *no_home_short[] = { "p", "-H", "/h", NULL };
	char *missing[] = { "p", "--home", NULL };
	char *missing_short[] = { "p", "-j", NULL };
	char *noarg[] = { "p", "--json=yes", NULL };

	EQ_INT(ops_cli_init(&cli, &err), 0);
	EQ_STR(cli.shorts, ":j:h");
	EQ_INT(parse(&err, ok), 'J');
	EQ_INT(optind, 6);
	EQ_INT(parse(&err, unknown), '?');
	EQ_STR(err.msg, "unknown option '--frobnicate'");
	EQ_INT(err.code, OPS_E_USAGE);
	EQ_INT(parse(&err, unknown_short), '?');
	EQ_STR(err.msg, "unknown option '-x'");
	/* --home has no short form here */
	EQ_INT(parse(&err, no_home_short), '?');
	EQ_STR(err.msg, "unknown option '-H'");
	EQ_INT(parse(&err, missing), '?');
	EQ_STR(err.msg, "option '--home' needs an argument (DIR)");
	EQ_INT(parse(&err, missing_short), '?');
	EQ_STR(err.msg, "option '-j' needs an argument (N)");
	EQ_INT(parse(&err, noarg), '?');
	EQ_STR(err.msg, "option '--json' takes no argument");
}

static void
test_help(void)
{
	struct ops_buf b = OPS_BUF_INIT;
	const char *s, *line;

	ops_cli_help(&b, &cli);
	s = ops_buf_str(&b);
	HAS_STR(s, "usage: ops-test [--home DIR] [-j N]\n"
	    "                [--json]\n"
	    "       ops-test --help\n\nAbout it.\n\nOptions:\n");
	/* every option of the table, with its argument */
	HAS_STR(s, "\n      --home DIR ");
	HAS_STR(s, "\n  -j, --jobs N ");
	HAS_STR(s, "\n      --json ");
	HAS_STR(s, "\n  -h, --help ");
	HAS_STR(s, "(default: $DHARMIC_HOME");
	HAS_STR(s, "\nExit codes:\n  0  done\n");
	HAS_STR(s, "\nThe manual: ops-test(1).\n");
	/* wrapped to 79 columns, continuation under the description */
	for (line = s; *line; ) {
		size_t n = strcspn(line, "\n");

		CHECK(n <= 79);
		line += n + (line[n] == '\n');
	}
	HAS_STR(s, "\n                           ");
	ops_buf_reset(&b);
	ops_cli_usage(&b, &cli);
	EQ_STR(ops_buf_str(&b), "usage: ops-test [--home DIR] [-j N]\n"
	    "                [--json]\n"
	    "       ops-test --help\n"
	    "Try 'ops-test --help' for more.\n");
	ops_buf_release(&b);
}

int
main(void)
{
	test_parse();
	test_help();
	return unit_done();
}
