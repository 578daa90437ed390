/* ops_rclone: offsite copies through rclone (backup.offsite).
 *
 * Builds rclone's argv (never a shell), runs it through ops_run with a
 * time limit, and reads `rclone lsjson` output with cJSON. No printing:
 * failures come back in struct ops_err with the last line rclone wrote
 * (sanitised). */
#ifndef OPS_RCLONE_H
#define OPS_RCLONE_H

#include <stddef.h>
#include <stdint.h>

#include "ops_err.h"
#include "ops_strv.h"

struct ops_rclone {
	const char *rclone;	/* program, searched in PATH */
	const char *config;	/* --config FILE, "" for rclone's own default */
	const char *remote;	/* "name:path" */
	double timeout;		/* per command, seconds */
};

/* One file of an lsjson listing. */
struct ops_rclone_entry {
	char name[256];		/* the entry's Name, no '/' and no control byte */
	int64_t size;		/* bytes, -1 when rclone does not know */
	char modtime[40];	/* rclone's ModTime text (RFC 3339), "" when none */
	char sha256[65];	/* lowercase hex when rclone gave it, else "" */
	int is_dir;
};

/* rclone's arguments for verb and its operands: RCLONE [--config CFG]
 * VERB ARGS... into *argv (appended; caller releases). -1 only on ENOMEM. */
int ops_rclone_argv(const struct ops_rclone *rc, const char *verb,
    const char *const args[], size_t nargs, struct ops_strv *argv);

/* REMOTE/NAME into buf ("name:" + "x" → "name:x", "name:dir" → "name:dir/x").
 * -1 when it does not fit or name is not a plain file name. */
int ops_rclone_path(const char *remote, const char *name, char *buf, size_t size);

/* Is remote the "name:path" form we accept (name not starting with '-',
 * no control bytes)? 1 yes, 0 no. */
int ops_rclone_remote_ok(const char *remote);

/* Parse `rclone lsjson` output (a JSON array of objects). Entries whose
 * Name is unusable (missing, '/', control bytes, too long) are skipped;
 * anything that is not an array of objects is refused. *v (caller frees)
 * and *n set on success; on failure *v is NULL and *n 0. */
int ops_rclone_lsjson_parse(const char *text, size_t len,
    struct ops_rclone_entry **v, size_t *n, struct ops_err *err);

/* Run rclone with verb and args; -1 with err naming how it failed and its
 * last output line; *out (may be NULL) gets its stdout+stderr (caller
 * frees) on success. *tail (may be NULL) gets the last lines on failure. */
int ops_rclone_run(const struct ops_rclone *rc, const char *verb,
    const char *const args[], size_t nargs, char **out, size_t *outlen,
    char *tail, size_t tailsize, struct ops_err *err);

/* Copy local file to REMOTE/NAME, then read it back with lsjson (with the
 * sha256 hash when the backend has it) and compare with size and sha256
 * (hex, may be "" to compare the size only). */
int ops_rclone_put(const struct ops_rclone *rc, const char *local,
    const char *name, int64_t size, const char *sha256, char *tail,
    size_t tailsize, struct ops_err *err);

/* The files directly under REMOTE (lsjson --files-only). */
int ops_rclone_list(const struct ops_rclone *rc, struct ops_rclone_entry **v,
    size_t *n, struct ops_err *err);

/* REMOTE/NAME to the local path (which must not exist yet). */
int ops_rclone_get(const struct ops_rclone *rc, const char *name,
    const char *local, struct ops_err *err);

/* Delete REMOTE/NAME (deletefile: one file, never a directory). */
int ops_rclone_delete(const struct ops_rclone *rc, const char *name,
    struct ops_err *err);

#endif
