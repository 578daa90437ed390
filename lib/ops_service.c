#include "ops_service.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "ops_daemon.h"
#include "ops_fs.h"
#include "ops_proc.h"
#include "ops_run.h"
#include "ops_time.h"

static void
nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- where the unit lives -------------------------------------------- */

enum ops_manager
ops_service_native(void)
{
#ifdef __APPLE__
	return OPS_MGR_LAUNCHD;
#else
	return OPS_MGR_SYSTEMD;
#endif
}

static const char *
user_home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] == '/')
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : NULL;
}

static const char *
user_name(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw && pw->pw_name ? pw->pw_name : NULL;
}

/* $XDG_CONFIG_HOME/systemd/user or ~/Library/LaunchAgents */
static int
unit_dir(enum ops_manager m, char *buf, size_t len, struct ops_err *err)
{
	const char *home = user_home(), *xdg = getenv("XDG_CONFIG_HOME");
	int n;

	if (m == OPS_MGR_DIRECT)
		return ops_err_set(err, OPS_E_USAGE, "no service manager");
	if (home == NULL)
		return ops_err_set(err, OPS_E_FAIL, "unable to find your home directory");
	if (m == OPS_MGR_LAUNCHD)
		n = snprintf(buf, len, "%s/Library/LaunchAgents", home);
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/systemd/user", xdg);
	else
		n = snprintf(buf, len, "%s/.config/systemd/user", home);
	if (n < 0 || (size_t)n >= len)
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", home);
	return 0;
}

/* The unit named stem + tag: a name and the file beside the others. */
static int
unit_named(enum ops_manager m, const char *stem, const char *tag, struct ops_unit *u,
    struct ops_err *err)
{
	char dir[PATH_MAX];
	int n;

	memset(u, 0, sizeof(*u));
	u->m = m;
	if (unit_dir(m, dir, sizeof(dir), err) < 0)
		return -1;
	snprintf(u->name, sizeof(u->name), m == OPS_MGR_LAUNCHD ? "com.dharmic.%s%s" :
	    "dharmic-%s%s.service", stem, tag);
	n = snprintf(u->path, sizeof(u->path), "%s/%s%s", dir, u->name,
	    m == OPS_MGR_LAUNCHD ? ".plist" : "");
	if (n < 0 || (size_t)n >= sizeof(u->path))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", dir);
	return 0;
}

int
ops_service_unit(enum ops_manager m, enum ops_unit_kind k, const char *home,
    struct ops_unit *u, struct ops_err *err)
{
	struct sha256_ctx h;
	unsigned char md[SHA256_DIGEST_SIZE];
	char tag[16];

	if (home == NULL || home[0] != '/')
		return ops_err_set(err, OPS_E_USAGE, "the home must be an absolute path");
	/* Nettle's SHA-256 (the same digest as OpenSSL's): ops-dashboard reaches
	 * this through its restarts check and must not link OpenSSL, to keep its
	 * server small; nettle is loaded there anyway, under GnuTLS. */
	sha256_init(&h);
	sha256_update(&h, strlen(home), (const uint8_t *)home);
	sha256_digest(&h, sizeof(md), md);
	/* launchd labels are reverse-DNS: '.'; systemd names: '-' */
	snprintf(tag, sizeof(tag), "%c%02x%02x%02x%02x%02x", m == OPS_MGR_LAUNCHD ? '.' :
	    '-', md[0], md[1], md[2], md[3], md[4]);
	return unit_named(m, k == OPS_UNIT_DASHBOARD ? "dashboard" : "agent", tag, u, err);
}

int
ops_service_legacy_unit(enum ops_manager m, struct ops_unit *u, struct ops_err *err)
{
	return unit_named(m, "agent", "", u, err);
}

/* Undo unit_word on an Environment= value: quotes and '\\', then "%%".
 * -1 when it does not fit in len (a cut home would be another home). */
static int
unword(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0, i;
	int quoted = n > 0 && s[0] == '"';

	for (i = quoted; i < n && o + 1 < len; i++) {
		if (quoted && s[i] == '"')
			break;
		if (quoted && s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '%' && i + 1 < n && s[i + 1] == '%')
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return i < n && !(quoted && s[i] == '"') ? -1 : 0;
}

/* Undo xml() on a plist <string>; -1 when it does not fit in len. */
static int
unxml(const char *s, size_t n, char *out, size_t len)
{
	static const char *const ent[][2] = { { "&amp;", "&" }, { "&lt;", "<" },
		{ "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" } };
	size_t o = 0, i;

	for (i = 0; i < n && o + 1 < len; i++) {
		size_t k = 0;

		while (s[i] == '&' && k < 5 && strncmp(s + i, ent[k][0], strlen(ent[k][0])))
			k++;
		if (s[i] == '&' && k < 5) {
			out[o++] = ent[k][1][0];
			i += strlen(ent[k][0]) - 1;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return i < n ? -1 : 0;
}

int
ops_service_unit_home_text(enum ops_manager m, const char *text, char *home,
    size_t len)
{
	static const char key[] = "<key>DHARMIC_HOME</key><string>";
	const char *p, *q;

	if (len == 0)
		return 0;
	home[0] = '\0';
	if (m == OPS_MGR_LAUNCHD) {
		if ((p = strstr(text, key)) != NULL &&
		    (q = strstr(p += sizeof(key) - 1, "</string>")) != NULL &&
		    unxml(p, (size_t)(q - p), home, len) == 0 && home[0] == '/')
			return 1;
		home[0] = '\0';
		return 0;
	}
	/* the line install wrote: Environment=DHARMIC_HOME=... (maybe quoted) */
	for (p = text; p != NULL && *p; p = (q = strchr(p, '\n')) ? q + 1 : NULL) {
		size_t l = strcspn(p, "\n");

		if (strncmp(p, "Environment=", 12) != 0)
			continue;
		if (unword(p + 12, l - 12, home, len) == 0 &&
		    strncmp(home, "DHARMIC_HOME=/", 14) == 0) {
			memmove(home, home + 13, strlen(home + 13) + 1);
			return 1;
		}
		home[0] = '\0';
	}
	return 0;
}

int
ops_service_unit_home(const struct ops_unit *u, char *home, size_t len,
    struct ops_err *err)
{
	char *text = NULL;
	size_t n = 0;
	int rc;

	if (len > 0)
		home[0] = '\0';
	if (access(u->path, F_OK) != 0)
		return 0;
	if (ops_fs_read_file(u->path, 1 << 16, &text, &n, err) < 0)
		return -1;
	rc = ops_service_unit_home_text(u->m, text, home, len);
	free(text);
	return rc;
}

enum ops_manager
ops_service_manager(const char *home, struct ops_unit *u)
{
	enum ops_manager m = ops_service_native();
	struct ops_unit own = { .m = OPS_MGR_DIRECT }, *v = u ? u : &own;
	char named[PATH_MAX];

	if (ops_service_unit(m, OPS_UNIT_AGENT, home, v, NULL) == 0 &&
	    access(v->path, F_OK) == 0)
		return m;
	if (ops_service_legacy_unit(m, v, NULL) == 0 &&
	    ops_service_unit_home(v, named, sizeof(named), NULL) == 1 &&
	    strcmp(named, home) == 0)
		return m;
	v->m = OPS_MGR_DIRECT;
	return OPS_MGR_DIRECT;
}

/* An agent unit's file name, of any home or the legacy one. */
static int
agent_file(enum ops_manager m, const char *f)
{
	const char *pre = m == OPS_MGR_LAUNCHD ? "com.dharmic.agent" : "dharmic-agent";
	const char *suf = m == OPS_MGR_LAUNCHD ? ".plist" : ".service";
	size_t lp = strlen(pre), ls = strlen(suf), n = strlen(f);

	if (n < lp + ls || strncmp(f, pre, lp) != 0 || strcmp(f + n - ls, suf) != 0)
		return 0;
	if (n == lp + ls)
		return 1;
	if (n != lp + 11 + ls || f[lp] != (m == OPS_MGR_LAUNCHD ? '.' : '-'))
		return 0;
	for (size_t i = lp + 1; i < lp + 11; i++)
		if (!isxdigit((unsigned char)f[i]))
			return 0;
	return 1;
}

int
ops_service_homes(enum ops_manager m, struct ops_strv *homes, struct ops_err *err)
{
	struct ops_unit u;
	struct dirent *d;
	char dir[PATH_MAX], home[PATH_MAX];
	DIR *dp;
	int rc = 0;

	if (unit_dir(m, dir, sizeof(dir), err) < 0)
		return -1;
	if ((dp = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : ops_err_sys(err, errno, "unable to read '%s'", dir);
	while (rc == 0 && (d = readdir(dp)) != NULL) {
		int dup = 0;

		if (!agent_file(m, d->d_name))
			continue;
		memset(&u, 0, sizeof(u));
		u.m = m;
		if (snprintf(u.path, sizeof(u.path), "%s/%s", dir, d->d_name) >=
		    (int)sizeof(u.path) || ops_service_unit_home(&u, home, sizeof(home),
		    NULL) != 1)
			continue;
		for (size_t i = 0; i < homes->n; i++)
			dup |= strcmp(homes->v[i], home) == 0;
		if (!dup && ops_strv_push(homes, home) < 0)
			rc = ops_err_sys(err, ENOMEM, "unable to list the units");
	}
	closedir(dp);
	ops_strv_sort(homes);
	return rc;
}

/* ---- talking to the manager ------------------------------------------ */

/* Run a manager command; 0 when it exited 0, else -1 with its first line
 * of output in err. out (may be NULL) gets the output. */
static int
manager(char *const argv[], double timeout, struct ops_buf *out,
    struct ops_err *err)
{
	struct ops_run_result rr;
	struct ops_buf cmd = OPS_BUF_INIT;
	int rc = -1;

	/* the service manager starts the agent: its group is not ours to kill */
	if (ops_run_ex(argv, NULL, NULL, timeout, 16384, OPS_RUN_LEAVE_GROUP, &rr,
	    err) < 0)
		return -1;
	if (out) {
		ops_buf_reset(out);
		ops_buf_add(out, rr.output, rr.output_len);
	}
	for (size_t i = 0; argv[i]; i++)
		ops_buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
	rr.output[strcspn(rr.output, "\n")] = '\0';
	if (rr.timed_out)
		ops_err_set(err, OPS_E_FAIL, "%s: timed out after %.0fs", ops_buf_str(&cmd),
		    timeout);
	else if (!rr.exited || rr.status != 0)
		ops_err_set(err, OPS_E_FAIL, "%s failed (%s %d)%s%s", ops_buf_str(&cmd),
		    rr.exited ? "exit" : "signal", rr.status, rr.output[0] ? ": " : "",
		    rr.output);
	else
		rc = 0;
	ops_buf_release(&cmd);
	ops_run_result_release(&rr);
	return rc;
}

/* What can be asked of a manager, and how each says it. "@" words are
 * filled in: the unit, the launchd domain gui/UID, the service
 * gui/UID/LABEL, the plist path. */
enum ask { ASK_START, ASK_STOP, ASK_KILL, ASK_RELOAD, ASK_ENABLE, ASK_ENABLE_NOW,
	ASK_DISABLE_NOW, ASK_MAINPID };

static const char *const systemd_words[][5] = {
	[ASK_START] = { "start", "@unit" },
	[ASK_STOP] = { "stop", "@unit" },
	[ASK_KILL] = { "kill", "--signal=SIGKILL", "@unit" },
	[ASK_RELOAD] = { "daemon-reload" },
	[ASK_ENABLE] = { "enable", "@unit" },
	[ASK_ENABLE_NOW] = { "enable", "--now", "@unit" },
	[ASK_DISABLE_NOW] = { "disable", "--now", "@unit" },
	[ASK_MAINPID] = { "show", "-p", "MainPID", "--value", "@unit" },
};

static const char *const launchd_words[][5] = {
	[ASK_START] = { "bootstrap", "@domain", "@plist" },
	[ASK_STOP] = { "bootout", "@service" },
	[ASK_KILL] = { "kill", "SIGKILL", "@service" },
	[ASK_RELOAD] = { NULL },	/* launchd reads the plist when loading it */
	[ASK_ENABLE] = { "bootstrap", "@domain", "@plist" },
	[ASK_ENABLE_NOW] = { "bootstrap", "@domain", "@plist" },
	[ASK_DISABLE_NOW] = { "bootout", "@service" },
	[ASK_MAINPID] = { "list", "@label" },
};

static int
ask(const struct ops_unit *u, enum ask a, double timeout, struct ops_buf *out,
    struct ops_err *err)
{
	const char *const *words = u->m == OPS_MGR_SYSTEMD ? systemd_words[a] :
	    launchd_words[a];
	char domain[64], service[192];
	char *argv[8];
	size_t n = 0;

	if (words[0] == NULL)
		return 0;
	if (u->m == OPS_MGR_SYSTEMD) {
		argv[n++] = "systemctl";
		argv[n++] = "--user";
	} else {
		argv[n++] = "launchctl";
		snprintf(domain, sizeof(domain), "gui/%u", (unsigned)getuid());
		snprintf(service, sizeof(service), "%s/%s", domain, u->name);
	}
	for (size_t i = 0; i < 5 && words[i]; i++)
		argv[n++] = (char *)(strcmp(words[i], "@unit") == 0 ||
		    strcmp(words[i], "@label") == 0 ? u->name :
		    strcmp(words[i], "@domain") == 0 ? domain :
		    strcmp(words[i], "@service") == 0 ? service :
		    strcmp(words[i], "@plist") == 0 ? u->path : words[i]);
	argv[n] = NULL;
	return manager(argv, timeout, out, err);
}

/* The PID the manager knows for the agent, 0 when none. */
static pid_t
main_pid(const struct ops_unit *u)
{
	enum ops_manager m = u->m;
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err e = OPS_ERR_INIT;
	const char *p = NULL;
	long pid = 0;

	if (ask(u, ASK_MAINPID, 10, &out, &e) == 0)
		p = m == OPS_MGR_SYSTEMD ? ops_buf_str(&out) :
		    strstr(ops_buf_str(&out), "\"PID\" = ");
	if (p != NULL)
		pid = strtol(p + (m == OPS_MGR_SYSTEMD ? 0 : 8), NULL, 10);
	ops_buf_release(&out);
	return pid > 1 && pid <= INT_MAX ? (pid_t)pid : 0;
}

/* After the manager was asked to start the agent: wait until it is
 * identified, writing the PID file from the manager's main PID when the
 * agent does not write one, then for a heartbeat when asked. */
static int
wait_up(const struct ops_config *cfg, const struct ops_unit *u, int heartbeat,
    double started, double deadline, pid_t *pidp, struct ops_err *err)
{
	struct ops_procinfo pi;
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX], text[32];
	pid_t mp;

	if (ops_config_path(cfg, cfg->daemon.pid_file, path, sizeof(path), err) < 0)
		return -1;
	for (;;) {
		if (ops_daemon_status(cfg, &pi, &e) == 1)
			break;
		mp = main_pid(u);
		if (mp > 0 && ops_proc_identify(mp, cfg->daemon.match, 0, &pi, &e) == 1) {
			snprintf(text, sizeof(text), "%d\n", (int)mp);
			if (ops_fs_write_atomic(path, text, strlen(text), err) < 0)
				return -1;
			break;
		}
		if (ops_time_mono() >= deadline)
			return ops_err_set(err, OPS_E_FAIL, "the agent did not come up within "
			    "%.0fs: %s (see `%s %s`)", cfg->daemon.start_timeout, e.msg,
			    u->m == OPS_MGR_SYSTEMD ? "systemctl --user status" :
			    "launchctl print gui/UID/", u->name);
		nap(0.2);
	}
	*pidp = pi.pid;
	if (heartbeat)
		return ops_daemon_wait_healthy(cfg, started,
		    fmax(0, deadline - ops_time_mono()), err);
	return 0;
}

/* ---- start / stop / restart ------------------------------------------ */

static const char *
via(const struct ops_unit *u, char *buf, size_t len)
{
	if (u->m == OPS_MGR_DIRECT)
		return "";
	snprintf(buf, len, " (%s %s)", u->m == OPS_MGR_SYSTEMD ? "systemd user unit" :
	    "LaunchAgent", u->name);
	return buf;
}

int
ops_service_start(const struct ops_config *cfg, const struct ops_service_opts *o,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_unit u;
	enum ops_manager m = ops_service_manager(cfg->home, &u);
	struct ops_daemon_start_opts so = { o->wait_heartbeat, 0 };
	char vb[160];
	struct ops_procinfo pi;
	struct ops_err e = OPS_ERR_INIT;
	double started = ops_time_real();
	double deadline = ops_time_mono() + cfg->daemon.start_timeout;
	pid_t pid = 0;

	if (ops_daemon_status(cfg, &pi, &e) == 1)
		return ops_err_set(err, OPS_E_FAIL, "the agent is already running (pid %d)",
		    (int)pi.pid);
	if (m == OPS_MGR_DIRECT ? ops_daemon_start(cfg, &so, &pid, err) < 0 :
	    ask(&u, ASK_START, cfg->daemon.start_timeout + 30, NULL, err) < 0 ||
	    wait_up(cfg, &u, o->wait_heartbeat, started, deadline, &pid, err) < 0)
		return -1;
	ops_buf_printf(msg, "started the agent (pid %d)%s%s\n", (int)pid,
	    o->wait_heartbeat ? ", heartbeat seen" : "", via(&u, vb, sizeof(vb)));
	return 0;
}

/* Ask the manager to stop the unit; with force, kill it when that fails. */
static int
manager_stop(const struct ops_config *cfg, const struct ops_unit *u, int force,
    struct ops_err *err)
{
	double t = cfg->daemon.stop_timeout + 30;

	if (ask(u, ASK_STOP, t, NULL, err) == 0)
		return 0;
	if (!force || ask(u, ASK_KILL, t, NULL, err) < 0)
		return -1;
	return ask(u, ASK_STOP, t, NULL, err);
}

int
ops_service_stop(const struct ops_config *cfg, const struct ops_service_opts *o,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_unit u;
	enum ops_manager m = ops_service_manager(cfg->home, &u);
	struct ops_procinfo pi;
	struct ops_err e = OPS_ERR_INIT, me = OPS_ERR_INIT;
	char path[PATH_MAX], vb[160];
	int running, had_file, was = 0;

	if (ops_config_path(cfg, cfg->daemon.pid_file, path, sizeof(path), err) < 0)
		return -1;
	running = ops_daemon_status(cfg, &pi, &e) == 1;
	if (!running && m != OPS_MGR_DIRECT) {
		/* the manager may know it when the agent writes no PID file */
		pid_t mp = main_pid(&u);

		running = mp > 0 && ops_proc_identify(mp, cfg->daemon.match, 0, &pi,
		    NULL) == 1;
	}
	had_file = access(path, F_OK) == 0;
	/* A manager that fails is an error only if the agent still runs. */
	if (m != OPS_MGR_DIRECT && manager_stop(cfg, &u, o->force, &me) < 0 &&
	    ops_daemon_status(cfg, NULL, &e) == 1) {
		if (err)
			*err = me;
		return -1;
	}
	/* Whatever the manager did: an agent started by hand, or a PID file
	 * left behind, is dealt with directly (identified PIDs only). */
	if (ops_daemon_stop(cfg, o->force, &was, err) < 0)
		return -1;
	if (running)
		ops_buf_printf(msg, "stopped the agent (pid %d)%s\n", (int)pi.pid,
		    via(&u, vb, sizeof(vb)));
	else if (had_file && access(path, F_OK) != 0)
		ops_buf_printf(msg, "the agent was not running (%s); removed the stale PID "
		    "file %s\n", e.msg, ops_fs_rel(cfg->home, path));
	else
		ops_buf_printf(msg, "the agent was not running\n");
	return 0;
}

int
ops_service_restart(const struct ops_config *cfg, const struct ops_service_opts *o,
    struct ops_buf *msg, struct ops_err *err)
{
	if (ops_service_stop(cfg, o, msg, err) < 0 ||
	    ops_service_start(cfg, o, msg, err) < 0)
		return -1;
	return ops_daemon_log_restart(cfg, o->reason ? o->reason : "manual", err);
}

/* ---- the unit -------------------------------------------------------- */

static int
has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* One word for a systemd setting: '%' is a specifier and '$' (in
 * ExecStart) a variable, so both are doubled; quoted when it must be. */
static int
unit_word(struct ops_buf *b, const char *s, int exec, struct ops_err *err)
{
	int quote = *s == '\0' || strpbrk(s, " \t\"'\\;") != NULL;

	if (has_ctl(s))
		return ops_err_set(err, OPS_E_USAGE,
		    "'%s' holds a control character: cannot be written in a unit", s);
	if (quote)
		ops_buf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			ops_buf_add(b, "\\", 1);
		else if (*s == '%' || (exec && *s == '$'))
			ops_buf_add(b, s, 1);
		ops_buf_add(b, s, 1);
	}
	if (quote)
		ops_buf_add(b, "\"", 1);
	return 0;
}

int
ops_service_unit_word(struct ops_buf *b, const char *s, int exec, struct ops_err *err)
{
	return unit_word(b, s, exec, err);
}

/* A path setting (not unquoted by systemd): only '%' is special. */
static int
unit_path(struct ops_buf *b, const char *s, struct ops_err *err)
{
	if (has_ctl(s))
		return ops_err_set(err, OPS_E_USAGE,
		    "'%s' holds a control character: cannot be written in a unit", s);
	for (; *s; s++) {
		if (*s == '%')
			ops_buf_add(b, "%", 1);
		ops_buf_add(b, s, 1);
	}
	return 0;
}

static void
xml(struct ops_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': ops_buf_puts(b, "&amp;"); break;
		case '<': ops_buf_puts(b, "&lt;"); break;
		case '>': ops_buf_puts(b, "&gt;"); break;
		case '"': ops_buf_puts(b, "&quot;"); break;
		case '\'': ops_buf_puts(b, "&apos;"); break;
		default: ops_buf_add(b, s, 1);
		}
	}
}

/* daemon.command with absolute paths: the program found in PATH (or
 * against the workdir), arguments naming files in the workdir made
 * absolute. */
static int
abs_command(const struct ops_config *cfg, const char *workdir, struct ops_strv *out,
    struct ops_err *err)
{
	const char *prog = cfg->daemon.command.v[0], *path = getenv("PATH");
	char buf[PATH_MAX];
	int found = 0;

	if (strchr(prog, '/') != NULL) {
		if (ops_path_join(buf, sizeof(buf), workdir, prog, err) < 0)
			return -1;
		found = access(buf, X_OK) == 0;
	} else {
		for (const char *p = path ? path : "/usr/bin:/bin"; !found && *p; ) {
			size_t n = strcspn(p, ":");
			char dir[PATH_MAX];

			if (n > 0 && n < sizeof(dir) && p[0] == '/') {
				memcpy(dir, p, n);
				dir[n] = '\0';
				if (ops_path_join(buf, sizeof(buf), dir, prog, err) < 0)
					return -1;
				found = access(buf, X_OK) == 0;
			}
			p += n + (p[n] == ':');
		}
	}
	if (!found)
		return ops_err_set(err, OPS_E_USAGE, "daemon.command: '%s' %s", prog,
		    strchr(prog, '/') ? "is not an executable file" : "not found in PATH");
	if (ops_strv_push(out, buf) < 0)
		return ops_err_sys(err, ENOMEM, "unable to render the unit");
	for (size_t i = 1; i < cfg->daemon.command.n; i++) {
		const char *a = cfg->daemon.command.v[i];
		struct stat st;

		if (a[0] != '-' && a[0] != '/' && strchr(a, '=') == NULL &&
		    ops_path_join(buf, sizeof(buf), workdir, a, NULL) == 0 &&
		    stat(buf, &st) == 0)
			a = buf;
		if (ops_strv_push(out, a) < 0)
			return ops_err_sys(err, ENOMEM, "unable to render the unit");
	}
	return 0;
}

struct unit_paths {
	char workdir[PATH_MAX], envfile[PATH_MAX], out[PATH_MAX], errlog[PATH_MAX];
};

static int
paths(const struct ops_config *cfg, struct unit_paths *p, struct ops_err *err)
{
	size_t n;

	if (ops_config_path(cfg, cfg->daemon.workdir, p->workdir, sizeof(p->workdir),
	    err) < 0 ||
	    ops_config_path(cfg, cfg->daemon.env_file, p->envfile, sizeof(p->envfile),
	    err) < 0 ||
	    ops_config_path(cfg, "logs/daemon_stdout.log", p->out, sizeof(p->out), err) < 0 ||
	    ops_config_path(cfg, "logs/daemon_stderr.log", p->errlog, sizeof(p->errlog),
	    err) < 0)
		return -1;
	n = strlen(p->workdir);
	if (n > 2 && strcmp(p->workdir + n - 2, "/.") == 0)
		p->workdir[n - 2] = '\0';	/* the default "." is the home itself */
	return 0;
}

static int
render_systemd(const struct ops_config *cfg, const struct unit_paths *p,
    const struct ops_unit *u, const struct ops_strv *argv, struct ops_buf *b,
    struct ops_err *err)
{
	struct ops_buf env = OPS_BUF_INIT;
	int rc = -1;

	ops_buf_printf(&env, "DHARMIC_HOME=%s", cfg->home);
	ops_buf_printf(b, "# %s: written by `dharmic-ops install`, "
	    "removed by `dharmic-ops uninstall`\n"
	    "[Unit]\nDescription=Dharmic agent daemon of ", u->name);
	if (unit_path(b, cfg->home, err) < 0)
		goto out;
	ops_buf_puts(b, "\nDocumentation=man:dharmic-ops(1)\n"
	    "After=network-online.target\n"
	    "# give up after 5 failed starts in an hour (see `dharmic-ops troubleshoot`)\n"
	    "StartLimitIntervalSec=3600\nStartLimitBurst=5\n\n"
	    "[Service]\nType=simple\nWorkingDirectory=");
	if (unit_path(b, p->workdir, err) < 0)
		goto out;
	ops_buf_puts(b, "\nEnvironment=");
	if (unit_word(b, ops_buf_str(&env), 0, err) < 0)
		goto out;
	ops_buf_puts(b, "\nEnvironmentFile=-");
	if (unit_path(b, p->envfile, err) < 0)
		goto out;
	ops_buf_puts(b, "\nExecStart=");
	for (size_t i = 0; i < argv->n; i++) {
		if (i)
			ops_buf_add(b, " ", 1);
		if (unit_word(b, argv->v[i], 1, err) < 0)
			goto out;
	}
	ops_buf_printf(b, "\nRestart=on-failure\nRestartSec=60\nTimeoutStopSec=%.0f\n"
	    "UMask=0077\nStandardInput=null\nStandardOutput=append:",
	    ceil(cfg->daemon.stop_timeout));
	if (unit_path(b, p->out, err) < 0)
		goto out;
	ops_buf_puts(b, "\nStandardError=append:");
	if (unit_path(b, p->errlog, err) < 0)
		goto out;
	ops_buf_puts(b, "\n\n[Install]\nWantedBy=default.target\n");
	rc = 0;
out:
	ops_buf_release(&env);
	return rc;
}

static void
plist_string(struct ops_buf *b, const char *s)
{
	ops_buf_puts(b, "<string>");
	xml(b, s);
	ops_buf_puts(b, "</string>");
}

static void
render_launchd(const struct ops_config *cfg, const struct unit_paths *p,
    const struct ops_unit *u, const struct ops_strv *argv, struct ops_buf *b)
{
	ops_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	    "<!-- written by `dharmic-ops install`, removed by `dharmic-ops uninstall` -->\n"
	    "<plist version=\"1.0\">\n<dict>\n"
	    "\t<key>Label</key>");
	plist_string(b, u->name);
	ops_buf_puts(b, "\n\t<key>ProgramArguments</key>\n\t<array>\n");
	/* launchd has no env file: a shell loads it, then execs the agent with
	 * its arguments untouched ($1 the file, the rest the command). */
	static const char *const sh[] = { "/bin/sh", "-c",
		"set -a; if [ -f \"$1\" ]; then . \"$1\"; fi; set +a; shift; exec \"$@\"",
		"dharmic-agent" };
	for (size_t i = 0; i < 4; i++) {
		ops_buf_puts(b, "\t\t");
		plist_string(b, sh[i]);
		ops_buf_puts(b, "\n");
	}
	ops_buf_puts(b, "\t\t");
	plist_string(b, p->envfile);
	ops_buf_puts(b, "\n");
	for (size_t i = 0; i < argv->n; i++) {
		ops_buf_puts(b, "\t\t");
		plist_string(b, argv->v[i]);
		ops_buf_puts(b, "\n");
	}
	ops_buf_puts(b, "\t</array>\n\t<key>WorkingDirectory</key>");
	plist_string(b, p->workdir);
	ops_buf_puts(b, "\n\t<key>EnvironmentVariables</key>\n\t<dict>\n"
	    "\t\t<key>DHARMIC_HOME</key>");
	plist_string(b, cfg->home);
	ops_buf_puts(b, "\n\t</dict>\n\t<key>RunAtLoad</key><true/>\n"
	    "\t<key>KeepAlive</key><true/>\n"
	    "\t<key>ThrottleInterval</key><integer>60</integer>\n"
	    "\t<key>Umask</key><integer>63</integer>\n"
	    "\t<key>StandardOutPath</key>");
	plist_string(b, p->out);
	ops_buf_puts(b, "\n\t<key>StandardErrorPath</key>");
	plist_string(b, p->errlog);
	ops_buf_puts(b, "\n</dict>\n</plist>\n");
}

int
ops_service_render(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *out, struct ops_err *err)
{
	struct ops_strv argv = OPS_STRV_INIT;
	struct ops_unit u;
	struct unit_paths *p;
	int rc = -1;

	if (ops_service_unit(m, OPS_UNIT_AGENT, cfg->home, &u, err) < 0)
		return -1;
	p = malloc(sizeof(*p));
	if (p == NULL)
		return ops_err_sys(err, ENOMEM, "unable to render the unit");
	ops_buf_reset(out);
	if (paths(cfg, p, err) < 0 || abs_command(cfg, p->workdir, &argv, err) < 0)
		goto out;
	if (m == OPS_MGR_LAUNCHD)
		render_launchd(cfg, p, &u, &argv, out);
	else if (render_systemd(cfg, p, &u, &argv, out, err) < 0)
		goto out;
	if (out->oom) {
		ops_err_sys(err, ENOMEM, "unable to render the unit");
		goto out;
	}
	rc = 0;
out:
	ops_strv_release(&argv);
	free(p);
	return rc;
}

/* ---- install / uninstall --------------------------------------------- */

static int
parent_dirs(const char *path, struct ops_err *err)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return ops_fs_mkdirs(dir, err);
}

static void
linger_hint(struct ops_buf *msg)
{
	const char *user = user_name();
	char path[PATH_MAX];

	if (user == NULL)
		return;
	snprintf(path, sizeof(path), "/var/lib/systemd/linger/%s", user);
	if (access(path, F_OK) != 0)
		ops_buf_printf(msg, "hint: to keep the agent running when you log out: "
		    "loginctl enable-linger %s\n", user);
}

static int
install_systemd(const struct ops_config *cfg, const struct ops_unit *u,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procinfo pi;
	int running = ops_daemon_status(cfg, &pi, &e) == 1;

	if (ask(u, ASK_RELOAD, 60, NULL, &e) < 0) {
		ops_buf_printf(msg, "systemctl --user is not available here (%s)\n"
		    "to use the unit later: systemctl --user daemon-reload && "
		    "systemctl --user enable --now %s\n", e.msg, u->name);
		linger_hint(msg);
		return 0;
	}
	/* enable --now next to an agent started by hand would start a second
	 * one: enable only, and say how to hand it over. */
	if (ask(u, running ? ASK_ENABLE : ASK_ENABLE_NOW, 60, NULL, err) < 0)
		return -1;
	if (running)
		ops_buf_printf(msg, "enabled %s; the agent (pid %d) runs "
		    "outside systemd: `dharmic-ops restart` hands it over\n", u->name,
		    (int)pi.pid);
	else
		ops_buf_printf(msg, "enabled and started %s\n", u->name);
	linger_hint(msg);
	return 0;
}

/* Disable, stop and remove a unit file; a manager that does not answer is
 * only noted. */
static int
remove_unit(const struct ops_config *cfg, const struct ops_unit *u,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_err e = OPS_ERR_INIT;

	if (ask(u, ASK_DISABLE_NOW, cfg->daemon.stop_timeout + 60, NULL, &e) < 0)
		ops_buf_printf(msg, "note: %s\n", e.msg);
	if (unlink(u->path) < 0)
		return ops_err_sys(err, errno, "unable to remove '%s'", u->path);
	if (ops_fs_fsync_dir(u->path, 0, err) < 0)
		return -1;
	ops_err_clear(&e);
	ask(u, ASK_RELOAD, 60, NULL, &e);
	ops_buf_printf(msg, "removed %s\n", u->path);
	return 0;
}

/* The unit of one user from before units were named per home: removed
 * when it runs this home (its own unit replaces it), else left alone. */
static int
migrate_legacy(const struct ops_config *cfg, enum ops_manager m, struct ops_buf *msg,
    struct ops_err *err)
{
	struct ops_unit old;
	char named[PATH_MAX];
	int r;

	if (ops_service_legacy_unit(m, &old, err) < 0)
		return -1;
	if ((r = ops_service_unit_home(&old, named, sizeof(named), err)) < 0)
		return -1;
	if (r == 0 || strcmp(named, cfg->home) != 0)
		return 0;
	ops_buf_printf(msg, "migrating %s (one unit per user, from before each home "
	    "had its own)\n", old.name);
	return remove_unit(cfg, &old, msg, err);
}

int
ops_service_install(const struct ops_config *cfg, enum ops_manager m, int print,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_buf unit = OPS_BUF_INIT;
	struct ops_unit u;
	int rc = -1;

	if (ops_service_render(cfg, m, &unit, err) < 0)
		goto out;
	if (print) {
		ops_buf_puts(msg, ops_buf_str(&unit));
		rc = 0;
		goto out;
	}
	if (ops_service_unit(m, OPS_UNIT_AGENT, cfg->home, &u, err) < 0 ||
	    migrate_legacy(cfg, m, msg, err) < 0 ||
	    parent_dirs(u.path, err) < 0 ||
	    ops_fs_write_atomic(u.path, unit.s, unit.len, err) < 0)
		goto out;
	ops_buf_printf(msg, "wrote %s\n", u.path);
	if (m == OPS_MGR_SYSTEMD) {
		rc = install_systemd(cfg, &u, msg, err);
		goto out;
	}
	if (ask(&u, ASK_ENABLE_NOW, 60, NULL, err) < 0)
		goto out;
	ops_buf_printf(msg, "loaded %s into launchd\n", u.name);
	rc = 0;
out:
	ops_buf_release(&unit);
	return rc;
}

int
ops_service_uninstall(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_unit u, old;
	char named[PATH_MAX];

	if (ops_service_unit(m, OPS_UNIT_AGENT, cfg->home, &u, err) < 0)
		return -1;
	if (access(u.path, F_OK) == 0)
		return remove_unit(cfg, &u, msg, err);
	/* not yet migrated: the legacy unit, when it runs this home */
	if (ops_service_legacy_unit(m, &old, err) < 0)
		return -1;
	if (ops_service_unit_home(&old, named, sizeof(named), NULL) == 1 &&
	    strcmp(named, cfg->home) == 0)
		return remove_unit(cfg, &old, msg, err);
	ops_buf_printf(msg, "no unit installed (%s)\n", u.path);
	return 0;
}
