/* ops_homefile: the files of the home outside memory/ that backups carry
 * (issue 12: backup.include may name "keys/NAME.key", "ops.json", ...).
 *
 * Three rules, each enforced here only:
 *  - which files hold secrets (ops_homefile_secret): those go only into
 *    an encrypted archive, otherwise the backup is a configuration error
 *    naming the backup.include entry;
 *  - which are ops' own and never archived: the manifests, memory as a
 *    file, .ops/, a restore's staging, the copies set aside
 *    (ops_manifest_reserved), and anything under backup.dir;
 *  - how a restored file is put in place (ops_homefile_forward) and taken
 *    back (ops_homefile_back), reversibly: the file it replaces goes to
 *    the same relative name under HOME/home.pre-restore.STAMP (the stamp
 *    of memory.pre-restore.STAMP of the same restore), the restored file
 *    is known by its inode (recorded in the restore journal), every
 *    directory is reached with ops_confine's no-symlink walk, and each
 *    rename is followed by an fsync of the directories it touched. Both
 *    can be run again after a kill at any instant and finish the job.
 *
 * Paths given here are relative to the home (or to the staging or aside
 * directory, which mirror it); roots are absolute and canonical. */
#ifndef OPS_HOMEFILE_H
#define OPS_HOMEFILE_H

#include "ops_config.h"
#include "ops_err.h"
#include "ops_rjournal.h"

/* Files outside memory/ one archive may hold: what a restore journal
 * records. */
#define OPS_HOMEFILE_MAX OPS_RJOURNAL_FILES_MAX

/* 1 when rel (a file's path relative to the home, or a backup.include
 * pattern: the same rule reads both) names something that holds secrets:
 * a .env file (".env", ".env.*", "*.env"), anything under a directory
 * called keys, secrets, .ssh, .gnupg or .aws, a key or certificate file
 * (*.key, *.pem, *.p12, *.pfx, *.jks, *.keystore, id_rsa/id_ed25519/...
 * without .pub), credential files (.netrc, .pgpass, rclone.conf,
 * *credential*, *secret*, *token*, *password*, *passphrase*, *wallet*,
 * case-insensitive), and the files the configuration names as secret
 * (daemon.env_file, backup.passphrase_file, backup.identity_file) when
 * cfg is not NULL. Pure. */
int ops_homefile_secret(const struct ops_config *cfg, const char *rel);

/* Before a backup: every backup.include entry outside memory/ must not
 * name what ops owns or lie under backup.dir, and, when the archive is
 * not encrypted, must not name secrets. -1 with an OPS_E_USAGE error
 * naming the entry. */
int ops_homefile_check_include(const struct ops_config *cfg, int encrypted,
    struct ops_err *err);

/* The same for one file (rel) that entry pattern matched: a glob such as
 * "*" may reach a secret its text does not show. */
int ops_homefile_check_file(const struct ops_config *cfg, const char *pattern,
    const char *rel, int encrypted, struct ops_err *err);

/* Before a restore touches anything: rel can be put in place in home
 * (every directory on the way a real one, or missing), and what is at
 * its place now is not a directory. *exists: something is there now. */
int ops_homefile_plan(const char *home, const char *rel, int *exists,
    struct ops_err *err);

/* Put staging/rel (the file with inode ino on device dev) at home/rel,
 * moving what is there to aside/rel first (aside created if missing).
 * Done already (home/rel is that inode): 0. */
int ops_homefile_forward(const char *home, const char *staging, const char *aside,
    const char *rel, unsigned long long dev, unsigned long long ino,
    struct ops_err *err);

/* Undo it: when home/rel is the restored file (dev, ino), aside/rel goes
 * back in its place (or, when there was none, the restored file is
 * removed); when home/rel is missing, aside/rel goes back. Anything else
 * at home/rel is not ours and stays. */
int ops_homefile_back(const char *home, const char *aside, const char *rel,
    unsigned long long dev, unsigned long long ino, struct ops_err *err);

/* --to: move from/rel to to/rel (directories made), never replacing a
 * file. */
int ops_homefile_move(const char *from, const char *to, const char *rel,
    struct ops_err *err);

#endif
