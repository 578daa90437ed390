/* dharmic-ops: what every built-in verb shares (builtin.h). */
#include "builtin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
next(struct ctx *c, int argc, char **argv)
{
	if (c->cli->shorts[0] == '\0')
		cli_init(c->cli);
	return ops_cli_next(c->cli, argc, argv, &c->err);
}

int
common(struct ctx *c, int ch)
{
	switch (ch) {
	case 'H': c->home = optarg; return -1;
	case 'c': c->config = optarg; return -1;
	case 'h': return cli_help(c->cli);
	case '?': return cli_error(c->cli, 2, "%s", c->err.msg);
	default: return cli_error(c->cli, 2, "unexpected option");	/* not reached */
	}
}

int
setup(struct ctx *c, int argc, char **argv, int npos)
{
	if (argc - optind > npos)
		return cli_error(c->cli, 2, "unexpected argument '%s'", argv[optind + npos]);
	if (argc - optind < npos)
		return cli_error(c->cli, 2, "missing argument");
	if (ops_config_load(&c->cfg, c->home, c->config, &c->err) < 0) {
		fprintf(stderr, "%s: %s\n", c->cli->prog, c->err.msg);
		ops_config_release(&c->cfg);
		return ops_err_exit_code(&c->err);
	}
	return -1;
}

int
plain(struct ctx *c, int argc, char **argv)
{
	int ch, rc;

	while ((ch = next(c, argc, argv)) != -1)
		if ((rc = common(c, ch)) >= 0)
			return rc;
	return setup(c, argc, argv, 0);
}

int
finish(struct ctx *c, int rc)
{
	int code = rc < 0 ? ops_err_exit_code(&c->err) : 0;

	if (rc < 0 && code == 0)
		code = 1;
	fputs(ops_buf_str(&c->out), stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: unable to write the output: %s\n", c->cli->prog,
		    strerror(errno));
		code = code ? code : 1;
	}
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", c->cli->prog, c->err.msg);
	ops_buf_release(&c->out);
	ops_config_release(&c->cfg);
	return code;
}

int
self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	return 0;
}

void
audit_verb(struct ctx *c, const char *verb, int rc, const char *detail)
{
	struct ops_err aerr = OPS_ERR_INIT;
	const char *out = ops_buf_str(&c->out);
	int n = (int)strcspn(out, "\n");

	if (rc < 0)
		rc = ops_audit_record(&c->cfg, NULL, "dharmic-ops", verb, "failed", &aerr,
		    "%s", c->err.msg);
	else if (detail != NULL)
		rc = ops_audit_record(&c->cfg, NULL, "dharmic-ops", verb, "done", &aerr,
		    "%s", detail);
	else
		rc = ops_audit_record(&c->cfg, NULL, "dharmic-ops", verb, "done", &aerr,
		    "%.*s", n, out);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", c->cli->prog, aerr.msg);
}

int
service(int argc, char **argv, const char *verb, struct ops_cli *cli,
    int (*fn)(const struct ops_config *, const struct ops_service_opts *,
    struct ops_buf *, struct ops_err *))
{
	struct ctx c = CTX(cli);
	struct ops_service_opts so = { 0, 0, "manual" };
	int ch, rc;

	while ((ch = next(&c, argc, argv)) != -1) {
		if (ch == 'f')
			so.force = 1;
		else if (ch == 'w')
			so.wait_heartbeat = 1;
		else if ((rc = common(&c, ch)) >= 0)
			return rc;
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	rc = fn(&c.cfg, &so, &c.out, &c.err);
	if (rc == 0) {
		/* a restart says why (by hand: this verb); each says if forced */
		char why[512];
		const char *out = ops_buf_str(&c.out);

		snprintf(why, sizeof(why), "%s%s%s%.*s", strcmp(verb, "restart") ? "" :
		    so.reason, so.force ? (strcmp(verb, "restart") ? "forced" : ", forced") :
		    "", so.force || !strcmp(verb, "restart") ? ": " : "",
		    (int)strcspn(out, "\n"), out);
		audit_verb(&c, verb, rc, why);
	} else {
		audit_verb(&c, verb, rc, NULL);
	}
	return finish(&c, rc);
}

int
unit(int argc, char **argv, struct ops_cli *cli, int install)
{
	struct ctx c = CTX(cli);
	enum ops_manager m = ops_service_native();
	int ch, rc, print = 0, serve = 0;
	char bindir[PATH_MAX];

	while ((ch = next(&c, argc, argv)) != -1) {
		if (ch == 'p') {
			print = 1;
		} else if (ch == 's') {
			serve = 1;
		} else if (ch == 'F' && (!strcmp(optarg, "systemd") ||
		    !strcmp(optarg, "launchd"))) {
			m = optarg[0] == 's' ? OPS_MGR_SYSTEMD : OPS_MGR_LAUNCHD;
		} else if (ch == 'F') {
			return cli_error(cli, 2, "unknown format '%s' (systemd or launchd)",
			    optarg);
		} else if ((rc = common(&c, ch)) >= 0) {
			return rc;
		}
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	if (serve && install && self_dir(bindir, sizeof(bindir)) < 0)
		return cli_error(cli, 1, "unable to find the program directory");
	if (serve)
		rc = install ? ops_serve_unit_install(&c.cfg, m, bindir, print, &c.out,
		    &c.err) : ops_serve_unit_uninstall(&c.cfg, m, &c.out,
		    &c.err);
	else
		rc = install ? ops_service_install(&c.cfg, m, print, &c.out, &c.err) :
		    ops_service_uninstall(&c.cfg, m, &c.out, &c.err);
	if (!print)
		audit_verb(&c, install ? "install" : "uninstall", rc, NULL);
	return finish(&c, rc);
}
