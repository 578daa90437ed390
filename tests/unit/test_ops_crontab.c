/* ops_crontab: the pure text functions, one case per situation
 * cron-install and cron-uninstall must handle. */
#include "ops_crontab.h"

#include "ops_fs.h"
#include "unit.h"

/* Blocks of the home /h (the markers name it), another home's, and a
 * block with bare markers from before (for /h, and for another home). */
#define HB OPS_CRONTAB_BEGIN " /h"
#define HE OPS_CRONTAB_END " /h"
#define BLOCK HB "\n* * * * * true\n" HE "\n"
#define OLDBLOCK HB "\n0 1 * * * old\n" HE "\n"
#define OTHER OPS_CRONTAB_BEGIN " /o\n0 1 * * * DHARMIC_HOME=/o x\n" OPS_CRONTAB_END " /o\n"
#define LEGACY_H OPS_CRONTAB_BEGIN "\n0 1 * * * DHARMIC_HOME=/h x\n" OPS_CRONTAB_END "\n"
#define LEGACY_O OPS_CRONTAB_BEGIN "\n0 1 * * * DHARMIC_HOME=/o x\n" OPS_CRONTAB_END "\n"

static const struct {
	const char *name, *table, *want;	/* want NULL: refused */
	const char *errpart;
} merges[] = {
	{ "no crontab", "", BLOCK, NULL },
	{ "user entries kept byte for byte",
	  "# my jobs\nMAILTO=me@example.org\n\n0 3 * * * date +%Y%m%d > /tmp/d\n",
	  "# my jobs\nMAILTO=me@example.org\n\n0 3 * * * date +%Y%m%d > /tmp/d\n" BLOCK,
	  NULL },
	{ "missing final newline fixed", "0 3 * * * backup \\% now",
	  "0 3 * * * backup \\% now\n" BLOCK, NULL },
	{ "old block replaced in place",
	  "A=1\n" OLDBLOCK "0 4 * * * after\n", "A=1\n" BLOCK "0 4 * * * after\n", NULL },
	{ "block last without final newline",
	  "x y\n" HB "\nold\n" HE, "x y\n" BLOCK, NULL },
	{ "text after the block without final newline",
	  OLDBLOCK "tail", BLOCK "tail\n", NULL },
	{ "markers with blanks and CRLF",
	  "a\n  " HB " \r\nold\n" HE "\t\r\nb\n",
	  "a\n" BLOCK "b\n", NULL },
	{ "a similar comment is not a marker",
	  "# BEGIN dharmic-ops-old\n", "# BEGIN dharmic-ops-old\n" BLOCK, NULL },
	{ "BEGIN without END", "a\n" OPS_CRONTAB_BEGIN "\nb\n", NULL,
	  "line 2: '" OPS_CRONTAB_BEGIN "' without '" OPS_CRONTAB_END "'" },
	{ "END without BEGIN", "a\n" OPS_CRONTAB_END "\n", NULL,
	  "line 2: '" OPS_CRONTAB_END "' without" },
	{ "END before BEGIN", OPS_CRONTAB_END "\n" OPS_CRONTAB_BEGIN "\n", NULL,
	  "without" },
	{ "two BEGINs", OPS_CRONTAB_BEGIN "\n" OPS_CRONTAB_BEGIN "\n" OPS_CRONTAB_END "\n",
	  NULL, "a second" },
	{ "two blocks", OLDBLOCK OLDBLOCK, NULL, "more than one" },
	/* many homes */
	{ "another home's block kept", OTHER, OTHER BLOCK, NULL },
	{ "another home's block twice", OTHER OLDBLOCK OTHER "x\n", NULL, "more than one" },
	{ "ours replaced, the other's kept", OLDBLOCK OTHER, BLOCK OTHER, NULL },
	{ "a bare block for this home migrated", "a\n" LEGACY_H "b\n", "a\n" BLOCK "b\n",
	  NULL },
	{ "a bare block for another home kept", LEGACY_O, LEGACY_O BLOCK, NULL },
	{ "END naming another home", HB "\nx\n" OPS_CRONTAB_END " /o\n", NULL,
	  "names another home" },
};

static const struct {
	const char *name, *table, *want;
	int rc;
} removes[] = {
	{ "no crontab", "", "", 0 },
	{ "no block: unchanged, even without final newline", "a\nb", "a\nb", 0 },
	{ "block in the middle", "# c\nMAILTO=x\n" OLDBLOCK "1 2 * * * y %z\n",
	  "# c\nMAILTO=x\n1 2 * * * y %z\n", 1 },
	{ "block only", OLDBLOCK, "", 1 },
	{ "text after the block without final newline", "a\n" OLDBLOCK "b", "a\nb\n", 1 },
	{ "BEGIN without END", OPS_CRONTAB_BEGIN "\nkeep\n", NULL, -1 },
	{ "only ours, not another home's", OTHER OLDBLOCK LEGACY_O, OTHER LEGACY_O, 1 },
	{ "another home's only: unchanged", OTHER, OTHER, 0 },
	{ "a bare block for this home", "a\n" LEGACY_H, "a\n", 1 },
};

static void
test_merge(void)
{
	for (size_t i = 0; i < sizeof(merges) / sizeof(merges[0]); i++) {
		struct ops_buf out = OPS_BUF_INIT, again = OPS_BUF_INIT;
		struct ops_err err = OPS_ERR_INIT;

		unit_case("merge: %s", merges[i].name);
		if (merges[i].want == NULL) {
			EQ_INT(ops_crontab_merge(merges[i].table, strlen(merges[i].table), "/h", BLOCK,
			    &out, &err), -1);
			HAS_STR(err.msg, merges[i].errpart);
		} else {
			EQ_INT(ops_crontab_merge(merges[i].table, strlen(merges[i].table), "/h", BLOCK,
			    &out, &err), 0);
			EQ_STR(ops_buf_str(&out), merges[i].want);
			/* idempotent */
			EQ_INT(ops_crontab_merge(out.s, out.len, "/h", BLOCK, &again, &err), 0);
			EQ_STR(ops_buf_str(&again), ops_buf_str(&out));
		}
		ops_buf_release(&out);
		ops_buf_release(&again);
	}
}

static void
test_remove(void)
{
	for (size_t i = 0; i < sizeof(removes) / sizeof(removes[0]); i++) {
		struct ops_buf out = OPS_BUF_INIT;
		struct ops_err err = OPS_ERR_INIT;

		unit_case("remove: %s", removes[i].name);
		EQ_INT(ops_crontab_remove(removes[i].table, strlen(removes[i].table), "/h", &out,
		    &err), removes[i].rc);
		if (removes[i].want != NULL)
			EQ_STR(ops_buf_str(&out), removes[i].want);
		ops_buf_release(&out);
	}
}

/* install then uninstall gives back the user's table (final newline fixed) */
static void
test_roundtrip(void)
{
	static const char *const tables[] = {
		"", "MAILTO=\"\"\n# x\n*/2 * * * * echo 50\\% >> /tmp/x\n", "no newline",
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		struct ops_buf in = OPS_BUF_INIT, out = OPS_BUF_INIT;
		struct ops_err err = OPS_ERR_INIT;
		size_t n = strlen(tables[i]);

		unit_case("round trip of \"%s\"", tables[i]);
		EQ_INT(ops_crontab_merge(tables[i], n, "/h", BLOCK, &in, &err), 0);
		EQ_INT(ops_crontab_remove(in.s, in.len, "/h", &out, &err), 1);
		CHECK(strncmp(ops_buf_str(&out), tables[i], n) == 0);
		EQ_INT(out.len, n == 0 ? 0 : n + (tables[i][n - 1] != '\n'));
		ops_buf_release(&in);
		ops_buf_release(&out);
	}
	unit_case("%s", "");
}

static void
test_render(void)
{
	static const char tmpl[] =
	    "## template notes: @BINDIR@ stays out\n"
	    "# a comment kept, @BINDIR@ as it is, 100%\n"
	    "\n"
	    "*/5 * * * * DHARMIC_HOME=@DHARMIC_HOME@ @BINDIR@/ops-health >> "
	    "@DHARMIC_HOME@/logs/cron.log 2>&1\n"
	    "0 9 * * 0 date +%Y \\% x";	/* no final newline */
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(ops_crontab_render(tmpl, "/usr/bin", "/home/a/agent", &out, &err), 0);
	EQ_STR(ops_buf_str(&out), OPS_CRONTAB_BEGIN " /home/a/agent\n"
	    "# a comment kept, @BINDIR@ as it is, 100%\n"
	    "\n"
	    "*/5 * * * * DHARMIC_HOME=/home/a/agent /usr/bin/ops-health >> "
	    "/home/a/agent/logs/cron.log 2>&1\n"
	    "0 9 * * 0 date +\\%Y \\% x\n"
	    OPS_CRONTAB_END " /home/a/agent\n");

	/* awkward homes: quoted for sh, % escaped for cron */
	EQ_INT(ops_crontab_render("@ * * * * x @DHARMIC_HOME@\n", "/b", "/h o%m'e", &out,
	    &err), 0);
	HAS_STR(ops_buf_str(&out), "@ * * * * x '/h o\\%m'\\''e'\n");

	err.code = OPS_E_NONE;
	EQ_INT(ops_crontab_render("* * * * * @DHARMIC_HOME@\n", "/b", "/a\nb", &out, &err),
	    -1);
	EQ_INT(err.code, OPS_E_USAGE);
	EQ_INT(ops_crontab_render("* * * * * @BINDIR@\n", "/b\\%c", "/h", &out, &err), -1);
	EQ_INT(ops_crontab_render("# BEGIN dharmic-ops\n# END dharmic-ops\n", "/b", "/h",
	    &out, &err), -1);
	ops_buf_release(&out);
}

/* The shipped template renders, and every entry logs to cron.log. */
static void
test_shipped_template(void)
{
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char path[4096], *tmpl = NULL, *line, *save = NULL;
	int entries = 0;

	/* CMake compiles with absolute paths: the tree is __FILE__ less
	 * tests/unit/NAME. */
	snprintf(path, sizeof(path), "%s", __FILE__);
	for (int up = 0; up < 3 && strrchr(path, '/'); up++)
		*strrchr(path, '/') = '\0';
	strncat(path, "/cron/dharmic-ops.crontab", sizeof(path) - strlen(path) - 1);
	EQ_INT(ops_fs_read_file(path, 1 << 20, &tmpl, NULL, &err), 0);
	if (tmpl == NULL)
		return;
	EQ_INT(ops_crontab_render(tmpl, "/opt/bin", "/srv/agent", &out, &err), 0);
	for (line = strtok_r(out.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		entries++;
		unit_case("entry %s", line);
		CHECK(strchr(line, '@') == NULL);
		/* the health check's report goes to health_check.log; its
		 * errors, and everything else, to cron.log */
		if (strstr(line, "/ops-health "))
			HAS_STR(line, "/ops-health > /dev/null 2>> /srv/agent/logs/cron.log;");
		HAS_STR(line, ">> /srv/agent/logs/cron.log 2>&1");
	}
	unit_case("%s", "");
	EQ_INT(entries, 7);
	free(tmpl);
	ops_buf_release(&out);
}

int
main(void)
{
	test_merge();
	test_remove();
	test_roundtrip();
	test_render();
	test_shipped_template();
	return unit_done();
}
