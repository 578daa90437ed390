/* ops_cli: option tables that parse and document (ops_cli.h). */
#include "ops_cli.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int
ops_cli_init(struct ops_cli *c, struct ops_err *err)
{
	size_t n = 0, s = 0;

	/* ':' first: a missing argument is told apart from an unknown option */
	c->shorts[s++] = ':';
	for (const struct ops_cli_opt *o = c->opts; o->name != NULL; o++, n++) {
		if (n >= OPS_CLI_MAX)
			return ops_err_set(err, OPS_E_FAIL, "%s: too many options", c->prog);
		c->lo[n].name = o->name;
		c->lo[n].has_arg = o->arg ? required_argument : no_argument;
		c->lo[n].flag = NULL;
		c->lo[n].val = o->key;
		if (o->shortopt) {
			c->shorts[s++] = (char)o->key;
			if (o->arg)
				c->shorts[s++] = ':';
		}
	}
	memset(&c->lo[n], 0, sizeof(c->lo[n]));
	c->shorts[s] = '\0';
	return 0;
}

static const struct ops_cli_opt *
by_key(const struct ops_cli *c, int key)
{
	for (const struct ops_cli_opt *o = c->opts; o->name != NULL; o++)
		if (o->key == key)
			return o;
	return NULL;
}

int
ops_cli_next(struct ops_cli *c, int argc, char **argv, struct ops_err *err)
{
	const struct ops_cli_opt *o;
	const char *word;
	int ch;

	opterr = 0;
	ch = getopt_long(argc, argv, c->shorts, c->lo, NULL);
	if (ch != '?' && ch != ':')
		return ch;
	/* the word getopt stopped at (for a short option in a group such as
	 * -xv it may not have moved on: then optopt says which) */
	word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	o = optopt ? by_key(c, optopt) : NULL;
	if (ch == ':') {
		if (strncmp(word, "--", 2) == 0 || o == NULL || !o->shortopt)
			ops_err_set(err, OPS_E_USAGE, "option '--%s' needs an argument (%s)",
			    o ? o->name : word + 2, o && o->arg ? o->arg : "a value");
		else
			ops_err_set(err, OPS_E_USAGE, "option '-%c' needs an argument (%s)",
			    optopt, o->arg);
		return '?';
	}
	if (strncmp(word, "--", 2) == 0) {
		size_t len = strcspn(word, "=");

		if (o != NULL && word[len] == '=')
			ops_err_set(err, OPS_E_USAGE, "option '--%s' takes no argument",
			    o->name);
		else
			ops_err_set(err, OPS_E_USAGE, "unknown option '%.*s'", (int)len,
			    word);
	} else if (optopt > 0 && isprint(optopt)) {
		ops_err_set(err, OPS_E_USAGE, "unknown option '-%c'", optopt);
	} else {
		ops_err_set(err, OPS_E_USAGE, "unknown option '%s'", word);
	}
	return '?';
}

/* "  -t, --timeout SECONDS" or "      --home DIR" */
static void
left(char *buf, size_t len, const struct ops_cli_opt *o)
{
	if (o->shortopt)
		snprintf(buf, len, "  -%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
	else
		snprintf(buf, len, "      --%s%s%s", o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
}

/* Each line of the synopsis is a form of the command; a line starting
 * with a space continues the one before. */
static void
synopsis(struct ops_buf *b, const struct ops_cli *c)
{
	const char *line = c->synopsis;
	int first = 1, indent = 8 + (int)strlen(c->prog);

	while (*line) {
		size_t n = strcspn(line, "\n");

		if (*line == ' ')
			ops_buf_printf(b, "%*s%.*s\n", indent, "", (int)n - 1, line + 1);
		else
			ops_buf_printf(b, "%s %s %.*s\n", first ? "usage:" : "      ", c->prog,
			    (int)n, line);
		first = 0;
		line += n;
		if (*line == '\n')
			line++;
	}
}

#define HELP_COL 27	/* where an option's description starts */
#define HELP_WIDTH 79

/* text from column HELP_COL, wrapped at spaces to HELP_WIDTH */
static void
wrapped(struct ops_buf *b, const char *text)
{
	int room = HELP_WIDTH - HELP_COL;

	for (;;) {
		size_t n = strlen(text), cut = n;

		if ((int)n > room) {
			for (cut = (size_t)room; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = strcspn(text, " ");
		}
		ops_buf_printf(b, "%.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		if (*text == '\0')
			return;
		ops_buf_printf(b, "%*s", HELP_COL, "");
	}
}

void
ops_cli_help(struct ops_buf *b, const struct ops_cli *c)
{
	char l[128];

	synopsis(b, c);
	if (c->about)
		ops_buf_printf(b, "\n%s\n", c->about);
	ops_buf_puts(b, "\nOptions:\n");
	for (const struct ops_cli_opt *o = c->opts; o->name != NULL; o++) {
		left(l, sizeof(l), o);
		if ((int)strlen(l) < HELP_COL - 1)
			ops_buf_printf(b, "%-*s", HELP_COL, l);
		else
			ops_buf_printf(b, "%s\n%*s", l, HELP_COL, "");
		wrapped(b, o->help);
	}
	if (c->extra)
		ops_buf_printf(b, "\n%s", c->extra);
	if (c->page)
		ops_buf_printf(b, "\nThe manual: %s.\n", c->page);
}

void
ops_cli_usage(struct ops_buf *b, const struct ops_cli *c)
{
	synopsis(b, c);
	ops_buf_printf(b, "Try '%s --help' for more.\n", c->prog);
}
