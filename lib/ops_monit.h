/* ops_monit: Monit as a source of checks (health.monit).
 *
 * Monit's XML status (/_status?format=xml&level=full) is fetched with
 * libcurl and parsed by libexpat as it streams in, size-capped, without a
 * DTD. Each Monit service whose name matches health.monit.services
 * becomes a check monit_NAME: Monit's status (a bit set of failed tests,
 * named as Monit names them), its monitoring state, CPU and memory where
 * Monit has them. Monit unreachable or its answer unreadable is one
 * UNKNOWN check, "monit", not one per service. */
#ifndef OPS_MONIT_H
#define OPS_MONIT_H

#include <stddef.h>

#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"

/* The most of Monit's answer read (8 MiB), and of services kept. */
#define OPS_MONIT_MAX_BYTES ((size_t)8 << 20)
#define OPS_MONIT_MAX_SERVICES 10000

struct ops_monit_service {
	char name[128];		/* as Monit has it (UTF-8 from expat) */
	int type;		/* Monit's: 0 filesystem ... 3 process ... 5 system */
	long status;		/* bit set of failed tests; 0: all pass */
	int monitor;		/* 0 not monitored, 1 monitored, 2 initializing */
	long pid;		/* processes: -1 when none */
	double cpu;		/* processes: percent, NAN when absent */
	double memory;		/* processes: bytes, NAN when absent */
};

struct ops_monit_status {
	struct ops_monit_service *v;	/* owned; ops_monit_status_release */
	size_t n;
	char host[128];		/* Monit's localhostname */
};

/* An incremental parser: feed the answer in pieces, then finish. */
struct ops_monit_parser;
struct ops_monit_parser *ops_monit_parser_new(struct ops_monit_status *out);
/* 0 to go on; -1 with err when the text is not Monit's status. */
int ops_monit_parser_feed(struct ops_monit_parser *p, const char *buf, size_t len,
    struct ops_err *err);
int ops_monit_parser_finish(struct ops_monit_parser *p, struct ops_err *err);
void ops_monit_parser_free(struct ops_monit_parser *p);

/* The whole text at once (tests, the fuzzer). */
int ops_monit_parse(const char *xml, size_t len, struct ops_monit_status *out,
    struct ops_err *err);
void ops_monit_status_release(struct ops_monit_status *s);

/* "does not exist, permission" for Monit's status bits, into buf. */
const char *ops_monit_events(long status, char *buf, size_t len);
/* The check name of Monit's service monit: "monit_" and the name with
 * what a check name cannot hold made '_' ("other.log": monit_other_log),
 * at most 64 bytes, into buf. */
void ops_monit_check_name(const char *monit, char *buf, size_t len);
/* "process", "file", ... for Monit's service type. */
const char *ops_monit_type(int type);

/* Fetch and parse Monit's status within limit seconds and add a result per
 * matching service (or one UNKNOWN "monit") to r. only/nonly: when set,
 * just these check names ("monit" means all). */
void ops_monit_check(const struct ops_config *cfg, double limit,
    const char *const *only, size_t nonly, struct ops_report *r);

#endif
