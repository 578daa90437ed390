/* ops_rjournal: strict parse, and validation against what ops_restore
 * writes for a home; anything else refused with a reason. */
#include "ops_rjournal.h"

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
	return unit_done();
}
