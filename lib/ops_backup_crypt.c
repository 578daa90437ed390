#include "ops_backup_crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_time.h"

#define SECRET_MAX	(64 * 1024)

static int
resolve(const struct ops_config *cfg, const char *path, char *buf, size_t len,
    struct ops_err *err)
{
	return ops_path_join(buf, len, cfg->home, path, err);
}

static void
wipe_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, len);
	free(s);
}

int
ops_secret_file_read(const char *path, const char *what, char **out, size_t *len,
    struct ops_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno == ELOOP ? 0 : errno,
		    errno == ELOOP ? "refusing the %s '%s': it is a symlink" :
		    "unable to open the %s '%s'", what, path);
	if (fstat(fd, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", path);
		goto out;
	}
	/* Checked before a byte is read: like ssh and doas, a secret others
	 * can read (or replace) is refused, not used. */
	if (!S_ISREG(st.st_mode)) {
		ops_err_set(err, OPS_E_USAGE, "the %s '%s' is not a regular file", what, path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		ops_err_set(err, OPS_E_USAGE, "refusing the %s '%s': it is not owned by "
		    "this user (uid %ld)", what, path, (long)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		ops_err_set(err, OPS_E_USAGE, "refusing the %s '%s': mode %04o lets others "
		    "read or write it (chmod 600 '%s')", what, path,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size > SECRET_MAX) {
		ops_err_set(err, OPS_E_USAGE, "the %s '%s' is too large", what, path);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		ops_err_sys(err, errno, "unable to read '%s'", path);
		goto out;
	}
	if (ops_fs_read_full(fd, path, buf, (size_t)st.st_size, &got, err) < 0)
		goto out;
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	wipe_free(buf, (size_t)st.st_size + 1);
	close(fd);
	return rc;
}

/* The passphrase: the environment, else the first line of the file. NULL
 * in *pass when none is configured. */
static int
passphrase(const struct ops_config *cfg, char **pass, struct ops_err *err)
{
	const char *env = getenv(OPS_PASSPHRASE_ENV);
	char path[PATH_MAX], *text = NULL;
	size_t len = 0, n;

	*pass = NULL;
	if (env != NULL && env[0] != '\0') {
		if ((*pass = strdup(env)) == NULL)
			return ops_err_sys(err, errno, "out of memory");
		return 0;
	}
	if (cfg->backup.passphrase_file == NULL || cfg->backup.passphrase_file[0] == '\0')
		return 0;
	if (resolve(cfg, cfg->backup.passphrase_file, path, sizeof(path), err) < 0 ||
	    ops_secret_file_read(path, "passphrase file", &text, &len, err) < 0)
		return -1;
	n = strcspn(text, "\r\n");
	if (n == 0 || memchr(text, '\0', len) != NULL) {
		wipe_free(text, len);
		return ops_err_set(err, OPS_E_USAGE, "the passphrase file '%s' holds no "
		    "passphrase on its first line", path);
	}
	text[n] = '\0';
	if ((*pass = strdup(text)) == NULL) {
		wipe_free(text, len);
		return ops_err_sys(err, errno, "out of memory");
	}
	wipe_free(text, len);
	return 0;
}

int
ops_backup_recipients(const struct ops_config *cfg, struct ops_age_recipients *r,
    int *encrypt, struct ops_err *err)
{
	char *pass = NULL;
	int rc = -1;

	*encrypt = 0;
	if (passphrase(cfg, &pass, err) < 0)
		return -1;
	if (pass != NULL && cfg->backup.encrypt_to.n > 0) {
		ops_err_set(err, OPS_E_USAGE, "a passphrase (%s or backup.passphrase_file) "
		    "and backup.encrypt_to are both set: age allows a passphrase only "
		    "alone", OPS_PASSPHRASE_ENV);
		goto out;
	}
	for (size_t i = 0; i < cfg->backup.encrypt_to.n; i++)
		if (ops_age_recipients_add(r, cfg->backup.encrypt_to.v[i], err) < 0) {
			ops_err_prefix(err, "backup.encrypt_to");
			goto out;
		}
	if (pass != NULL && ops_age_recipients_set_passphrase(r, pass, err) < 0)
		goto out;
	*encrypt = r->n > 0 || r->passphrase != NULL;
	rc = 0;
out:
	if (pass != NULL)
		wipe_free(pass, strlen(pass));
	return rc;
}

int
ops_backup_identities(const struct ops_config *cfg, const char *identity_file,
    struct ops_age_identities *ids, int *have, struct ops_err *err)
{
	const char *f = identity_file;
	char path[PATH_MAX], *text = NULL, *pass = NULL;
	size_t len = 0;
	int rc = -1;

	*have = 0;
	if (f == NULL || f[0] == '\0')
		f = cfg->backup.identity_file;
	if (f != NULL && f[0] != '\0') {
		/* A path given on the command line is the user's, as typed. */
		if (identity_file != NULL && identity_file[0] != '\0') {
			if (snprintf(path, sizeof(path), "%s", f) >= (int)sizeof(path))
				return ops_err_set(err, OPS_E_USAGE, "path too long: '%s'", f);
		} else if (resolve(cfg, f, path, sizeof(path), err) < 0) {
			return -1;
		}
		if (ops_secret_file_read(path, "identity file", &text, &len, err) < 0)
			goto out;
		if (ops_age_identities_parse(ids, text, len, err) < 0) {
			ops_err_prefix(err, "identity file '%s'", path);
			goto out;
		}
	}
	if (passphrase(cfg, &pass, err) < 0)
		goto out;
	if (pass != NULL && ops_age_identities_add_passphrase(ids, pass, err) < 0)
		goto out;
	*have = ids->nkeys > 0 || ids->npass > 0;
	rc = 0;
out:
	wipe_free(text, len);
	if (pass != NULL)
		wipe_free(pass, strlen(pass));
	return rc;
}

int
ops_backup_identity_arg(struct ops_config *cfg, const char *file, struct ops_err *err)
{
	char abs[PATH_MAX], *p;

	if (realpath(file, abs) == NULL)
		return ops_err_sys(err, errno, "unable to open the identity file '%s'", file);
	if ((p = strdup(abs)) == NULL)
		return ops_err_sys(err, errno, "out of memory");
	free(cfg->backup.identity_file);
	cfg->backup.identity_file = p;
	return 0;
}

int
ops_backup_keygen(char **text, char public_key[OPS_AGE_PUBLIC_LEN + 1],
    struct ops_err *err)
{
	char secret[OPS_AGE_SECRET_LEN + 1], when[64];
	size_t cap = 512;
	int n, rc = -1;

	*text = NULL;
	if (ops_age_keygen(secret, public_key, err) < 0)
		goto out;
	ops_time_iso(ops_time_now(), when, sizeof(when));
	if ((*text = malloc(cap)) == NULL) {
		ops_err_sys(err, errno, "out of memory");
		goto out;
	}
	n = snprintf(*text, cap, "# created: %s\n# public key: %s\n%s\n", when,
	    public_key, secret);
	if (n < 0 || (size_t)n >= cap) {
		wipe_free(*text, cap);
		*text = NULL;
		ops_err_set(err, OPS_E_FAIL, "unable to format the identity");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

int
ops_backup_keygen_write(const char *path, const char *text, struct ops_err *err)
{
	size_t len = strlen(text);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to create '%s'", path);
	if (ops_fs_write_all(fd, text, len) < 0 || fsync(fd) < 0) {
		ops_err_sys(err, errno, "unable to write '%s'", path);
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) < 0) {
		ops_err_sys(err, errno, "unable to write '%s'", path);
		unlink(path);
		return -1;
	}
	return ops_fs_fsync_dir(path, 0, err);
}
