#include "ops_audit.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_sanitize.h"
#include "ops_time.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define SIG_PREFIX "dharmic-ops audit v1 "
#define PRUNE_VERB "audit.prune"
#define PRUNE_MARK "; the chain starts at entry "

/* ---- sanitising, the actor ------------------------------------------- */

char *
ops_audit_sanitize(char *dst, size_t len, const char *s)
{
	struct ops_buf b = OPS_BUF_INIT;
	const char *p;
	size_t o = 0, n, left;
	uint32_t cp;

	if (len == 0)
		return dst;
	/* the project's one sanitiser (one line, no control characters,
	 * valid UTF-8), then cut at a character boundary */
	ops_san_puts(&b, s, OPS_SAN_LINE);
	p = ops_buf_str(&b);
	left = b.len;
	while (left > 0 && (n = ops_utf8_char(p + o, left, &cp)) > 0 && o + n < len) {
		o += n;
		left -= n;
	}
	memcpy(dst, p, o);
	dst[o] = '\0';
	ops_buf_release(&b);
	return dst;
}

/* A word such as "cron": letters, digits, '.', '_', '-' only. */
static int
word(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) >= 32)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

void
ops_audit_actor_detect(struct ops_audit_actor *a, const char *via)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096], tty[PATH_MAX];
	const char *env;
	uid_t uid = getuid();

	memset(a, 0, sizeof(*a));
	a->uid = (int64_t)uid;
	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL)
		ops_audit_sanitize(a->user, sizeof(a->user), res->pw_name);
	ops_audit_sanitize(a->sudo_user, sizeof(a->sudo_user), getenv("SUDO_USER"));
	for (int fd = 0; fd < 3; fd++) {
		if (isatty(fd) && ttyname_r(fd, tty, sizeof(tty)) == 0) {
			ops_audit_sanitize(a->tty, sizeof(a->tty), tty);
			break;
		}
	}
	env = getenv("DHARMIC_OPS_ACTOR");
	if (word(via))
		snprintf(a->via, sizeof(a->via), "%s", via);
	else if (word(env))
		snprintf(a->via, sizeof(a->via), "%s", env);
	else if (a->tty[0] != '\0')
		snprintf(a->via, sizeof(a->via), "terminal");
	else if ((env = getenv("INVOCATION_ID")) != NULL && *env != '\0')
		snprintf(a->via, sizeof(a->via), "systemd");
	else
		snprintf(a->via, sizeof(a->via), "none");
}

/* ---- the hash, the signature ----------------------------------------- */

/* err = "WHAT['ARG']: <OpenSSL's own message>", -1. */
static int
ssl_err(struct ops_err *err, const char *what, const char *arg)
{
	char buf[256] = "unknown error";
	unsigned long e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	if (arg != NULL)
		return ops_err_set(err, OPS_E_FAIL, "%s '%s': %s", what, arg, buf);
	return ops_err_set(err, OPS_E_FAIL, "%s: %s", what, buf);
}

/* One field as a netstring, "LEN:BYTES,": no separator can be forged. */
static int
field(struct ops_sha256 *h, const char *s, struct ops_err *err)
{
	char len[32];
	size_t n = strlen(s);

	snprintf(len, sizeof(len), "%zu:", n);
	if (ops_sha256_update(h, len, strlen(len), err) < 0 ||
	    ops_sha256_update(h, s, n, err) < 0 ||
	    ops_sha256_update(h, ",", 1, err) < 0)
		return -1;
	return 0;
}

int
ops_audit_entry_hash(const struct ops_audit_entry *e, char hash[OPS_SHA256_HEX],
    struct ops_err *err)
{
	struct ops_sha256 h = OPS_SHA256_INIT;
	char ts[64], uid[32];
	int rc = -1;

	/* The sequence number is not hashed: the chain itself is the order,
	 * so renumbering shows as a broken link, not as changed content. */
	snprintf(ts, sizeof(ts), "%.6f", e->ts);
	snprintf(uid, sizeof(uid), "%" PRId64, e->actor.uid);
	if (ops_sha256_init(&h, err) < 0 ||
	    ops_sha256_update(&h, e->prev, strlen(e->prev), err) < 0 ||
	    field(&h, "v1", err) < 0 || field(&h, ts, err) < 0 ||
	    field(&h, e->program, err) < 0 || field(&h, e->verb, err) < 0 ||
	    field(&h, e->outcome, err) < 0 || field(&h, e->detail, err) < 0 ||
	    field(&h, uid, err) < 0 || field(&h, e->actor.user, err) < 0 ||
	    field(&h, e->actor.sudo_user, err) < 0 || field(&h, e->actor.tty, err) < 0 ||
	    field(&h, e->actor.via, err) < 0 ||
	    ops_sha256_final(&h, hash, err) < 0)
		goto out;
	rc = 0;
out:
	ops_sha256_release(&h);
	return rc;
}

static void
hexify(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
unhex(const char *s, unsigned char *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Read a PEM key file: private (the signing key, which must not be
 * readable by others) or public. The caller frees *out. */
static int
load_key(const char *path, int private, EVP_PKEY **out, struct ops_err *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc = -1;

	*out = NULL;
	if (ops_fs_read_file(path, 64 * 1024, &text, &len, err) < 0)
		goto out;
	if (private && stat(path, &st) == 0 && (st.st_mode & 077)) {
		ops_err_set(err, OPS_E_USAGE,
		    "refusing the signing key '%s': readable by others (chmod 600)", path);
		goto out;
	}
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio == NULL) {
		ssl_err(err, "unable to read the key", path);
		goto out;
	}
	*out = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (*out == NULL) {
		ssl_err(err, "unable to read the key", path);
		goto out;
	}
	if (!EVP_PKEY_is_a(*out, "ED25519")) {
		ops_err_set(err, OPS_E_USAGE, "the key '%s' is not an Ed25519 key", path);
		EVP_PKEY_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	BIO_free(bio);
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

static int
sign_hash(EVP_PKEY *key, const char *hash, char *sig_hex, size_t len,
    struct ops_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[64];
	size_t siglen = sizeof(sig);
	char msg[128];
	int rc = -1;

	snprintf(msg, sizeof(msg), SIG_PREFIX "%s", hash);
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg,
	    strlen(msg)) != 1 || siglen != sizeof(sig) || len < 2 * siglen + 1) {
		ssl_err(err, "unable to sign the audit trail", NULL);
		goto out;
	}
	hexify(sig, siglen, sig_hex);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* 1 when sig_hex is a good signature of hash, 0 when not, -1 on error. */
static int
check_sig(EVP_PKEY *key, const char *hash, const char *sig_hex, struct ops_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[64];
	char msg[128];
	int rc = -1, v;

	if (ctx == NULL || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1) {
		ssl_err(err, "unable to check a signature", NULL);
		goto out;
	}
	if (unhex(sig_hex, sig, sizeof(sig)) < 0) {
		rc = 0;
		goto out;
	}
	snprintf(msg, sizeof(msg), SIG_PREFIX "%s", hash);
	v = EVP_DigestVerify(ctx, sig, sizeof(sig), (const unsigned char *)msg, strlen(msg));
	ERR_clear_error();
	rc = v == 1;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
ops_audit_keygen(const char *key, const char *pub, struct ops_err *err)
{
	EVP_PKEY *pk = NULL;
	BIO *bk = NULL, *bp = NULL;
	char *data = NULL;
	long n;
	int fd = -1, rc = -1;

	pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	bk = BIO_new(BIO_s_mem());
	bp = BIO_new(BIO_s_mem());
	if (pk == NULL || bk == NULL || bp == NULL ||
	    PEM_write_bio_PrivateKey(bk, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(bp, pk) != 1) {
		ssl_err(err, "unable to make a key pair", NULL);
		goto out;
	}
	fd = open(key, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ops_err_sys(err, errno, "unable to create '%s'", key);
		goto out;
	}
	n = BIO_get_mem_data(bk, &data);
	if (n <= 0 || ops_fs_write_all(fd, data, (size_t)n) < 0 || fsync(fd) < 0) {
		ops_err_sys(err, errno, "unable to write '%s'", key);
		unlink(key);
		goto out;
	}
	n = BIO_get_mem_data(bp, &data);
	if (n <= 0 || ops_fs_write_atomic(pub, data, (size_t)n, err) < 0) {
		if (n <= 0)
			ops_err_set(err, OPS_E_FAIL, "unable to write '%s'", pub);
		unlink(key);
		goto out;
	}
	if (ops_fs_fsync_dir(key, 0, err) < 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	BIO_free(bk);
	BIO_free(bp);
	EVP_PKEY_free(pk);
	return rc;
}

/* ---- appending ------------------------------------------------------- */

static int
log_line(const struct ops_audit_opts *o, const struct ops_audit_entry *e,
    struct ops_err *err)
{
	int rc = -1;

	struct ops_buf b = OPS_BUF_INIT;
	char path[PATH_MAX], dir[PATH_MAX], ts[32];

	if (ops_path_join(dir, sizeof(dir), o->home, "logs", err) < 0 ||
	    ops_path_join(path, sizeof(path), dir, "audit.log", err) < 0 ||
	    ops_fs_mkdirs(dir, err) < 0)
		return -1;
	ops_buf_printf(&b, "[%s] #%" PRId64 " %s %s %s uid=%" PRId64 " user=%s",
	    ops_time_log(e->ts, ts, sizeof(ts)), e->seq, e->program, e->verb, e->outcome,
	    e->actor.uid, e->actor.user[0] ? e->actor.user : "?");
	if (e->actor.sudo_user[0])
		ops_buf_printf(&b, " sudo_user=%s", e->actor.sudo_user);
	if (e->actor.tty[0])
		ops_buf_printf(&b, " tty=%s", e->actor.tty);
	ops_buf_printf(&b, " via=%s detail=\"%s\" hash=%s", e->actor.via, e->detail,
	    e->hash);
	if (b.oom)
		ops_err_set(err, OPS_E_FAIL, "unable to write '%s': out of memory", path);
	else
		rc = ops_fs_append_line(path, ops_buf_str(&b), err);
	ops_buf_release(&b);
	return rc;
}

/* Delete the entries older than the cutoff (a prefix of the chain) and
 * describe where the chain now starts in *detail; *n = 0 when none. The
 * newest entry's hash is head (the prune entry follows it). */
static int
prune(struct ops_statedb *st, double cutoff, int64_t next_seq, const char *head,
    int64_t *n, char *detail, size_t len, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int64_t upto = 0, start = next_seq;
	char start_prev[OPS_SHA256_HEX], when[32];

	*n = 0;
	if (ops_state_prepare(st, "SELECT max(seq), count(*) FROM audit WHERE ts<?", &s,
	    err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, cutoff);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return ops_state_error(err, st, "read the audit trail");
	}
	upto = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (upto == 0)
		return 0;
	snprintf(start_prev, sizeof(start_prev), "%s", head);
	if (ops_state_prepare(st, "SELECT seq, prev FROM audit WHERE seq>? ORDER BY seq"
	    " LIMIT 1", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, upto);
	if (sqlite3_step(s) == SQLITE_ROW) {
		start = sqlite3_column_int64(s, 0);
		snprintf(start_prev, sizeof(start_prev), "%s",
		    (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (ops_state_prepare(st, "DELETE FROM audit WHERE seq<=?", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, upto);
	if (ops_state_step_done(st, s, "prune the audit trail", err) < 0)
		return -1;
	*n = sqlite3_changes64(st->db);
	snprintf(detail, len, "removed %" PRId64 " entries older than %s" PRUNE_MARK
	    "%" PRId64 " after %s", *n, ops_time_log(cutoff, when, sizeof(when)), start,
	    start_prev);
	return 0;
}

static int
insert(struct ops_statedb *st, struct ops_audit_entry *e, EVP_PKEY *key,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	char sig[129];
	struct ops_err kerr = OPS_ERR_INIT;

	if (ops_audit_entry_hash(e, e->hash, err) < 0)
		return -1;
	if (ops_state_prepare(st, "INSERT INTO audit(seq,ts,program,verb,outcome,detail,"
	    "uid,user,sudo_user,tty,via,prev,hash,sig) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, e->seq);
	sqlite3_bind_double(s, 2, e->ts);
	sqlite3_bind_text(s, 3, e->program, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->verb, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, e->actor.uid);
	sqlite3_bind_text(s, 8, e->actor.user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, e->actor.sudo_user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, e->actor.tty, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, e->actor.via, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, e->prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, e->hash, -1, SQLITE_STATIC);
	if (key != NULL && sign_hash(key, e->hash, sig, sizeof(sig), &kerr) == 0)
		sqlite3_bind_text(s, 14, sig, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 14);
	return ops_state_step_done(st, s, "record an audit entry", err);
}

int
ops_audit_append(struct ops_statedb *st, const struct ops_audit_opts *o,
    const char *via, const char *program, const char *verb, const char *outcome,
    const char *detail, struct ops_err *err)
{
	char prog[64], vb[64], oc[64], det[OPS_AUDIT_DETAIL_MAX + 1];
	char pdetail[OPS_AUDIT_DETAIL_MAX + 1], head[OPS_SHA256_HEX];
	struct ops_audit_entry e, pe;
	struct ops_err kerr = OPS_ERR_INIT;
	EVP_PKEY *key = NULL;
	sqlite3_stmt *s = NULL;
	int64_t seq = 1, pruned = 0;
	int rc = -1, in_tx = 0;

	memset(&e, 0, sizeof(e));
	memset(&pe, 0, sizeof(pe));
	e.program = ops_audit_sanitize(prog, sizeof(prog), program);
	e.verb = ops_audit_sanitize(vb, sizeof(vb), verb);
	e.outcome = ops_audit_sanitize(oc, sizeof(oc), outcome);
	e.detail = ops_audit_sanitize(det, sizeof(det), detail);
	e.ts = ops_time_now();
	ops_audit_actor_detect(&e.actor, via);
	/* A key that cannot be used does not stop the record: the entry is
	 * written unsigned and the failure reported after. */
	if (o->signing_key != NULL && o->signing_key[0] != '\0')
		load_key(o->signing_key, 1, &key, &kerr);
	if (ops_state_exec(st, "BEGIN IMMEDIATE", err) < 0)
		goto out;
	in_tx = 1;
	snprintf(head, sizeof(head), "%s", ZERO_HASH);
	if (ops_state_prepare(st, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
	    &s, err) < 0)
		goto out;
	if (sqlite3_step(s) == SQLITE_ROW) {
		seq = sqlite3_column_int64(s, 0) + 1;
		snprintf(head, sizeof(head), "%s", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (o->keep > 0 && prune(st, e.ts - o->keep, seq, head, &pruned, pdetail,
	    sizeof(pdetail), err) < 0)
		goto out;
	if (pruned > 0) {
		pe = e;
		pe.verb = PRUNE_VERB;
		pe.outcome = "done";
		pe.detail = pdetail;
		pe.seq = seq++;
		snprintf(pe.prev, sizeof(pe.prev), "%s", head);
		if (insert(st, &pe, key, err) < 0)
			goto out;
		snprintf(head, sizeof(head), "%s", pe.hash);
	}
	e.seq = seq;
	snprintf(e.prev, sizeof(e.prev), "%s", head);
	if (insert(st, &e, key, err) < 0 || ops_state_exec(st, "COMMIT", err) < 0)
		goto out;
	in_tx = 0;
	/* The line follows the commit: a line in the log is always in the
	 * chain (ops_audit_verify relies on it). */
	if ((pruned > 0 && log_line(o, &pe, err) < 0) || log_line(o, &e, err) < 0)
		goto out;
	if (kerr.code != OPS_E_NONE) {
		if (err != NULL)
			*err = kerr;
		ops_err_prefix(err, "entry %" PRId64 " left unsigned", e.seq);
		goto out;
	}
	rc = 0;
out:
	if (in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	EVP_PKEY_free(key);
	return rc;
}

/* 1 when the newest entry of program, verb and via has this outcome and
 * (sanitised) detail. */
static int
same_as_last(struct ops_statedb *st, const char *via, const char *program,
    const char *verb, const char *outcome, const char *detail)
{
	struct ops_audit_actor a;
	sqlite3_stmt *s = NULL;
	char det[OPS_AUDIT_DETAIL_MAX + 1];
	int same = 0;

	ops_audit_actor_detect(&a, via);
	ops_audit_sanitize(det, sizeof(det), detail);
	if (ops_state_prepare(st, "SELECT outcome, detail FROM audit WHERE program=?"
	    " AND verb=? AND via=? ORDER BY seq DESC LIMIT 1", &s, NULL) < 0)
		return 0;
	sqlite3_bind_text(s, 1, program, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, verb, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a.via, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		same = strcmp(ops_state_text(s, 0), outcome) == 0 &&
		    strcmp(ops_state_text(s, 1), det) == 0;
	sqlite3_finalize(s);
	return same;
}

int
ops_audit_times(struct ops_statedb *st, const char *verb, const char *via,
    const char *prefix, double since, double **times, size_t *n, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t len = strlen(prefix), cap = 0;
	int rc = -1, step;

	*times = NULL;
	*n = 0;
	if (ops_state_prepare(st, "SELECT ts, detail FROM audit WHERE verb=? AND via=?"
	    " AND ts>=? AND outcome NOT IN ('deferred','refused') ORDER BY seq", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, verb, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, via, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, since);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *d = ops_state_text(s, 1);

		if (strncmp(d, prefix, len) != 0 || (d[len] != ':' && d[len] != ' '))
			continue;
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			double *v = realloc(*times, ncap * sizeof(*v));

			if (v == NULL) {
				ops_err_sys(err, ENOMEM, "unable to read the audit trail");
				goto out;
			}
			*times = v;
			cap = ncap;
		}
		(*times)[(*n)++] = sqlite3_column_double(s, 0);
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "read the audit trail");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (rc < 0) {
		free(*times);
		*times = NULL;
		*n = 0;
	}
	return rc;
}

static int vrecord(const struct ops_config *cfg, int changed_only, const char *via,
    const char *program, const char *verb, const char *outcome, struct ops_err *err,
    const char *fmt, va_list ap) __attribute__((format(printf, 8, 0)));

static int
vrecord(const struct ops_config *cfg, int changed_only, const char *via,
    const char *program, const char *verb, const char *outcome, struct ops_err *err,
    const char *fmt, va_list ap)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_audit_opts o = { cfg->home, NULL, cfg->audit.keep };
	char detail[OPS_AUDIT_DETAIL_MAX + 1], key[PATH_MAX];
	int rc = -1;

	vsnprintf(detail, sizeof(detail), fmt, ap);
	if (cfg->audit.signing_key != NULL && cfg->audit.signing_key[0] != '\0') {
		if (ops_config_path(cfg, cfg->audit.signing_key, key, sizeof(key), err) < 0)
			return -1;
		o.signing_key = key;
	}
	if (ops_state_open(&st, cfg->home, err) < 0)
		goto out;
	if (changed_only && same_as_last(&st, via, program, verb, outcome, detail)) {
		rc = 0;
		goto out;
	}
	rc = ops_audit_append(&st, &o, via, program, verb, outcome, detail, err);
out:
	ops_state_close(&st);
	if (rc < 0)
		ops_err_prefix(err, "audit trail");
	return rc;
}

int
ops_audit_record(const struct ops_config *cfg, const char *via,
    const char *program, const char *verb, const char *outcome,
    struct ops_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrecord(cfg, 0, via, program, verb, outcome, err, fmt, ap);
	va_end(ap);
	return rc;
}

int
ops_audit_record_changed(const struct ops_config *cfg, const char *via,
    const char *program, const char *verb, const char *outcome,
    struct ops_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrecord(cfg, 1, via, program, verb, outcome, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- reading --------------------------------------------------------- */

#define COLUMNS "seq,ts,program,verb,outcome,detail,uid,user,sudo_user,tty,via,prev," \
	"hash,sig"

static int
fill(struct ops_audit_entry *e, sqlite3_stmt *s)
{
	memset(e, 0, sizeof(*e));
	e->seq = sqlite3_column_int64(s, 0);
	e->ts = sqlite3_column_double(s, 1);
	e->program = strdup(ops_state_text(s, 2));
	e->verb = strdup(ops_state_text(s, 3));
	e->outcome = strdup(ops_state_text(s, 4));
	e->detail = strdup(ops_state_text(s, 5));
	e->actor.uid = sqlite3_column_int64(s, 6);
	snprintf(e->actor.user, sizeof(e->actor.user), "%s", ops_state_text(s, 7));
	snprintf(e->actor.sudo_user, sizeof(e->actor.sudo_user), "%s",
	    ops_state_text(s, 8));
	snprintf(e->actor.tty, sizeof(e->actor.tty), "%s", ops_state_text(s, 9));
	snprintf(e->actor.via, sizeof(e->actor.via), "%s", ops_state_text(s, 10));
	snprintf(e->prev, sizeof(e->prev), "%s", ops_state_text(s, 11));
	snprintf(e->hash, sizeof(e->hash), "%s", ops_state_text(s, 12));
	if (sqlite3_column_type(s, 13) != SQLITE_NULL)
		e->sig = strdup(ops_state_text(s, 13));
	if (!e->program || !e->verb || !e->outcome || !e->detail ||
	    (sqlite3_column_type(s, 13) != SQLITE_NULL && !e->sig))
		return -1;
	return 0;
}

static void
entry_release(struct ops_audit_entry *e)
{
	free(e->program);
	free(e->verb);
	free(e->outcome);
	free(e->detail);
	free(e->sig);
	memset(e, 0, sizeof(*e));
}

void
ops_audit_list_release(struct ops_audit_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		entry_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
ops_audit_read(struct ops_statedb *st, double since, size_t last,
    struct ops_audit_list *out, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = -1, step;

	out->v = NULL;
	out->n = 0;
	if (ops_state_prepare(st, "SELECT " COLUMNS " FROM audit WHERE ts>=?"
	    " ORDER BY seq DESC LIMIT ?", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, since);
	sqlite3_bind_int64(s, 2, last ? (sqlite3_int64)last : -1);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct ops_audit_entry *v = realloc(out->v, ncap * sizeof(*v));

			if (v == NULL) {
				ops_err_sys(err, ENOMEM, "unable to read the audit trail");
				goto out;
			}
			out->v = v;
			cap = ncap;
		}
		if (fill(&out->v[out->n++], s) < 0) {
			ops_err_sys(err, ENOMEM, "unable to read the audit trail");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "read the audit trail");
		goto out;
	}
	/* Newest first from the query (for LIMIT); oldest first for people. */
	for (size_t i = 0; i < out->n / 2; i++) {
		struct ops_audit_entry t = out->v[i];

		out->v[i] = out->v[out->n - 1 - i];
		out->v[out->n - 1 - i] = t;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (rc < 0)
		ops_audit_list_release(out);
	return rc;
}

static void
actor_text(struct ops_buf *b, const struct ops_audit_actor *a)
{
	ops_buf_printf(b, "%s (uid %" PRId64 ")", a->user[0] ? a->user : "?", a->uid);
	if (a->sudo_user[0])
		ops_buf_printf(b, " sudo from %s", a->sudo_user);
	ops_buf_printf(b, " via %s", a->via);
	if (a->tty[0])
		ops_buf_printf(b, " on %s", a->tty);
}

void
ops_audit_format(struct ops_buf *out, const struct ops_audit_list *l, int json)
{
	char ts[64];

	if (!json) {
		for (size_t i = 0; i < l->n; i++) {
			const struct ops_audit_entry *e = &l->v[i];

			ops_buf_printf(out, "#%" PRId64 " %s %s %s %s by ", e->seq,
			    ops_time_log(e->ts, ts, sizeof(ts)), e->program, e->verb,
			    e->outcome);
			actor_text(out, &e->actor);
			if (e->detail[0])
				ops_buf_printf(out, ": %s", e->detail);
			ops_buf_puts(out, "\n");
		}
		return;
	}
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < l->n; i++) {
		const struct ops_audit_entry *e = &l->v[i];
		cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateObject();

		if (o == NULL || a == NULL || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(a);
			out->oom = 1;
			break;
		}
		cJSON_AddNumberToObject(o, "seq", (double)e->seq);
		cJSON_AddStringToObject(o, "time", ops_time_iso(e->ts, ts, sizeof(ts)));
		cJSON_AddNumberToObject(o, "ts", e->ts);
		cJSON_AddStringToObject(o, "program", e->program);
		cJSON_AddStringToObject(o, "verb", e->verb);
		cJSON_AddStringToObject(o, "outcome", e->outcome);
		cJSON_AddStringToObject(o, "detail", e->detail);
		cJSON_AddNumberToObject(a, "uid", (double)e->actor.uid);
		cJSON_AddStringToObject(a, "user", e->actor.user);
		cJSON_AddStringToObject(a, "sudo_user", e->actor.sudo_user);
		cJSON_AddStringToObject(a, "tty", e->actor.tty);
		cJSON_AddStringToObject(a, "via", e->actor.via);
		cJSON_AddItemToObject(o, "actor", a);
		cJSON_AddStringToObject(o, "prev", e->prev);
		cJSON_AddStringToObject(o, "hash", e->hash);
		cJSON_AddBoolToObject(o, "signed", e->sig != NULL);
	}
	char *txt = arr ? cJSON_Print(arr) : NULL;

	if (txt == NULL) {
		out->oom = 1;
	} else {
		/* entries are cleaned when recorded, but the database is
		 * only a file: the output is sanitised as every JSON is */
		ops_san_puts(out, txt, OPS_SAN_JSON);
		ops_buf_puts(out, "\n");
	}
	free(txt);
	cJSON_Delete(arr);
}

/* ---- verifying ------------------------------------------------------- */

/* Where the newest prune said the chain starts; seq 1 after the zero
 * hash when nothing was pruned. */
static int
chain_start(struct ops_statedb *st, int64_t *seq, char prev[OPS_SHA256_HEX],
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *p;
	long long n;
	char hex[OPS_SHA256_HEX];

	*seq = 1;
	snprintf(prev, OPS_SHA256_HEX, "%s", ZERO_HASH);
	if (ops_state_prepare(st, "SELECT detail FROM audit WHERE verb='" PRUNE_VERB
	    "' ORDER BY seq DESC LIMIT 1", &s, err) < 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		p = strstr(ops_state_text(s, 0), PRUNE_MARK);
		if (p != NULL && sscanf(p + strlen(PRUNE_MARK), "%lld after %64[0-9a-f]",
		    &n, hex) == 2 && ops_sha256_hex_valid(hex)) {
			*seq = n;
			snprintf(prev, OPS_SHA256_HEX, "%s", hex);
		} else {
			*seq = -1;	/* a prune entry that says nothing usable */
		}
	}
	sqlite3_finalize(s);
	return 0;
}

/* The newest line of logs/audit.log: its entry number and hash; 0 when
 * there is no log or no line. */
static int
log_head(const char *home, int64_t *seq, char hash[OPS_SHA256_HEX],
    struct ops_err *err)
{
	char path[PATH_MAX], *text = NULL, *p, *h;
	long long n;
	int rc = 0;

	if (ops_path_join(path, sizeof(path), home, "logs/audit.log", err) < 0)
		return -1;
	if (ops_fs_tail(path, 1, 4096, &text, err) < 0) {
		if (err->code == OPS_E_NOENT) {
			ops_err_clear(err);
			return 0;
		}
		return -1;
	}
	p = strstr(text, "] #");
	h = NULL;
	for (char *q = strstr(text, " hash="); q; q = strstr(q + 1, " hash="))
		h = q;
	if (p != NULL && h != NULL && sscanf(p + 3, "%lld", &n) == 1 &&
	    sscanf(h + 6, "%64[0-9a-f]", hash) == 1 && ops_sha256_hex_valid(hash)) {
		*seq = n;
		rc = 1;
	}
	free(text);
	return rc;
}

int
ops_audit_verify(struct ops_statedb *st, const char *home, const char *pubkey,
    struct ops_buf *out, char *problem, size_t len, struct ops_err *err)
{
	struct ops_audit_entry e, last;
	sqlite3_stmt *s = NULL;
	EVP_PKEY *key = NULL;
	char start_prev[OPS_SHA256_HEX], calc[OPS_SHA256_HEX], lhash[OPS_SHA256_HEX];
	char ts[32];
	int64_t start, n = 0, nsig = 0, lseq = 0;
	int rc = -1, step, v, have_log;

	memset(&e, 0, sizeof(e));
	memset(&last, 0, sizeof(last));
	problem[0] = '\0';
	if (pubkey != NULL && load_key(pubkey, 0, &key, err) < 0)
		return -1;
	if (ops_state_exec(st, "BEGIN", err) < 0)
		goto out;
	if (chain_start(st, &start, start_prev, err) < 0 ||
	    (have_log = log_head(home, &lseq, lhash, err)) < 0 ||
	    ops_state_prepare(st, "SELECT " COLUMNS " FROM audit ORDER BY seq", &s, err) < 0)
		goto out;
#define BAD(...) do { snprintf(problem, len, __VA_ARGS__); rc = 1; goto out; } while (0)
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		entry_release(&e);
		if (fill(&e, s) < 0) {
			ops_err_sys(err, ENOMEM, "unable to read the audit trail");
			goto out;
		}
		ops_time_log(e.ts, ts, sizeof(ts));
		if (n == 0 && start < 0)
			BAD("the newest prune entry was changed: it does not say where the "
			    "chain starts");
		if (n == 0 && e.seq > start)
			BAD("entry %" PRId64 " was removed: the chain starts at entry %"
			    PRId64 ", the first entry left is %" PRId64, start, start, e.seq);
		if (n == 0 && e.seq < start)
			BAD("entry %" PRId64 " (%s %s) lies before the start of the chain "
			    "(entry %" PRId64 "): inserted or the prune changed", e.seq, ts,
			    e.verb, start);
		if (n > 0 && e.seq != last.seq + 1)
			BAD("entry %" PRId64 " was removed: entry %" PRId64 " follows entry %"
			    PRId64, last.seq + 1, e.seq, last.seq);
		if (ops_audit_entry_hash(&e, calc, err) < 0)
			goto out;
		if (strcmp(calc, e.hash) != 0)
			BAD("entry %" PRId64 " (%s %s) was changed: its content does not "
			    "match its hash", e.seq, ts, e.verb);
		if (n == 0 && strcmp(e.prev, start_prev) != 0)
			BAD("entry %" PRId64 " (%s %s) does not follow the start of the chain: "
			    "entries before it were removed or reordered", e.seq, ts, e.verb);
		if (n > 0 && strcmp(e.prev, last.hash) != 0)
			BAD("entry %" PRId64 " (%s %s) does not follow entry %" PRId64
			    ": entries were reordered, replaced or removed", e.seq, ts, e.verb,
			    last.seq);
		if (key != NULL && e.sig != NULL) {
			if ((v = check_sig(key, e.hash, e.sig, err)) < 0)
				goto out;
			if (v == 0)
				BAD("entry %" PRId64 " (%s %s): its signature does not verify "
				    "with '%s'", e.seq, ts, e.verb, pubkey);
			nsig++;
		}
		if (have_log && e.seq == lseq && strcmp(e.hash, lhash) != 0)
			BAD("entry %" PRId64 " (%s %s) differs from its line in logs/audit.log",
			    e.seq, ts, e.verb);
		entry_release(&last);
		last = e;
		memset(&e, 0, sizeof(e));
		n++;
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "read the audit trail");
		goto out;
	}
	if (have_log && (n == 0 || last.seq < lseq))
		BAD("entry %" PRId64 " was removed: logs/audit.log records entry %" PRId64
		    " but the trail ends %s", n ? last.seq + 1 : lseq, lseq,
		    n ? "before it" : "empty");
	if (key != NULL && n > 0 && last.sig == NULL)
		BAD("entry %" PRId64 " (the newest) is not signed: the chain is not vouched "
		    "for by '%s'", last.seq, pubkey);
#undef BAD
	if (n == 0)
		ops_buf_puts(out, "audit trail intact: no entries\n");
	else
		ops_buf_printf(out, "audit trail intact: %" PRId64 " entries (%" PRId64 "-%"
		    PRId64 "), head %.16s\n", n, last.seq - n + 1, last.seq, last.hash);
	if (key != NULL && n > 0)
		ops_buf_printf(out, "signatures good: %" PRId64 " signed entries, the newest "
		    "vouching for the whole chain\n", nsig);
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	entry_release(&e);
	entry_release(&last);
	EVP_PKEY_free(key);
	return rc;
}
