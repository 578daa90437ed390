/* ops_audit: the chain, its verification against changed, removed,
 * reordered and rewritten entries, signatures, retention, the actor.
 * `test_ops_audit --bench [N]` prints the cost of one entry instead. */
#include "ops_audit.h"

#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "ops_fs.h"
#include "ops_time.h"
#include "unit.h"

static char *tmp;

static char *
path(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static int
add(struct ops_statedb *st, const struct ops_audit_opts *o, const char *verb,
    const char *detail)
{
	struct ops_err err = OPS_ERR_INIT;
	int rc = ops_audit_append(st, o, NULL, "test", verb, "done", detail, &err);

	if (rc < 0)
		fprintf(stderr, "append: %s\n", err.msg);
	return rc;
}

/* 0 intact, 1 not (problem filled), -1 error. */
static int
verify(struct ops_statedb *st, const char *pub, char *problem, size_t len)
{
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	int rc = ops_audit_verify(st, tmp, pub, &out, problem, len, &err);

	if (rc < 0)
		snprintf(problem, len, "error: %.400s", err.msg);
	ops_buf_release(&out);
	return rc;
}

static void
sql(struct ops_statedb *st, const char *q)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, q, NULL, NULL, &msg) != SQLITE_OK) {
		unit_failed(__FILE__, __LINE__, "sql '%s': %s", q, msg ? msg : "?");
		sqlite3_free(msg);
	}
}

/* A fresh home with a trail of n entries. */
static void
fresh(struct ops_statedb *st, const struct ops_audit_opts *o, int n)
{
	struct ops_err err = OPS_ERR_INIT;
	char cmd[PATH_MAX + 64];

	ops_state_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/.ops' '%s/logs'", tmp, tmp);
	CHECK(system(cmd) == 0);
	CHECK(ops_state_open(st, tmp, &err) == 0);
	for (int i = 1; i <= n; i++) {
		char d[32];

		snprintf(d, sizeof(d), "entry number %d", i);
		CHECK(add(st, o, i % 2 ? "start" : "stop", d) == 0);
	}
}

static void
test_sanitize(void)
{
	char b[16];

	EQ_STR(ops_audit_sanitize(b, sizeof(b), "plain"), "plain");
	EQ_STR(ops_audit_sanitize(b, sizeof(b), "a\nb\x1b[31m"), "a?b?[31m");
	EQ_STR(ops_audit_sanitize(b, sizeof(b), "caf\xc3\xa9"), "caf\xc3\xa9");
	EQ_STR(ops_audit_sanitize(b, sizeof(b), "bad\xff"), "bad\xef\xbf\xbd");
	EQ_STR(ops_audit_sanitize(b, sizeof(b), "0123456789abcdefghij"), "0123456789abcde");
	/* never cut inside a character */
	EQ_STR(ops_audit_sanitize(b, 6, "abc\xc3\xa9"), "abc\xc3\xa9");
	EQ_STR(ops_audit_sanitize(b, 5, "abc\xc3\xa9"), "abc");
	EQ_STR(ops_audit_sanitize(b, sizeof(b), NULL), "");
}

static void
test_actor(void)
{
	struct ops_audit_actor a;
	int tty = isatty(0) || isatty(1) || isatty(2);

	setenv("SUDO_USER", "bob\nevil", 1);
	setenv("DHARMIC_OPS_ACTOR", "cron", 1);
	ops_audit_actor_detect(&a, "auto-restart");
	EQ_STR(a.via, "auto-restart");
	EQ_STR(a.sudo_user, "bob?evil");
	EQ_INT(a.uid, getuid());
	ops_audit_actor_detect(&a, NULL);
	EQ_STR(a.via, "cron");
	setenv("DHARMIC_OPS_ACTOR", "not a word!", 1);
	setenv("INVOCATION_ID", "0123abcd", 1);
	ops_audit_actor_detect(&a, NULL);
	EQ_STR(a.via, tty ? "terminal" : "systemd");
	unsetenv("INVOCATION_ID");
	unsetenv("DHARMIC_OPS_ACTOR");
	unsetenv("SUDO_USER");
	ops_audit_actor_detect(&a, NULL);
	EQ_STR(a.via, tty ? "terminal" : "none");
	EQ_STR(a.sudo_user, "");
}

static void
test_chain(struct ops_statedb *st, const struct ops_audit_opts *o)
{
	struct ops_audit_list l = OPS_AUDIT_LIST_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	char problem[512], *log = NULL;
	size_t len;

	fresh(st, o, 5);
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 0);
	CHECK(ops_audit_read(st, 0, 0, &l, &err) == 0);
	EQ_INT(l.n, 5);
	EQ_INT(l.v[0].seq, 1);
	EQ_STR(l.v[0].prev, "0000000000000000000000000000000000000000000000000000000000000000");
	EQ_STR(l.v[1].prev, l.v[0].hash);
	EQ_STR(l.v[4].detail, "entry number 5");
	ops_audit_format(&b, &l, 0);
	HAS_STR(ops_buf_str(&b), "#5 ");
	HAS_STR(ops_buf_str(&b), "test start done by ");
	ops_buf_reset(&b);
	ops_audit_format(&b, &l, 1);
	HAS_STR(ops_buf_str(&b), "\"detail\":\t\"entry number 5\"");
	ops_audit_list_release(&l);
	CHECK(ops_audit_read(st, 0, 2, &l, &err) == 0);
	EQ_INT(l.n, 2);
	EQ_INT(l.v[0].seq, 4);
	ops_audit_list_release(&l);
	ops_buf_release(&b);
	/* one line per entry in logs/audit.log */
	CHECK(ops_fs_read_file(path("logs/audit.log"), 1 << 20, &log, &len, &err) == 0);
	HAS_STR(log, "] #5 test start done uid=");
	HAS_STR(log, "detail=\"entry number 5\" hash=");
	free(log);

	/* the append-only trigger */
	CHECK(sqlite3_exec(st->db, "UPDATE audit SET detail='x' WHERE seq=3", NULL, NULL,
	    NULL) != SQLITE_OK);

	unit_case("changed");
	sql(st, "DROP TRIGGER audit_append_only; UPDATE audit SET detail='x' WHERE seq=3");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 3 ");
	HAS_STR(problem, "was changed");

	unit_case("actor changed");
	fresh(st, o, 5);
	sql(st, "DROP TRIGGER audit_append_only; UPDATE audit SET via='cron' WHERE seq=2");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 2 ");

	unit_case("removed");
	fresh(st, o, 5);
	sql(st, "DELETE FROM audit WHERE seq=3");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 3 was removed");

	unit_case("removed and renumbered");
	fresh(st, o, 5);
	sql(st, "DROP TRIGGER audit_append_only; DELETE FROM audit WHERE seq=3;"
	    "UPDATE audit SET seq=seq-1 WHERE seq>3");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 3 ");
	HAS_STR(problem, "does not follow entry 2");

	unit_case("swapped");
	fresh(st, o, 5);
	sql(st, "DROP TRIGGER audit_append_only; UPDATE audit SET seq=-2 WHERE seq=2;"
	    "UPDATE audit SET seq=2 WHERE seq=3; UPDATE audit SET seq=3 WHERE seq=-2");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 2 ");
	HAS_STR(problem, "does not follow entry 1");

	unit_case("first removed");
	fresh(st, o, 5);
	sql(st, "DELETE FROM audit WHERE seq=1");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 1 was removed");

	unit_case("newest removed");
	fresh(st, o, 5);
	sql(st, "DELETE FROM audit WHERE seq>=4");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 4 was removed");
	HAS_STR(problem, "logs/audit.log records entry 5");

	unit_case("all removed");
	fresh(st, o, 3);
	sql(st, "DELETE FROM audit");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 3 was removed");
	unit_case("%s", "");
}

/* Rewrite every entry with new content, hashes recomputed consistently,
 * signed with sign_key (or unsigned when NULL), as an attacker could. */
static void
rewrite(struct ops_statedb *st, const char *sign_key)
{
	struct ops_audit_list l = OPS_AUDIT_LIST_INIT;
	struct ops_audit_opts o = { tmp, sign_key, 0 };
	struct ops_err err = OPS_ERR_INIT;
	char logp[PATH_MAX];

	CHECK(ops_audit_read(st, 0, 0, &l, &err) == 0);
	sql(st, "DELETE FROM audit");
	snprintf(logp, sizeof(logp), "%s", path("logs/audit.log"));
	unlink(logp);
	for (size_t i = 0; i < l.n; i++)
		CHECK(add(st, &o, "start", "history rewritten") == 0);
	ops_audit_list_release(&l);
}

static void
test_signed(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_audit_opts o = { tmp, NULL, 0 };
	struct ops_audit_list l = OPS_AUDIT_LIST_INIT;
	char problem[512], key[PATH_MAX], pub[PATH_MAX];
	struct stat sb;

	snprintf(key, sizeof(key), "%s", path("key.pem"));
	snprintf(pub, sizeof(pub), "%s", path("key.pub"));
	CHECK(ops_audit_keygen(key, pub, &err) == 0);
	CHECK(stat(key, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* never over an existing key */
	CHECK(ops_audit_keygen(key, pub, &err) < 0);
	HAS_STR(err.msg, "key.pem");
	CHECK(ops_audit_keygen(path("evil.pem"), path("evil.pub"), &err) == 0);

	o.signing_key = key;
	fresh(st, &o, 4);
	EQ_INT(verify(st, pub, problem, sizeof(problem)), 0);
	CHECK(ops_audit_read(st, 0, 0, &l, &err) == 0);
	CHECK(l.n == 4 && l.v[0].sig != NULL && l.v[3].sig != NULL);
	ops_audit_list_release(&l);
	/* the wrong public key */
	EQ_INT(verify(st, path("evil.pub"), problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 1 ");
	HAS_STR(problem, "signature does not verify");

	unit_case("rewritten unsigned");
	rewrite(st, NULL);
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 0);	/* consistent */
	EQ_INT(verify(st, pub, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 4 (the newest) is not signed");

	unit_case("rewritten with another key");
	fresh(st, &o, 4);
	rewrite(st, path("evil.pem"));
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 0);
	EQ_INT(verify(st, pub, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 1 ");
	HAS_STR(problem, "signature does not verify");

	unit_case("key readable by others");
	fresh(st, &o, 0);
	chmod(key, 0644);
	CHECK(ops_audit_append(st, &o, NULL, "test", "start", "done", "", &err) < 0);
	HAS_STR(err.msg, "entry 1 left unsigned");
	HAS_STR(err.msg, "readable by others");
	chmod(key, 0600);
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 0);
	EQ_INT(verify(st, pub, problem, sizeof(problem)), 1);
	unit_case("%s", "");
}

static void
test_prune(struct ops_statedb *st)
{
	struct ops_audit_opts o = { tmp, NULL, 0 };
	struct ops_audit_list l = OPS_AUDIT_LIST_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char problem[512];
	double day = 86400, t0 = 1.7e9;
	char now[64];

	fresh(st, &o, 0);
	for (int i = 0; i < 6; i++) {
		snprintf(now, sizeof(now), "%.0f", t0 + i * 100 * day);
		setenv("DHARMIC_OPS_NOW", now, 1);
		CHECK(add(st, &o, "start", "aging") == 0);
	}
	/* at t0 + 600 days, 400 days kept: entries 1-3 (0, 100, 200 days) go */
	o.keep = 400 * day;
	snprintf(now, sizeof(now), "%.0f", t0 + 600 * day + 1);
	setenv("DHARMIC_OPS_NOW", now, 1);
	CHECK(add(st, &o, "stop", "after the prune") == 0);
	unsetenv("DHARMIC_OPS_NOW");
	CHECK(ops_audit_read(st, 0, 0, &l, &err) == 0);
	EQ_INT(l.n, 5);
	EQ_INT(l.v[0].seq, 4);
	EQ_STR(l.v[3].verb, "audit.prune");
	HAS_STR(l.v[3].detail, "removed 3 entries older than");
	HAS_STR(l.v[3].detail, "the chain starts at entry 4 after");
	EQ_STR(l.v[4].verb, "stop");
	ops_audit_list_release(&l);
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 0);
	/* removing the new first entry is still seen */
	sql(st, "DELETE FROM audit WHERE seq=4");
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 1);
	HAS_STR(problem, "entry 4 was removed");

	/* everything older: the chain restarts at the prune entry */
	fresh(st, &o, 0);
	o.keep = 0;
	setenv("DHARMIC_OPS_NOW", "1700000000", 1);
	CHECK(add(st, &o, "start", "old") == 0);
	CHECK(add(st, &o, "start", "old") == 0);
	o.keep = day;
	setenv("DHARMIC_OPS_NOW", "1800000000", 1);
	CHECK(add(st, &o, "start", "new") == 0);
	unsetenv("DHARMIC_OPS_NOW");
	CHECK(ops_audit_read(st, 0, 0, &l, &err) == 0);
	EQ_INT(l.n, 2);
	EQ_INT(l.v[0].seq, 3);
	HAS_STR(l.v[0].detail, "the chain starts at entry 3 after");
	ops_audit_list_release(&l);
	EQ_INT(verify(st, NULL, problem, sizeof(problem)), 0);
}

static int
bench(int n)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_audit_opts o = { NULL, NULL, 400 * 86400.0 };
	char key[PATH_MAX], pub[PATH_MAX];
	double t;

	tmp = unit_tmpdir();
	o.home = tmp;
	if (ops_state_open(&st, tmp, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t = ops_time_mono();
	for (int i = 0; i < n; i++)
		if (ops_audit_append(&st, &o, NULL, "bench", "start", "done", "an entry",
		    &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	t = ops_time_mono() - t;
	printf("audit append (open database):   %8.3f ms per entry (%d entries)\n",
	    t * 1000 / n, n);
	snprintf(key, sizeof(key), "%s/key.pem", tmp);
	snprintf(pub, sizeof(pub), "%s/key.pub", tmp);
	if (ops_audit_keygen(key, pub, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	o.signing_key = key;
	t = ops_time_mono();
	for (int i = 0; i < n; i++)
		if (ops_audit_append(&st, &o, NULL, "bench", "start", "done", "an entry",
		    &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	t = ops_time_mono() - t;
	printf("audit append, signed:           %8.3f ms per entry (%d entries)\n",
	    t * 1000 / n, n);
	ops_state_close(&st);
	/* what a hook pays: open the state database, append, close */
	struct ops_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.home = tmp;
	cfg.audit.keep = 400 * 86400.0;
	t = ops_time_mono();
	for (int i = 0; i < n; i++)
		if (ops_audit_record(&cfg, NULL, "bench", "start", "done", &err, "entry %d",
		    i) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	t = ops_time_mono() - t;
	printf("audit record (open+append+close): %6.3f ms per entry (%d entries)\n",
	    t * 1000 / n, n);
	unit_cleanup(tmp);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_audit_opts o = { NULL, NULL, 0 };

	if (argc > 1 && strcmp(argv[1], "--bench") == 0)
		return bench(argc > 2 ? atoi(argv[2]) : 2000);
	unsetenv("DHARMIC_OPS_NOW");
	tmp = unit_tmpdir();
	o.home = tmp;
	test_sanitize();
	test_actor();
	test_chain(&st, &o);
	test_signed(&st);
	test_prune(&st);
	ops_state_close(&st);
	unit_cleanup(tmp);
	return unit_done();
}
