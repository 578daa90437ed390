#include "ops_homefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_confine.h"
#include "ops_fs.h"
#include "ops_manifest.h"

/* ---- which files hold secrets ------------------------------------------ */

static int
ends_with_ci(const char *s, const char *sfx)
{
	size_t n = strlen(s), k = strlen(sfx);

	return n >= k && strcasecmp(s + n - k, sfx) == 0;
}

/* A configured secret file (relative to the home, or absolute and under
 * it) equal to rel. */
static int
configured(const struct ops_config *cfg, const char *path, const char *rel)
{
	size_t hl;

	if (path == NULL || path[0] == '\0')
		return 0;
	if (path[0] != '/')
		return strcmp(path, rel) == 0;
	hl = strlen(cfg->home);
	return strncmp(path, cfg->home, hl) == 0 && path[hl] == '/' &&
	    strcmp(path + hl + 1, rel) == 0;
}

int
ops_homefile_secret(const struct ops_config *cfg, const char *rel)
{
	static const char *const dirs[] = { "keys", "secrets", ".secrets", ".ssh", ".gnupg",
		".aws", NULL };
	static const char *const sfx[] = { ".key", ".pem", ".p12", ".pfx", ".jks",
		".keystore", ".env", NULL };
	static const char *const exact[] = { ".env", ".netrc", ".pgpass", "rclone.conf",
		".git-credentials", NULL };
	static const char *const words[] = { "secret", "token", "password", "passphrase",
		"credential", "wallet", NULL };
	const char *leaf = strrchr(rel, '/'), *c;

	leaf = leaf ? leaf + 1 : rel;
	/* a directory on the way */
	for (c = rel; c < leaf;) {
		size_t n = strcspn(c, "/");

		for (size_t i = 0; dirs[i]; i++)
			if (strlen(dirs[i]) == n && strncasecmp(c, dirs[i], n) == 0)
				return 1;
		c += n + 1;
	}
	for (size_t i = 0; exact[i]; i++)
		if (strcasecmp(leaf, exact[i]) == 0)
			return 1;
	if (strncasecmp(leaf, ".env.", 5) == 0)
		return 1;
	for (size_t i = 0; sfx[i]; i++)
		if (ends_with_ci(leaf, sfx[i]))
			return 1;
	/* ssh private keys: id_rsa, id_ed25519, ... (their .pub is public) */
	if (strncmp(leaf, "id_", 3) == 0 && !ends_with_ci(leaf, ".pub"))
		return 1;
	for (size_t i = 0; words[i]; i++)
		if (strcasestr(leaf, words[i]) != NULL)
			return 1;
	if (cfg != NULL && (configured(cfg, cfg->daemon.env_file, rel) ||
	    configured(cfg, cfg->backup.passphrase_file, rel) ||
	    configured(cfg, cfg->backup.identity_file, rel)))
		return 1;
	return 0;
}

/* ---- what may be backed up --------------------------------------------- */

/* 1 when rel lies under backup.dir (relative to the home): archives are
 * never archived. */
static int
under_backup_dir(const struct ops_config *cfg, const char *rel)
{
	const char *d = cfg->backup.dir;
	size_t hl = strlen(cfg->home), n;

	if (d == NULL || d[0] == '\0')
		return 0;
	if (d[0] == '/') {
		if (strncmp(d, cfg->home, hl) != 0 || d[hl] != '/')
			return 0;	/* elsewhere: no file of the home is in it */
		d += hl + 1;
	}
	n = strlen(d);
	while (n > 0 && d[n - 1] == '/')
		n--;
	return n > 0 && strncmp(rel, d, n) == 0 && (rel[n] == '/' || rel[n] == '\0');
}

static int
secret_refusal(const char *pattern, const char *rel, struct ops_err *err)
{
	if (rel == NULL || strcmp(rel, pattern) == 0)
		return ops_err_set(err, OPS_E_USAGE, "backup.include: '%s' names files that "
		    "hold secrets: they are only backed up into an encrypted archive (set "
		    "backup.encrypt_to or backup.passphrase_file), or remove the entry",
		    pattern);
	return ops_err_set(err, OPS_E_USAGE, "backup.include: '%s' matches '%s', a file "
	    "that holds secrets: it is only backed up into an encrypted archive (set "
	    "backup.encrypt_to or backup.passphrase_file), or narrow the entry",
	    pattern, rel);
}

int
ops_homefile_check_include(const struct ops_config *cfg, int encrypted,
    struct ops_err *err)
{
	for (size_t i = 0; i < cfg->backup.include.n; i++) {
		const char *p = cfg->backup.include.v[i];

		if (ops_manifest_in_memory(p))
			continue;
		/* the config load refused absolute and '..' entries already
		 * (ops_confine_pattern); this says so again for a config made
		 * in code */
		if (ops_confine_pattern(p, "backup.include", p, err) < 0)
			return -1;
		if (ops_manifest_reserved(p))
			return ops_err_set(err, OPS_E_USAGE, "backup.include: '%s' is ops' own "
			    "(the manifests, .ops/, a restore's staging or a copy set aside): it "
			    "is never backed up", p);
		if (under_backup_dir(cfg, p))
			return ops_err_set(err, OPS_E_USAGE, "backup.include: '%s' lies under "
			    "backup.dir: backups are never backed up", p);
		if (!encrypted && ops_homefile_secret(cfg, p))
			return secret_refusal(p, NULL, err);
	}
	return 0;
}

int
ops_homefile_check_file(const struct ops_config *cfg, const char *pattern,
    const char *rel, int encrypted, struct ops_err *err)
{
	if (ops_manifest_in_memory(rel))
		return 0;
	if (ops_manifest_reserved(rel) || under_backup_dir(cfg, rel))
		return ops_err_set(err, OPS_E_USAGE, "backup.include: '%s' matches '%s', "
		    "which is ops' own or a backup: it is never backed up (narrow the "
		    "entry)", pattern, rel);
	if (!encrypted && ops_homefile_secret(cfg, rel))
		return secret_refusal(pattern, rel, err);
	return 0;
}

/* ---- putting restored files in place ----------------------------------- */

/* 1 when leaf in dirfd is a regular file (not through a symlink) with
 * this device and inode. */
static int
file_is(int dirfd, const char *leaf, unsigned long long dev, unsigned long long ino)
{
	struct stat st;

	if (ino == 0 || fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* 1 when something (a symlink counts, never followed) is at leaf. */
static int
exists_at(int dirfd, const char *leaf)
{
	struct stat st;

	return fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* fsync the directory dirfd (an O_PATH descriptor) is on. */
static int
sync_dir(int dirfd, const char *shown, struct ops_err *err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open the directory of '%s'", shown);
	if (fsync(fd) < 0)
		rc = ops_err_sys(err, errno, "unable to fsync the directory of '%s'", shown);
	close(fd);
	return rc;
}

/* The root directory of a mirror of the home (aside), made when missing;
 * it must be a real directory. */
static int
make_root(const char *root, struct ops_err *err)
{
	struct stat st;

	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return ops_err_sys(err, errno, "unable to create '%s'", root);
	if (lstat(root, &st) < 0)
		return ops_err_sys(err, errno, "unable to stat '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a directory", root);
	return 0;
}

int
ops_homefile_plan(const char *home, const char *rel, int *exists, struct ops_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	int r;

	*exists = 0;
	if (ops_path_join(path, sizeof(path), home, rel, err) < 0)
		return -1;
	if ((r = ops_confine_path(home, path, err)) != 1)
		return r == 0 ? ops_err_prefix(err, "not restoring '%s'", rel) : -1;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return ops_err_sys(err, errno, "unable to stat '%s'", rel);
	}
	if (S_ISDIR(st.st_mode))
		return ops_err_set(err, OPS_E_FAIL, "'%s' is a directory in the home: not "
		    "replacing it with a file", rel);
	*exists = 1;
	return 0;
}

int
ops_homefile_forward(const char *home, const char *staging, const char *aside,
    const char *rel, unsigned long long dev, unsigned long long ino,
    struct ops_err *err)
{
	const char *hleaf, *aleaf, *sleaf;
	int hfd = -1, afd = -1, sfd = -1, rc = -1;

	hfd = ops_confine_parent_make(home, rel, &hleaf, err);
	if (hfd < 0)
		goto out;
	if (file_is(hfd, hleaf, dev, ino)) {
		rc = 0;		/* in place already (a run killed after it) */
		goto out;
	}
	/* What is there goes aside first (RENAME_NOREPLACE: an aside of a
	 * run killed half-way is never overwritten). */
	if (exists_at(hfd, hleaf)) {
		if (make_root(aside, err) < 0 ||
		    (afd = ops_confine_parent_make(aside, rel, &aleaf, err)) < 0)
			goto out;
		if (renameat2(hfd, hleaf, afd, aleaf, RENAME_NOREPLACE) < 0) {
			ops_err_sys(err, errno, "unable to set '%s' aside", rel);
			goto out;
		}
		if (sync_dir(afd, rel, err) < 0 || sync_dir(hfd, rel, err) < 0)
			goto out;
	}
	sfd = ops_confine_parent(staging, rel, &sleaf, err);
	if (sfd < 0 || !file_is(sfd, sleaf, dev, ino)) {
		ops_err_set(err, OPS_E_FAIL, "the restored '%s' is neither in place nor in "
		    "the staging directory", rel);
		goto out;
	}
	if (renameat2(sfd, sleaf, hfd, hleaf, RENAME_NOREPLACE) < 0) {
		ops_err_sys(err, errno, "unable to put the restored '%s' in place", rel);
		goto out;
	}
	if (sync_dir(hfd, rel, err) < 0)
		goto out;
	rc = 0;
out:
	if (hfd >= 0)
		close(hfd);
	if (afd >= 0)
		close(afd);
	if (sfd >= 0)
		close(sfd);
	return rc;
}

int
ops_homefile_back(const char *home, const char *aside, const char *rel,
    unsigned long long dev, unsigned long long ino, struct ops_err *err)
{
	struct ops_err ignore = OPS_ERR_INIT;
	const char *hleaf, *aleaf = NULL;
	struct stat st;
	int hfd = -1, afd = -1, have_aside, rc = -1;

	hfd = ops_confine_parent_make(home, rel, &hleaf, err);
	if (hfd < 0)
		goto out;
	/* no aside directory, or no copy in it: nothing was there before */
	if (lstat(aside, &st) == 0 && S_ISDIR(st.st_mode))
		afd = ops_confine_parent(aside, rel, &aleaf, &ignore);
	have_aside = afd >= 0 && exists_at(afd, aleaf);
	if (file_is(hfd, hleaf, dev, ino)) {
		/* the restored file is in place: the previous one replaces it
		 * in one rename, or it goes */
		if (have_aside ? renameat(afd, aleaf, hfd, hleaf) < 0 :
		    unlinkat(hfd, hleaf, 0) < 0) {
			ops_err_sys(err, errno, "unable to put the previous '%s' back", rel);
			goto out;
		}
	} else if (have_aside && !exists_at(hfd, hleaf)) {
		/* killed between setting it aside and putting the restored one
		 * in place */
		if (renameat2(afd, aleaf, hfd, hleaf, RENAME_NOREPLACE) < 0) {
			ops_err_sys(err, errno, "unable to put the previous '%s' back", rel);
			goto out;
		}
	}
	if (sync_dir(hfd, rel, err) < 0 || (afd >= 0 && sync_dir(afd, rel, err) < 0))
		goto out;
	rc = 0;
out:
	if (hfd >= 0)
		close(hfd);
	if (afd >= 0)
		close(afd);
	return rc;
}

int
ops_homefile_move(const char *from, const char *to, const char *rel, struct ops_err *err)
{
	const char *fleaf, *tleaf;
	int ffd = -1, tfd = -1, rc = -1;

	if ((ffd = ops_confine_parent(from, rel, &fleaf, err)) < 0 ||
	    (tfd = ops_confine_parent_make(to, rel, &tleaf, err)) < 0)
		goto out;
	if (renameat2(ffd, fleaf, tfd, tleaf, RENAME_NOREPLACE) < 0) {
		ops_err_sys(err, errno, "unable to move '%s' into '%s'", rel, to);
		goto out;
	}
	if (sync_dir(tfd, rel, err) < 0)
		goto out;
	rc = 0;
out:
	if (ffd >= 0)
		close(ffd);
	if (tfd >= 0)
		close(tfd);
	return rc;
}
