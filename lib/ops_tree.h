/* ops_tree: whole directory trees, never following a symlink.
 *
 * Used on directories the toolkit made itself (snapshot and staging
 * areas, extracted archives). Walks with openat/unlinkat relative to
 * directory fds opened O_NOFOLLOW, so a symlink planted inside is removed
 * as a link, never entered. */
#ifndef OPS_TREE_H
#define OPS_TREE_H

#include <stdint.h>

#include "ops_err.h"

/* Remove path and everything under it. A missing path is not an error. */
int ops_tree_remove(const char *path, struct ops_err *err);

/* fsync every regular file and directory under dir, and dir itself. */
int ops_tree_fsync(const char *dir, struct ops_err *err);

/* Count the regular files under dir and their total size. */
int ops_tree_usage(const char *dir, uint64_t *files, uint64_t *bytes,
    struct ops_err *err);

#endif
