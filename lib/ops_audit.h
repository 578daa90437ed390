/* ops_audit: the append-only, tamper-evident audit trail (dharmic-ops(1)
 * audit).
 *
 * One entry per operation that changes or decides something: when, which
 * program, what (verb), the outcome, a short detail and who (the actor:
 * uid and user name, SUDO_USER, the terminal, or how the run was started:
 * cron, systemd, auto-restart). Entries live in the table `audit` of the
 * state database and form a hash chain: entry N holds the SHA-256 of entry
 * N-1 (prev) and its own hash, SHA-256(prev || canonical encoding of its
 * fields). With audit.signing_key (an Ed25519 private key in PEM) every
 * entry's hash is also signed, so the newest signature vouches for the
 * whole chain. Each entry is also one line in logs/audit.log.
 *
 * This module owns the table and the chain: nothing else writes to it.
 * Entries older than audit.keep are pruned when the next one is written;
 * the prune is itself an entry that names where the chain now starts, so
 * the chain stays verifiable from its new start. */
#ifndef OPS_AUDIT_H
#define OPS_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "ops_audit_actions.h"
#include "ops_buf.h"
#include "ops_config.h"
#include "ops_digest.h"
#include "ops_err.h"
#include "ops_state.h"

/* Who acted. via is how the run came about: the caller's word
 * ("auto-restart"), else $DHARMIC_OPS_ACTOR (the cron template sets
 * "cron"), else "terminal" when stdin, stdout or stderr is one, else
 * "systemd" when $INVOCATION_ID is set, else "none". Every string is
 * sanitised (printable, bounded). */
struct ops_audit_actor {
	int64_t uid;
	char user[64];		/* the name of uid, or "" */
	char sudo_user[64];	/* $SUDO_USER, or "" */
	char tty[64];		/* the terminal's name, or "" */
	char via[32];
};

void ops_audit_actor_detect(struct ops_audit_actor *a, const char *via);

/* One entry as stored. The strings belong to the entry (or its list). */
struct ops_audit_entry {
	int64_t seq;
	double ts;
	char *program, *verb, *outcome, *detail;
	struct ops_audit_actor actor;
	char prev[OPS_SHA256_HEX], hash[OPS_SHA256_HEX];
	char *sig;		/* hex Ed25519 signature of the hash, or NULL */
};

struct ops_audit_list {
	struct ops_audit_entry *v;
	size_t n;
};

#define OPS_AUDIT_LIST_INIT { NULL, 0 }

void ops_audit_list_release(struct ops_audit_list *l);

/* Where the trail lives and how it is kept. */
struct ops_audit_opts {
	const char *home;		/* logs/audit.log is under it */
	const char *signing_key;	/* absolute path, NULL or "" for none */
	double keep;			/* seconds; 0 keeps everything */
};

/* Append one entry (outcome and detail are sanitised; detail is cut to
 * OPS_AUDIT_DETAIL_MAX bytes). via: see struct ops_audit_actor, NULL to
 * detect. Writes the line to logs/audit.log after the commit. When the
 * signing key cannot be used the entry is still recorded, unsigned, and
 * -1 is returned naming the key. */
#define OPS_AUDIT_DETAIL_MAX 400
int ops_audit_append(struct ops_statedb *st, const struct ops_audit_opts *o,
    const char *via, const char *program, const char *verb, const char *outcome,
    const char *detail, struct ops_err *err);

/* The same for command-level hooks: opens cfg's state database, appends an
 * entry whose detail is formatted from fmt, closes. */
int ops_audit_record(const struct ops_config *cfg, const char *via,
    const char *program, const char *verb, const char *outcome,
    struct ops_err *err, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* The same, but nothing is written when the newest entry of this program,
 * verb and via already has this outcome and detail: a decision repeated
 * every run (a restart held back) is one entry, not one a minute. */
int ops_audit_record_changed(const struct ops_config *cfg, const char *via,
    const char *program, const char *verb, const char *outcome,
    struct ops_err *err, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* The times (caller frees *times) of the entries of verb by via since
 * since whose detail starts with prefix followed by ':' or ' ', and
 * whose outcome is not "deferred" or "refused": for a restart-style
 * policy (ops_restart_decide) over the runs of one action. */
int ops_audit_times(struct ops_statedb *st, const char *verb, const char *via,
    const char *prefix, double since, double **times, size_t *n, struct ops_err *err);

/* Entries with ts >= since, the last `last` of them (0: all), oldest
 * first. */
int ops_audit_read(struct ops_statedb *st, double since, size_t last,
    struct ops_audit_list *out, struct ops_err *err);

/* Text (one line per entry) or a JSON array. */
void ops_audit_format(struct ops_buf *out, const struct ops_audit_list *l, int json);

/* The hash of an entry from its fields and e->prev (hex into hash). */
int ops_audit_entry_hash(const struct ops_audit_entry *e, char hash[OPS_SHA256_HEX],
    struct ops_err *err);

/* Recompute the chain. Returns 0 when intact (summary in out), 1 when
 * not, with problem naming the first entry changed, removed or reordered,
 * -1 on error. With pubkey (a PEM public key file) every signature is
 * checked and the newest entry must be signed. logs/audit.log's newest
 * line must be in the chain (so removing the newest entries shows). */
int ops_audit_verify(struct ops_statedb *st, const char *home, const char *pubkey,
    struct ops_buf *out, char *problem, size_t len, struct ops_err *err);

/* Make an Ed25519 key pair: key (private, PEM, created 0600, never over
 * an existing file) and pub (public, PEM). */
int ops_audit_keygen(const char *key, const char *pub, struct ops_err *err);

/* Copy s into dst (size len) sanitised as one log line (ops_sanitize.h,
 * OPS_SAN_LINE: control characters become '?', invalid UTF-8 U+FFFD), cut
 * at a character boundary. Returns dst. */
char *ops_audit_sanitize(char *dst, size_t len, const char *s);

#endif
