/* ops_aside: the copies of memory/ that ops-restore sets aside
 * (HOME/memory.pre-restore.*), and of the files of the home it replaced
 * (HOME/home.pre-restore.*, issue 12), listed and pruned
 * (restore.keep_aside). The two kinds are selected separately (each
 * keeps its newest and the journal's), with the same rules.
 *
 * Only a real directory directly in the home whose name is exactly what
 * ops-restore makes (ops_rjournal_aside_leaf) is a copy; anything else
 * (a symlink with that name, a file, "memory.pre-restore.old") is never
 * listed nor touched. Selection (ops_aside_select), newest first:
 *   - the newest copy is always kept;
 *   - the one the restore journal names is kept (a restore in progress,
 *     or its rollback, needs it);
 *   - nothing is pruned while the journal cannot be read or validated, or
 *     an invalid one was set aside (.ops/restore.journal.invalid-*): the
 *     operator was told to look at the copies by hand;
 *   - a copy younger than keep_aside is kept, the age counted from the
 *     time in its name (when ops-restore set it aside);
 *   - the rest are pruned.
 * Pruning re-checks each directory's device and inode, then removes it
 * with ops_tree_remove (openat walk, symlinks removed as links, never
 * followed). The caller holds the backup lock (ops-restore's). */
#ifndef OPS_ASIDE_H
#define OPS_ASIDE_H

#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"

enum ops_aside_fate {
	OPS_ASIDE_PRUNE = 0,	/* older than keep_aside: to be removed */
	OPS_ASIDE_YOUNG,	/* younger than keep_aside */
	OPS_ASIDE_NEWEST,	/* the newest: always kept */
	OPS_ASIDE_JOURNAL,	/* named by the restore journal */
	OPS_ASIDE_BLOCKED,	/* old, but the journal is not ours: kept */
	OPS_ASIDE_REMOVED,	/* pruned (after ops_aside_prune) */
	OPS_ASIDE_FAILED,	/* pruning failed; the list's err says why */
};

struct ops_aside {
	char name[64];		/* the leaf, memory.pre-restore.* or home.pre-restore.* */
	double time;		/* from the name, local time */
	unsigned long long dev, ino;
	uint64_t files, bytes;	/* regular files under it */
	enum ops_aside_fate fate;
};

struct ops_aside_list {
	struct ops_aside *v;	/* newest first; owned */
	size_t n;
	char blocked[512];	/* why nothing may be pruned, "" when it may */
};

#define OPS_ASIDE_LIST_INIT { NULL, 0, { 0 } }

/* The time in a copy's name (local), -1 when name is not one. */
double ops_aside_time(const char *name);

/* Sort v newest first and set each fate as above. journal_leaf: the leaf
 * the journal names, NULL for none; blocked: nothing may be pruned. Pure. */
void ops_aside_select(struct ops_aside *v, size_t n, double now, double keep_aside,
    const char *journal_leaf, int blocked);

/* List the copies in cfg->home with sizes and fates (reads the journal,
 * changes nothing). */
int ops_aside_scan(const struct ops_config *cfg, double now, struct ops_aside_list *l,
    struct ops_err *err);

/* Remove those whose fate is OPS_ASIDE_PRUNE (made REMOVED or FAILED),
 * each removal and failure logged in log_rel (a history log relative to
 * the home, such as "logs/rotation.log"; NULL: none). -1 with the first
 * failure in err when any failed; the others are still tried. */
int ops_aside_prune(const struct ops_config *cfg, struct ops_aside_list *l,
    const char *log_rel, struct ops_err *err);

/* Count the copies of a fate. */
size_t ops_aside_count(const struct ops_aside_list *l, enum ops_aside_fate fate);

/* "N copies, newest NAME (AGE ago), SIZE in all" for status, appended to
 * b; nothing when there are none. */
void ops_aside_summary(const struct ops_aside_list *l, double now, struct ops_buf *b);

void ops_aside_list_release(struct ops_aside_list *l);

#endif
