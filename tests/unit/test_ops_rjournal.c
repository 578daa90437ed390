/* ops_rjournal: strict parse, and validation against what ops_restore
 * writes for a home; anything else refused with a reason. */
#include "ops_rjournal.h"

#include <limits.h>

#include "unit.h"

static struct ops_rjournal
genuine(void)
{
	struct ops_rjournal j;

	memset(&j, 0, sizeof(j));
	snprintf(j.mode, sizeof(j.mode), "restore");
	snprintf(j.phase, sizeof(j.phase), "swapped");
	snprintf(j.archive, sizeof(j.archive), "/h/backups/memory/20260101_000000.tar.zst");
	snprintf(j.staging, sizeof(j.staging), "/h/.memory.restore");
	snprintf(j.aside, sizeof(j.aside), "/h/memory.pre-restore.20260101_000000");
	j.dev = 42;
	j.new_ino = 100;
	j.old_ino = 200;
	return j;
}

int
main(void)
{
	static const struct {
		const char *field, *value;
		const char *why;	/* NULL: still valid */
	} cases[] = {
		{ "aside", "/h/memory.pre-restore.20260101_000000-2", NULL },
		{ "aside", "/h/memory.pre-restore.20260101_000000-99", NULL },
		{ "aside", "/h/memory.pre-restore.20260101_000000-1", "aside" },
		{ "aside", "/h/memory.pre-restore.20260101_000000-100", "aside" },
		{ "aside", "/h/memory", "aside" },
		{ "aside", "/etc", "aside" },
		{ "aside", "/h/logs/memory.pre-restore.20260101_000000", "aside" },
		{ "aside", "/h/../memory.pre-restore.20260101_000000", "aside" },
		{ "aside", "/hx/memory.pre-restore.20260101_000000", "aside" },
		{ "staging", "/h/.memory.restore/", "staging" },
		{ "staging", "/tmp/.memory.restore", "staging" },
		{ "staging", "/h/memory", "staging" },
		{ "mode", "restored", "mode" },
		{ "phase", "swap", "phase" },
		{ "archive", "relative.tar", "archive" },
	};
	struct ops_err err = OPS_ERR_INIT;
	struct ops_rjournal j, back;
	char *text;

	j = genuine();
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), 0);
	EQ_INT(ops_rjournal_validate(&j, "/h", 43, &err), -1);
	HAS_STR(err.msg, "another filesystem");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f;
		size_t len;

		j = genuine();
		unit_case("%s=%s", cases[i].field, cases[i].value);
		f = strcmp(cases[i].field, "aside") == 0 ? j.aside :
		    strcmp(cases[i].field, "staging") == 0 ? j.staging :
		    strcmp(cases[i].field, "mode") == 0 ? j.mode :
		    strcmp(cases[i].field, "phase") == 0 ? j.phase : j.archive;
		len = f == j.mode || f == j.phase ? sizeof(j.mode) : sizeof(j.aside);
		snprintf(f, len, "%s", cases[i].value);
		ops_err_clear(&err);
		EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), cases[i].why ? -1 : 0);
		if (cases[i].why)
			HAS_STR(err.msg, cases[i].why);
	}
	unit_case("%s", "");

	/* inodes as the phase says */
	j = genuine();
	snprintf(j.phase, sizeof(j.phase), "extract");
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);
	j.new_ino = j.old_ino = 0;
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), 0);
	j = genuine();
	j.new_ino = 0;
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);

	/* --to: its own staging name, its inode, nothing else */
	memset(&j, 0, sizeof(j));
	snprintf(j.mode, sizeof(j.mode), "to");
	snprintf(j.phase, sizeof(j.phase), "extract");
	snprintf(j.archive, sizeof(j.archive), "/b/x.tar.zst");
	snprintf(j.staging, sizeof(j.staging), "/out/.memory.restore-aB3xY9");
	j.dev = 7;
	j.staging_ino = 5;
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), 0);
	snprintf(j.staging, sizeof(j.staging), "/home/user");
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);
	snprintf(j.staging, sizeof(j.staging), "/out/../.memory.restore-aB3xY9");
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);
	snprintf(j.staging, sizeof(j.staging), "/out/.memory.restore-aB3xY9");
	j.staging_ino = 0;
	EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);

	/* format and parse round-trip; strict parse */
	j = genuine();
	text = ops_rjournal_format(&j);
	CHECK(text != NULL);
	if (text != NULL) {
		EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), 0);
		EQ_STR(back.aside, j.aside);
		CHECK(back.dev == 42 && back.new_ino == 100 && back.old_ino == 200);
		free(text);
	}
	EQ_INT(ops_rjournal_parse("{}", 2, &back, &err), -1);
	EQ_INT(ops_rjournal_parse("[1]", 3, &back, &err), -1);
	text = "{\"mode\": \"restore\", \"phase\": \"swapped\", \"archive\": \"/a\", "
	    "\"staging\": \"/h/.memory.restore\", \"aside\": \"/h/m\\u0000x\", "
	    "\"was_running\": true, \"dev\": \"1\", \"new_ino\": \"2\", \"old_ino\": \"3\", "
	    "\"staging_ino\": \"0\"}";
	EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), -1);
	text = "{\"mode\": \"restore\", \"phase\": \"swapped\", \"archive\": \"/a\", "
	    "\"staging\": \"/h/.memory.restore\", \"aside\": \"/h/m\", "
	    "\"was_running\": true, \"dev\": \"1\", \"new_ino\": \"-2\", \"old_ino\": \"3\", "
	    "\"staging_ino\": \"0\"}";
	EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), -1);
	HAS_STR(err.msg, "'new_ino' is not a number");
	text = "{\"mode\": \"restore\", \"phase\": \"swapped\", \"archive\": \"/a\", "
	    "\"staging\": \"/h/.memory.restore\", \"aside\": \"/h/m\", \"extra\": 1, "
	    "\"was_running\": true, \"dev\": \"1\", \"new_ino\": \"2\", \"old_ino\": \"3\", "
	    "\"staging_ino\": \"0\"}";
	EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), -1);
	HAS_STR(err.msg, "unknown key 'extra'");

	/* issue 12: the files of the home a restore puts in place */
	{
		static const struct { const char *name; const char *why; } fc[] = {
			{ "keys/a.key", NULL },
			{ "ops.json", NULL },
			{ "memory/x", "under memory/" },
			{ "../x", "'..'" },
			{ "/etc/passwd", "absolute" },
			{ ".ops/state.db", "never archives" },
			{ "home.pre-restore.20260101_000000/x", "never archives" },
			{ "keys/x\nb", "forbidden" },
		};
		char buf[PATH_MAX];

		for (size_t i = 0; i < sizeof(fc) / sizeof(fc[0]); i++) {
			j = genuine();
			unit_case("file %s", fc[i].name);
			EQ_INT(ops_rjournal_add_file(&j, fc[i].name, 9, &err), 0);
			ops_err_clear(&err);
			EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), fc[i].why ? -1 : 0);
			if (fc[i].why)
				HAS_STR(err.msg, fc[i].why);
			ops_rjournal_release(&j);
		}
		unit_case("%s", "");
		j = genuine();
		EQ_INT(ops_rjournal_add_file(&j, "keys/a.key", 0, &err), 0);
		EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);
		HAS_STR(err.msg, "no inode");
		ops_rjournal_release(&j);
		j = genuine();
		EQ_INT(ops_rjournal_add_file(&j, "a", 1, &err), 0);
		EQ_INT(ops_rjournal_add_file(&j, "a", 2, &err), 0);
		EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);
		HAS_STR(err.msg, "twice");
		ops_rjournal_release(&j);
		/* none before extraction ended */
		j = genuine();
		snprintf(j.phase, sizeof(j.phase), "extract");
		j.new_ino = j.old_ino = 0;
		EQ_INT(ops_rjournal_add_file(&j, "ops.json", 3, &err), 0);
		EQ_INT(ops_rjournal_validate(&j, "/h", 42, &err), -1);
		ops_rjournal_release(&j);
		/* round trip */
		j = genuine();
		EQ_INT(ops_rjournal_add_file(&j, "keys/a.key", 77, &err), 0);
		EQ_INT(ops_rjournal_add_file(&j, "ops.json", 78, &err), 0);
		text = ops_rjournal_format(&j);
		CHECK(text != NULL);
		if (text != NULL) {
			EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), 0);
			EQ_INT((int)back.nfiles, 2);
			if (back.nfiles == 2) {
				EQ_STR(back.files[1].name, "ops.json");
				CHECK(back.files[0].new_ino == 77);
			}
			EQ_INT(ops_rjournal_validate(&back, "/h", 42, &err), 0);
			ops_rjournal_release(&back);
			free(text);
		}
		ops_rjournal_release(&j);
		/* hostile "files" */
		text = "{\"mode\": \"restore\", \"phase\": \"swapped\", \"archive\": \"/a\", "
		    "\"staging\": \"/h/.memory.restore\", \"aside\": \"/h/m\", "
		    "\"was_running\": true, \"dev\": \"1\", \"new_ino\": \"2\", \"old_ino\": \"3\", "
		    "\"staging_ino\": \"0\", \"files\": [{\"name\": \"a\", \"new_ino\": \"1\", \"x\": 1}]}";
		EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), -1);
		text = "{\"mode\": \"restore\", \"phase\": \"swapped\", \"archive\": \"/a\", "
		    "\"staging\": \"/h/.memory.restore\", \"aside\": \"/h/m\", "
		    "\"was_running\": true, \"dev\": \"1\", \"new_ino\": \"2\", \"old_ino\": \"3\", "
		    "\"staging_ino\": \"0\", \"files\": {\"name\": \"a\"}}";
		EQ_INT(ops_rjournal_parse(text, strlen(text), &back, &err), -1);
		HAS_STR(err.msg, "not an array");
		/* the home's aside goes with the memory's */
		EQ_INT(ops_rjournal_home_aside("/h/memory.pre-restore.20260101_000000-2", buf,
		    sizeof(buf)), 0);
		EQ_STR(buf, "/h/home.pre-restore.20260101_000000-2");
		EQ_INT(ops_rjournal_home_aside("/h/memory", buf, sizeof(buf)), -1);
		EQ_INT(ops_rjournal_home_aside_leaf("home.pre-restore.20260101_000000"), 1);
		EQ_INT(ops_rjournal_home_aside_leaf("home.pre-restore.2026"), 0);
		EQ_INT(ops_rjournal_home_aside_leaf("memory.pre-restore.20260101_000000"), 0);
	}
	return unit_done();
}
