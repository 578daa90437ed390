/* ops_manifest: member names, the sha256sum and JSON forms, agreement. */
#include "ops_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", \
	__FILE__, __LINE__, #c); failures++; } } while (0)

static const char H1[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char H2[] = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

static void
names(void)
{
	static const struct { const char *name; int ok; const char *why; } cases[] = {
		{ "memory/memory.db", 1, NULL },
		{ "memory/sub/x.jsonl", 1, NULL },
		{ "memory/with space.db", 1, NULL },
		{ "memory/caf\xc3\xa9.json", 1, NULL },
		{ "/memory/x", 0, "absolute" },
		{ "/etc/passwd", 0, "absolute" },
		{ "memory/../etc/passwd", 0, "'..'" },
		{ "../memory/x", 0, "'..'" },
		{ "memory/..", 0, "'..'" },
		{ "memory/./x", 0, "'.'" },
		{ "memory//x", 0, "empty" },
		{ "memory/x/", 0, "empty" },
		{ "memory", 0, "never archives" },
		{ "memory/", 0, "empty" },
		/* issue 12: files of the home outside memory/ */
		{ "logs/daemon.log", 1, NULL },
		{ "memoryx/a", 1, NULL },
		{ "keys/a.key", 1, NULL },
		{ "ops.json", 1, NULL },
		{ ".env", 1, NULL },
		{ "keys/../x", 0, "'..'" },
		{ "keys/db-wal", 0, "side file" },
		{ "MANIFEST.json", 0, "never archives" },
		{ "MANIFEST.sha256", 0, "never archives" },
		{ ".ops/state.db", 0, "never archives" },
		{ ".ops", 0, "never archives" },
		{ ".memory.restore/keys/a", 0, "never archives" },
		{ ".memory.restore-abc123/x", 0, "never archives" },
		{ "memory.pre-restore.20260101_000000/a", 0, "never archives" },
		{ "home.pre-restore.20260101_000000/keys/a.key", 0, "never archives" },
		{ "memory/x", 1, NULL },
		{ "memory/a\nb", 0, "forbidden" },
		{ "memory/a\\b", 0, "forbidden" },
		{ "memory/a\"b", 0, "forbidden" },
		{ "memory/a\x7f", 0, "forbidden" },
		{ "", 0, "empty" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		int rc = ops_manifest_name_check(cases[i].name, &err);

		if ((rc == 0) != cases[i].ok || (!cases[i].ok &&
		    strstr(err.msg, cases[i].why) == NULL)) {
			fprintf(stderr, "name case %zu: rc %d msg '%s'\n", i, rc, err.msg);
			failures++;
		}
	}
	{
		char longname[OPS_MANIFEST_NAME_MAX + 10];
		struct ops_err err = OPS_ERR_INIT;

		memset(longname, 'a', sizeof(longname) - 1);
		memcpy(longname, "memory/", 7);
		longname[sizeof(longname) - 1] = '\0';
		CHECK(ops_manifest_name_check(longname, &err) < 0);
		CHECK(strstr(err.msg, "too long") != NULL);
	}
}

static void
parse_sha(void)
{
	static const struct { const char *text; int ok; const char *why; } cases[] = {
		{ "", 1, NULL },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/a\n", 1, NULL },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef *memory/a\n", 1, NULL },
		/* no final newline */
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/a", 0, "line 1: no line end" },
		/* one space */
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef memory/a\n", 0, "line 1" },
		/* uppercase hex is not what we write */
		{ "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef  memory/a\n", 0, "malformed sha256" },
		/* short hash */
		{ "0123456789abcdef  memory/a\n", 0, "line 1" },
		{ "\n", 0, "line 1" },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  /etc/x\n", 0, "absolute" },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/../x\n", 0, "'..'" },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/a\n"
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff  memory/a\n", 0, "line 2: 'memory/a' listed twice" },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  .ops/x\n", 0, "never archives" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_manifest m = OPS_MANIFEST_INIT;
		struct ops_err err = OPS_ERR_INIT;
		int rc = ops_manifest_parse_sha256(cases[i].text, strlen(cases[i].text), &m, &err);

		if ((rc == 0) != cases[i].ok || (!cases[i].ok &&
		    strstr(err.msg, cases[i].why) == NULL)) {
			fprintf(stderr, "sha case %zu: rc %d msg '%s'\n", i, rc, err.msg);
			failures++;
		}
		ops_manifest_release(&m);
	}
	{
		/* a NUL inside is refused, not silently cut */
		static const char t[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/a\0b\n";
		struct ops_manifest m = OPS_MANIFEST_INIT;
		struct ops_err err = OPS_ERR_INIT;

		CHECK(ops_manifest_parse_sha256(t, sizeof(t) - 1, &m, &err) < 0);
		ops_manifest_release(&m);
	}
}

static void
parse_json(void)
{
	static const struct { const char *text; int ok; const char *why; } cases[] = {
		{ "{\"format\":1,\"total_size\":0,\"files\":[]}", 1, NULL },
		{ "{\"format\":1,\"created\":\"2026-01-02T03:04:05+00:00\",\"total_size\":5,\"files\":["
		  "{\"name\":\"memory/a\",\"size\":5,\"kind\":\"jsonl\"}]}", 1, NULL },
		{ "[]", 0, "not a JSON object" },
		{ "{\"format\":1,\"total_size\":0,\"files\":[]", 0, "not a JSON object" },
		{ "{\"format\":2,\"total_size\":0,\"files\":[]}", 0, "unsupported format" },
		{ "{\"format\":1,\"total_size\":0,\"files\":[],\"extra\":1}", 0, "unknown key 'extra'" },
		{ "{\"format\":1,\"total_size\":0}", 0, "'files' is not a list" },
		{ "{\"format\":1,\"total_size\":-1,\"files\":[]}", 0, "not a size" },
		{ "{\"format\":1,\"total_size\":1.5,\"files\":[]}", 0, "not a size" },
		{ "{\"format\":1,\"total_size\":\"0\",\"files\":[]}", 0, "not a number" },
		{ "{\"format\":1,\"created\":\"yesterday\",\"total_size\":0,\"files\":[]}", 0, "created" },
		/* total is not the sum */
		{ "{\"format\":1,\"total_size\":4,\"files\":["
		  "{\"name\":\"memory/a\",\"size\":5,\"kind\":\"file\"}]}", 0, "not the sum" },
		{ "{\"format\":1,\"total_size\":5,\"files\":["
		  "{\"name\":\"memory/a\",\"size\":5,\"kind\":\"pipe\"}]}", 0, "unknown kind" },
		{ "{\"format\":1,\"total_size\":5,\"files\":["
		  "{\"name\":\"../a\",\"size\":5,\"kind\":\"file\"}]}", 0, "file 1: '../a': a '..' component" },
		{ "{\"format\":1,\"total_size\":5,\"files\":["
		  "{\"name\":\"memory/a\",\"size\":5,\"kind\":\"file\",\"sha256\":\"xyz\"}]}", 0, "unknown key 'sha256'" },
		{ "{\"format\":1,\"total_size\":5,\"files\":["
		  "{\"name\":\"memory/a\",\"size\":5}]}", 0, "must be strings" },
		{ "{\"format\":1,\"total_size\":5,\"files\":[7]}", 0, "file 1: not an object" },
		{ "{\"format\":1,\"total_size\":10,\"files\":["
		  "{\"name\":\"memory/a\",\"size\":5,\"kind\":\"file\"},"
		  "{\"name\":\"memory/a\",\"size\":5,\"kind\":\"file\"}]}", 0, "listed twice" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_manifest m = OPS_MANIFEST_INIT;
		struct ops_err err = OPS_ERR_INIT;
		int rc = ops_manifest_parse_json(cases[i].text, strlen(cases[i].text), &m, &err);

		if ((rc == 0) != cases[i].ok || (!cases[i].ok &&
		    strstr(err.msg, cases[i].why) == NULL)) {
			fprintf(stderr, "json case %zu: rc %d msg '%s'\n", i, rc, err.msg);
			failures++;
		}
		ops_manifest_release(&m);
	}
}

/* What we format, we parse back to the same thing; the hashes of the
 * sha256 form merge into the JSON form when both list the same files. */
static void
round_trip(void)
{
	struct ops_manifest m = OPS_MANIFEST_INIT, a = OPS_MANIFEST_INIT, b = OPS_MANIFEST_INIT;
	struct ops_buf sha = OPS_BUF_INIT, json = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	const struct ops_manifest_entry *e;

	CHECK(ops_manifest_add(&m, "memory/z.db", 4096, OPS_KIND_SQLITE, H1, &err) == 0);
	CHECK(ops_manifest_add(&m, "memory/a.jsonl", 10, OPS_KIND_JSONL, H2, &err) == 0);
	CHECK(ops_manifest_add(&m, "memory/id.json", 0, OPS_KIND_FILE, H1, &err) == 0);
	CHECK(ops_manifest_add(&m, "memory/a.jsonl", 1, OPS_KIND_FILE, H1, &err) < 0);
	CHECK(strstr(err.msg, "listed twice") != NULL);
	CHECK(ops_manifest_add(&m, "memory/x", 1, OPS_KIND_FILE, "abc", &err) < 0);
	CHECK(m.n == 3 && m.total == 4106);
	m.created = 1767225600;	/* 2026-01-01 */
	ops_manifest_sort(&m);
	CHECK(strcmp(m.v[0].name, "memory/a.jsonl") == 0);
	ops_manifest_format_sha256(&m, &sha);
	ops_manifest_format_json(&m, &json);
	CHECK(strcmp(ops_buf_str(&sha),
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff  memory/a.jsonl\n"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/id.json\n"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  memory/z.db\n") == 0);
	/* one line per file in the JSON form, no hashes (they come last) */
	CHECK(strstr(ops_buf_str(&json), "\n{\"name\": \"memory/id.json\", \"size\": 0, "
	    "\"kind\": \"file\"},\n") != NULL);
	CHECK(strstr(ops_buf_str(&json), "sha256") == NULL);
	CHECK(ops_manifest_parse_sha256(sha.s, sha.len, &a, &err) == 0);
	CHECK(ops_manifest_parse_json(json.s, json.len, &b, &err) == 0);
	CHECK(b.n == 3 && b.total == 4106 && b.created == m.created);
	CHECK(b.v[0].sha256[0] == '\0');
	CHECK(ops_manifest_merge(&b, &a, &err) == 0);
	e = ops_manifest_find(&b, "memory/z.db");
	CHECK(e && e->size == 4096 && e->kind == OPS_KIND_SQLITE && strcmp(e->sha256, H1) == 0);
	e = ops_manifest_find(&b, "memory/a.jsonl");
	CHECK(e && strcmp(e->sha256, H2) == 0);
	CHECK(ops_manifest_find(&b, "memory/nope") == NULL);
	/* disagreement: a name only in one or the other */
	ops_manifest_release(&a);
	CHECK(ops_manifest_add(&a, "memory/a.jsonl", 0, OPS_KIND_FILE, H2, &err) == 0);
	CHECK(ops_manifest_add(&a, "memory/id.json", 0, OPS_KIND_FILE, H1, &err) == 0);
	ops_manifest_sort(&a);
	CHECK(ops_manifest_merge(&b, &a, &err) < 0);
	CHECK(strstr(err.msg, "'memory/z.db' is only in MANIFEST.json") != NULL);
	CHECK(ops_manifest_add(&a, "memory/zz.db", 0, OPS_KIND_FILE, H2, &err) == 0);
	ops_manifest_sort(&a);
	CHECK(ops_manifest_merge(&b, &a, &err) < 0);
	CHECK(strstr(err.msg, "only in") != NULL);
	ops_manifest_release(&m);
	ops_manifest_release(&a);
	ops_manifest_release(&b);
	ops_manifest_release(NULL);
	ops_buf_release(&sha);
	ops_buf_release(&json);
}

int
main(void)
{
	names();
	parse_sha();
	parse_json();
	round_trip();
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures != 0;
}
