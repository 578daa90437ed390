/* ops_backup_crypt: the keys of encrypted backups (ops-backup(1)).
 *
 * Encrypting: backup.encrypt_to (age X25519 public keys: the host needs
 * no secret and cannot read old backups), or one passphrase, from
 * $DHARMIC_OPS_PASSPHRASE or the file backup.passphrase_file (first
 * line). Reading: the identity file given (--identity) or
 * backup.identity_file, in age-keygen's format, plus the passphrase when
 * one is configured. A passphrase or identity file must be a regular file
 * (not a symlink) of ours that no one else can read or write: anything
 * else is refused before it is read, naming the file and the fix.
 * Relative paths are relative to the home. */
#ifndef OPS_BACKUP_CRYPT_H
#define OPS_BACKUP_CRYPT_H

#include "ops_age.h"
#include "ops_config.h"
#include "ops_err.h"

#define OPS_PASSPHRASE_ENV	"DHARMIC_OPS_PASSPHRASE"

/* The recipients backups are encrypted to; *encrypt is 0 when none is
 * configured (backups are then not encrypted). r is the caller's to
 * release. */
int ops_backup_recipients(const struct ops_config *cfg,
    struct ops_age_recipients *r, int *encrypt, struct ops_err *err);

/* What opens encrypted backups: identity_file (NULL: backup.identity_file)
 * and the configured passphrase. *have is 0 when there is none at all.
 * ids is the caller's to release. */
int ops_backup_identities(const struct ops_config *cfg, const char *identity_file,
    struct ops_age_identities *ids, int *have, struct ops_err *err);

/* --identity FILE (as typed: relative to the working directory) in
 * place of backup.identity_file (relative to the home), made absolute. */
int ops_backup_identity_arg(struct ops_config *cfg, const char *file,
    struct ops_err *err);

/* A new identity in age-keygen's format ("# created: …", "# public key:
 * …", the secret key) into *text (caller wipes and frees) and its public
 * key. */
int ops_backup_keygen(char **text, char public_key[OPS_AGE_PUBLIC_LEN + 1],
    struct ops_err *err);

/* Write text to path, created mode 0600, never replacing a file (as
 * age-keygen -o refuses to). */
int ops_backup_keygen_write(const char *path, const char *text,
    struct ops_err *err);

/* Read a secret file (not a symlink, a regular file of ours, mode without
 * group/other bits) into *out (caller wipes and frees). */
int ops_secret_file_read(const char *path, const char *what, char **out,
    size_t *len, struct ops_err *err);

#endif
