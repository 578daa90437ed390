/* ops_check: the result tree shared by ops-health, ops-alert and
 * ops-dashboard (after monitoring-plugins' lib/output.h).
 *
 * A report holds one result per check; a result holds a state, a message
 * and perfdata. States are the Nagios exit codes. The report owns its
 * results and their strings; ops_report_release frees everything. */
#ifndef OPS_CHECK_H
#define OPS_CHECK_H

#include <stddef.h>

#include "ops_buf.h"

enum ops_state {
	OPS_OK = 0,
	OPS_WARNING = 1,
	OPS_CRITICAL = 2,
	OPS_UNKNOWN = 3,
};

/* One perfdata item; NAN marks an empty field. warn and crit are upper
 * bounds (the plugin guidelines' range "N": alert above N) unless low is
 * set: then they are lower bounds ("N:", alert below N), as for free
 * space. */
struct ops_perf {
	char label[64];
	char uom[4];
	double value, warn, crit, min, max;
	int low;
};

struct ops_result {
	char *name;
	enum ops_state state;
	char *message;
	struct ops_perf *perf;
	size_t nperf;
	char *perf_raw;		/* perfdata passed through from a plugin, or NULL */
	double since;		/* when the check entered this state (0: unknown) */
	int changed;		/* the state differs from the previous run */
};

struct ops_report {
	struct ops_result *v;
	size_t n;
	int oom;		/* an allocation failed; the report is incomplete */
};

#define OPS_REPORT_INIT { NULL, 0, 0 }

const char *ops_state_name(enum ops_state s);
/* "OK", "WARNING", ... back to a state; -1 when not a state name. */
int ops_state_parse(const char *s);
/* Nagios order of severity: CRITICAL > WARNING > UNKNOWN > OK. */
enum ops_state ops_state_worst(enum ops_state a, enum ops_state b);

/* Threshold logic, a value against warn/crit. A threshold <= 0 (or NAN) is
 * disabled. "high": bad when value > threshold (counts, ages);
 * "low": bad when value < threshold (free space). */
enum ops_state ops_threshold_high(double value, double warn, double crit);
enum ops_state ops_threshold_low(double value, double warn, double crit);

/* Add a result and return it (NULL and report->oom on allocation failure).
 * The pointer is valid until the next ops_report_add. */
struct ops_result *ops_report_add(struct ops_report *r, const char *name,
    enum ops_state state, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Replace a result's state and message. */
void ops_result_set(struct ops_result *res, enum ops_state state,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ops_result_perf(struct ops_result *res, const char *label, double value,
    const char *uom, double warn, double crit, double min, double max);
/* The same with warn and crit as lower bounds (written "N:"). */
void ops_result_perf_low(struct ops_result *res, const char *label, double value,
    const char *uom, double warn, double crit, double min, double max);
/* A threshold of p in the guidelines' range syntax ("5", "5368709120:"). */
void ops_perf_range(struct ops_buf *b, const struct ops_perf *p, double t);

enum ops_state ops_report_worst(const struct ops_report *r);
size_t ops_report_count(const struct ops_report *r, enum ops_state s);

/* One perfdata item in the plugin-guidelines grammar:
 * 'label'=value[UOM];[warn];[crit];[min];[max] (trailing empties dropped),
 * warn and crit as ranges (see struct ops_perf). */
void ops_perf_format(struct ops_buf *b, const struct ops_perf *p);

/* A plugin's perfdata with each label prefixed by the check's name,
 * check_multi's convention, so that a plugin's 'uptime' cannot collide
 * with the built-in one: "uptime=5s 'a b'=1" from check NAME becomes
 * "'NAME::uptime'=5s 'NAME::a b'=1". Items are split at spaces outside
 * quotes; an item without "=" is dropped. Appends to b. */
void ops_perf_prefix(struct ops_buf *b, const char *name, const char *raw);

/* "2/7 checks ok" or the problems, worst first, with the count. */
void ops_report_summary(struct ops_buf *b, const struct ops_report *r);

/* Nagios text: "PREFIX STATE - summary | perfdata" then one line per
 * check ("name: STATE - message"). */
void ops_report_nagios(struct ops_buf *b, const struct ops_report *r,
    const char *prefix);
/* The same as one JSON object: {"state","code","summary","checks":[...]}. */
int ops_report_json(struct ops_buf *b, const struct ops_report *r);

void ops_report_release(struct ops_report *r);

#endif
