/* ops_serve_unit: the service that runs `ops-dashboard serve`. */
#include "ops_serve_unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_run.h"

static void
xml(struct ops_buf *b, const char *s)
{
	ops_buf_puts(b, "<string>");
	for (; *s; s++) {
		if (*s == '&')
			ops_buf_puts(b, "&amp;");
		else if (*s == '<')
			ops_buf_puts(b, "&lt;");
		else if (*s == '>')
			ops_buf_puts(b, "&gt;");
		else
			ops_buf_add(b, s, 1);
	}
	ops_buf_puts(b, "</string>");
}

int
ops_serve_unit_render(const struct ops_config *cfg, enum ops_manager m,
    const char *bindir, struct ops_buf *out, struct ops_err *err)
{
	struct ops_buf env = OPS_BUF_INIT;
	struct ops_unit u;
	char prog[PATH_MAX];
	int rc = -1;

	ops_buf_reset(out);
	if (ops_service_unit(m, OPS_UNIT_DASHBOARD, cfg->home, &u, err) < 0 ||
	    ops_path_join(prog, sizeof(prog), bindir, "ops-dashboard", err) < 0)
		return -1;
	if (m == OPS_MGR_LAUNCHD) {
		ops_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
		    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
		    /* no "--" inside an XML comment */
		    "<!-- written by dharmic-ops install, removed by dharmic-ops uninstall"
		    " (the serve option) -->\n<plist version=\"1.0\">\n<dict>\n"
		    "\t<key>Label</key>");
		xml(out, u.name);
		ops_buf_puts(out, "\n\t<key>ProgramArguments</key>\n\t<array>\n\t\t");
		xml(out, prog);
		ops_buf_puts(out, "\n\t\t<string>--home</string>\n\t\t");
		xml(out, cfg->home);
		ops_buf_puts(out, "\n\t\t<string>serve</string>\n\t</array>\n"
		    "\t<key>RunAtLoad</key><true/>\n\t<key>KeepAlive</key><true/>\n"
		    "\t<key>ThrottleInterval</key><integer>10</integer>\n"
		    "\t<key>Umask</key><integer>63</integer>\n</dict>\n</plist>\n");
		rc = out->oom ? ops_err_sys(err, ENOMEM, "unable to render the unit") : 0;
		goto out;
	}
	ops_buf_printf(&env, "DHARMIC_HOME=%s", cfg->home);
	ops_buf_printf(out, "# %s: written by `dharmic-ops install "
	    "--serve`, removed by `dharmic-ops uninstall --serve`\n"
	    "[Unit]\nDescription=dharmic-ops dashboard and metrics (ops-dashboard serve) "
	    "of ", u.name);
	if (ops_service_unit_word(out, cfg->home, 0, err) < 0)
		goto out;
	ops_buf_puts(out, "\nDocumentation=man:ops-dashboard(1)\n\n"
	    "[Service]\nType=simple\nEnvironment=");
	if (ops_service_unit_word(out, ops_buf_str(&env), 0, err) < 0)
		goto out;
	ops_buf_puts(out, "\nExecStart=");
	if (ops_service_unit_word(out, prog, 1, err) < 0)
		goto out;
	ops_buf_puts(out, " --home ");
	if (ops_service_unit_word(out, cfg->home, 1, err) < 0)
		goto out;
	/* It only reads: no new privileges, a private /tmp, the system
	 * read-only. */
	ops_buf_puts(out, " serve\nRestart=on-failure\nRestartSec=5\nUMask=0077\n"
	    "NoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=strict\n"
	    "StandardInput=null\n\n[Install]\nWantedBy=default.target\n");
	rc = out->oom ? ops_err_sys(err, ENOMEM, "unable to render the unit") : 0;
out:
	ops_buf_release(&env);
	return rc;
}

/* systemctl --user / launchctl with these words; 0 when it exited 0. */
static int
manager(enum ops_manager m, const char *a, const char *b, const char *c,
    struct ops_err *err)
{
	char domain[64], *argv[8];
	struct ops_run_result rr;
	size_t n = 0;
	int rc = -1;

	if (m == OPS_MGR_SYSTEMD) {
		argv[n++] = "systemctl";
		argv[n++] = "--user";
	} else {
		argv[n++] = "launchctl";
		snprintf(domain, sizeof(domain), "gui/%u", (unsigned)getuid());
	}
	for (const char *w[] = { a, b, c }, **p = w; p < w + 3; p++)
		if (*p != NULL)
			argv[n++] = (char *)(strcmp(*p, "@domain") == 0 ? domain : *p);
	argv[n] = NULL;
	if (ops_run(argv, NULL, NULL, 60, 4096, &rr, err) < 0)
		return -1;
	if (rr.exited && rr.status == 0)
		rc = 0;
	else
		ops_err_set(err, OPS_E_FAIL, "%s %s failed: %.200s", argv[0], a,
		    rr.output_len ? rr.output : "(no output)");
	ops_run_result_release(&rr);
	return rc;
}

int
ops_serve_unit_install(const struct ops_config *cfg, enum ops_manager m,
    const char *bindir, int print, struct ops_buf *msg, struct ops_err *err)
{
	struct ops_buf unit = OPS_BUF_INIT;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_unit u;
	char dir[PATH_MAX], *slash;
	int rc = -1;

	if (ops_serve_unit_render(cfg, m, bindir, &unit, err) < 0)
		goto out;
	if (print) {
		ops_buf_puts(msg, ops_buf_str(&unit));
		rc = 0;
		goto out;
	}
	if (ops_service_unit(m, OPS_UNIT_DASHBOARD, cfg->home, &u, err) < 0)
		goto out;
	snprintf(dir, sizeof(dir), "%s", u.path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
		*slash = '\0';
	if (ops_fs_mkdirs(dir, err) < 0 ||
	    ops_fs_write_atomic(u.path, unit.s, unit.len, err) < 0)
		goto out;
	ops_buf_printf(msg, "wrote %s\n", u.path);
	if (m == OPS_MGR_SYSTEMD) {
		if (manager(m, "daemon-reload", NULL, NULL, &e) < 0 ||
		    manager(m, "enable", "--now", u.name, &e) < 0)
			ops_buf_printf(msg, "systemctl --user is not available here (%s)\n"
			    "to use the unit later: systemctl --user daemon-reload && "
			    "systemctl --user enable --now %s\n", e.msg, u.name);
		else
			ops_buf_printf(msg, "enabled and started %s (%s)\n", u.name,
			    cfg->serve.listen);
	} else if (manager(m, "bootstrap", "@domain", u.path, err) < 0) {
		goto out;
	} else {
		ops_buf_printf(msg, "loaded %s into launchd\n", u.name);
	}
	rc = 0;
out:
	ops_buf_release(&unit);
	return rc;
}

int
ops_serve_unit_uninstall(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *msg, struct ops_err *err)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_unit u;
	char service[192];

	if (ops_service_unit(m, OPS_UNIT_DASHBOARD, cfg->home, &u, err) < 0)
		return -1;
	if (access(u.path, F_OK) != 0) {
		ops_buf_printf(msg, "no unit installed (%s)\n", u.path);
		return 0;
	}
	snprintf(service, sizeof(service), "gui/%u/%s", (unsigned)getuid(), u.name);
	if ((m == OPS_MGR_SYSTEMD ? manager(m, "disable", "--now", u.name, &e) :
	    manager(m, "bootout", service, NULL, &e)) < 0)
		ops_buf_printf(msg, "note: %s\n", e.msg);
	if (unlink(u.path) < 0)
		return ops_err_sys(err, errno, "unable to remove '%s'", u.path);
	if (ops_fs_fsync_dir(u.path, 0, err) < 0)
		return -1;
	if (m == OPS_MGR_SYSTEMD)
		manager(m, "daemon-reload", NULL, NULL, &e);
	ops_buf_printf(msg, "removed %s\n", u.path);
	return 0;
}
