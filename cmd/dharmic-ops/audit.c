/* dharmic-ops audit: show, verify or sign the audit trail (ops_audit.h). */
#include "builtin.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ops_cli_opt opts[] = {
	{ "since", 's', 0, "TIME", "entries from TIME: an ISO 8601 time or a duration "
	  "back from now (\"7d\", \"12h\")" },
	{ "json", 'j', 0, NULL, "one JSON object per entry" },
	{ "lines", 'n', 1, "N", "the last N entries (default: all)" },
	{ "verify", 'v', 0, NULL, "check the hash chain (and signatures) of the trail" },
	{ "pubkey", 'p', 0, "FILE", "--verify: check the signatures with this public key" },
	{ "out", 'o', 0, "FILE", "keygen: where to write the key pair (default: "
	  "audit.signing_key, else .ops/audit-signing.pem)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops audit",
	.synopsis = "[--since TIME] [--json] [-n N]\n " COMMON_SYNOPSIS "\n"
	    "--verify [--pubkey FILE] " COMMON_SYNOPSIS "\n"
	    "keygen [--out FILE] " COMMON_SYNOPSIS,
	.about = "Show, verify or sign the append-only audit trail of what the toolkit\n"
	    "changed or decided.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

/* --since: a timestamp, or a duration before now. */
static int
since_arg(const char *s, double *out)
{
	struct ops_err e = OPS_ERR_INIT;
	double d;

	if (ops_time_parse_iso(s, out, &e) == 0)
		return 0;
	if (ops_duration_parse(s, &d, &e) == 0) {
		*out = ops_time_now() - d;
		return 0;
	}
	cli_error(&cli, 2, "invalid time '%s' (an ISO 8601 time or a duration such as "
	    "\"7d\")", s);
	return -1;
}

/* The key pair's paths: --out, else audit.signing_key, else
 * .ops/audit-signing.pem; the public key beside it as .pub. */
static int
keygen(struct ctx *c, const char *out)
{
	char key[PATH_MAX], pub[PATH_MAX + 8], *dot;
	const char *want = out ? out : c->cfg.audit.signing_key;
	struct ops_err aerr = OPS_ERR_INIT;
	int rc;

	if (ops_config_path(&c->cfg, want && *want ? want : ".ops/audit-signing.pem", key,
	    sizeof(key), &c->err) < 0)
		return finish(c, -1);
	snprintf(pub, sizeof(pub), "%s", key);
	dot = strrchr(pub, '.');
	if (dot != NULL && strcmp(dot, ".pem") == 0 && strchr(dot, '/') == NULL)
		*dot = '\0';
	strcat(pub, ".pub");
	rc = ops_audit_keygen(key, pub, &c->err);
	if (rc == 0) {
		ops_buf_printf(&c->out, "wrote the signing key %s (mode 0600) and its public "
		    "key %s\n", key, pub);
		if (!c->cfg.audit.signing_key[0] || strcmp(c->cfg.audit.signing_key, key))
			ops_buf_printf(&c->out, "to sign the trail, set in the config: "
			    "\"audit\": {\"signing_key\": \"%s\"}\n", key);
		ops_buf_puts(&c->out, "keep a copy of the public key where the agent's user "
		    "cannot write, for 'dharmic-ops audit --verify --pubkey FILE'\n");
		if (ops_audit_record(&c->cfg, NULL, "dharmic-ops", "audit.keygen", "done",
		    &aerr, "made the key pair %s, %s", key, pub) < 0)
			fprintf(stderr, "%s: %s\n", cli.prog, aerr.msg);
	}
	return finish(c, rc);
}

int
cmd_audit(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_audit_list l = OPS_AUDIT_LIST_INIT;
	const char *pubkey = NULL, *out = NULL;
	double since = 0;
	unsigned long n = 0;
	int ch, rc, json = 0, verify = 0, is_keygen, listing = 0;
	char *end, problem[1024];

	while ((ch = next(&c, argc, argv)) != -1) {
		switch (ch) {
		case 's':
			if (since_arg(optarg, &since) < 0)
				return 2;
			listing = 1;
			break;
		case 'j':
			json = listing = 1;
			break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-') {
				return cli_error(&cli, 2, "invalid count '%s' (a number of "
				    "entries)", optarg);
			}
			listing = 1;
			break;
		case 'v':
			verify = 1;
			break;
		case 'p':
			pubkey = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			if ((rc = common(&c, ch)) >= 0)
				return rc;
		}
	}
	is_keygen = optind < argc && strcmp(argv[optind], "keygen") == 0;
	/* conflicting options are refused by name */
	if ((verify && listing) || (pubkey && !verify) || (out && !is_keygen) ||
	    (is_keygen && (verify || listing))) {
		return cli_error(&cli, 2, "%s", verify && listing ?
		    "--verify does not take --since, --json or -n" : pubkey && !verify ?
		    "--pubkey goes with --verify" : out && !is_keygen ?
		    "--out goes with keygen" : "keygen takes only --out");
	}
	if (is_keygen) {
		optind++;
		if ((rc = setup(&c, argc, argv, 0)) >= 0)
			return rc;
		return keygen(&c, out);
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	if (ops_state_open(&st, c.cfg.home, &c.err) < 0)
		return finish(&c, -1);
	if (verify) {
		rc = ops_audit_verify(&st, c.cfg.home, pubkey, &c.out, problem,
		    sizeof(problem), &c.err);
		ops_state_close(&st);
		if (rc == 1) {
			rc = finish(&c, 0);
			fprintf(stderr, "%s: audit trail broken: %s\n", cli.prog, problem);
			return rc ? rc : 1;
		}
		return finish(&c, rc);
	}
	rc = ops_audit_read(&st, since, n, &l, &c.err);
	ops_state_close(&st);
	if (rc == 0)
		ops_audit_format(&c.out, &l, json);
	ops_audit_list_release(&l);
	return finish(&c, rc);
}
