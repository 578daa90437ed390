/* ops_manifest: what a backup archive holds, and the rules for its names.
 *
 * An archive made by ops-backup starts with MANIFEST.json (format,
 * creation time, total size, and a line per file with its name, size and
 * kind), so that every entry can be checked against it before anything
 * is done with it, and ends with MANIFEST.sha256 (sha256sum format,
 * "HEX  memory/NAME" per line, so `sha256sum -c MANIFEST.sha256` passes
 * after extraction), written once every member has been hashed on its
 * way into the archive. Both must list the same files.
 *
 * Member names are relative, start with "memory/" (or, issue 12, name a
 * file of the home outside memory/ that backup.include lists, never one
 * ops_manifest_reserved says ops owns), have no empty, "." or
 * ".." component and only printable characters other than '\\' and '"',
 * at most OPS_MANIFEST_DEPTH_MAX components of at most
 * OPS_MANIFEST_COMPONENT_MAX bytes (what extraction and ops_tree's removal
 * handle), and are never a SQLite side file (-wal, -shm, -journal, a
 * super-journal): names ops-backup never writes.
 *
 * The manifest owns its entries' names; ops_manifest_release frees them. */
#ifndef OPS_MANIFEST_H
#define OPS_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"
#include "ops_digest.h"
#include "ops_err.h"

#define OPS_MANIFEST_SHA256 "MANIFEST.sha256"
#define OPS_MANIFEST_JSON "MANIFEST.json"
#define OPS_MANIFEST_MAX (4 * 1024 * 1024)	/* largest manifest read */
#define OPS_MANIFEST_NAME_MAX 1024
#define OPS_MANIFEST_DEPTH_MAX 16	/* components, "memory" included */
#define OPS_MANIFEST_COMPONENT_MAX 255	/* bytes, NAME_MAX */

enum ops_kind {
	OPS_KIND_FILE,		/* copied as it was */
	OPS_KIND_SQLITE,	/* an online-backup snapshot */
	OPS_KIND_JSONL,		/* up to its last complete line */
};

struct ops_manifest_entry {
	char *name;
	uint64_t size;
	enum ops_kind kind;
	char sha256[OPS_SHA256_HEX];	/* "" until known */
};

struct ops_manifest {
	struct ops_manifest_entry *v;
	size_t n, cap;
	uint64_t total;		/* sum of the sizes */
	double created;		/* epoch seconds, 0 when unknown */
};

#define OPS_MANIFEST_INIT { NULL, 0, 0, 0, 0 }

const char *ops_kind_name(enum ops_kind k);
int ops_kind_parse(const char *s, enum ops_kind *k);

/* 1 when name (a path or a member name) is a SQLite side file: ends in
 * -wal, -shm or -journal, or is a super-journal (-mjXXXXXXXX). */
int ops_manifest_side_file(const char *name);

/* 1 when name lies under memory/; else it is a file of the home. */
int ops_manifest_in_memory(const char *name);

/* 1 when name's first component is one ops owns in the home: memory
 * itself (as a file), .ops, the two manifests, a restore's staging
 * (.memory.restore*) or a copy set aside (memory.pre-restore.*,
 * home.pre-restore.*). Such a file is never archived nor restored. */
int ops_manifest_reserved(const char *name);

/* 0 when name is a valid member name (under memory/, or a file of the
 * home that is not reserved), else -1 and why. */
int ops_manifest_name_check(const char *name, struct ops_err *err);

/* Append an entry (name copied; sha256 may be NULL: not known yet).
 * Duplicate or invalid names are errors. */
int ops_manifest_add(struct ops_manifest *m, const char *name, uint64_t size,
    enum ops_kind kind, const char *sha256, struct ops_err *err);

/* Sort by name (after adding; lookups need it). */
void ops_manifest_sort(struct ops_manifest *m);
/* The entry named name, NULL when none (m sorted). */
const struct ops_manifest_entry *ops_manifest_find(const struct ops_manifest *m,
    const char *name);

/* The two member texts, appended to out. */
void ops_manifest_format_sha256(const struct ops_manifest *m, struct ops_buf *out);
void ops_manifest_format_json(const struct ops_manifest *m, struct ops_buf *out);

/* Parse a member text into an empty manifest (sorted on success). Strict:
 * anything unexpected is an error naming the line or the key. The sha256
 * form leaves sizes 0 and kinds OPS_KIND_FILE; the JSON form leaves the
 * hashes "". */
int ops_manifest_parse_sha256(const char *text, size_t len,
    struct ops_manifest *m, struct ops_err *err);
int ops_manifest_parse_json(const char *text, size_t len,
    struct ops_manifest *m, struct ops_err *err);

/* When the two (sorted) manifests list the same names, copy the hashes
 * of sha into json and return 0; else -1 naming the first difference. */
int ops_manifest_merge(struct ops_manifest *json, const struct ops_manifest *sha,
    struct ops_err *err);

void ops_manifest_release(struct ops_manifest *m);

#endif
