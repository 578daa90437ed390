/* ops_dashboard: one picture of the agent home (ops-dashboard(1)).
 *
 * ops_dashboard_gather fills a model cheaply: it reads the state database
 * and files and never runs anything slow (no integrity check, no plugin, no
 * endpoint probe: those show their last recorded result and its age). The
 * checks it can answer from a stat or a short read (daemon heartbeat disk
 * email restarts backup) are evaluated now with the same logic as
 * ops-health, so both agree.
 *
 * The renderers turn the model into a terminal page, the short status, a
 * self-contained HTML page, JSON and Prometheus text; they append to a
 * struct ops_buf and never print. The model owns every string in it;
 * ops_dashboard_release frees them.
 *
 * Dependencies run one way: the model (ops_dashboard.c gathers,
 * ops_dashboard_areas.c reads it for every renderer) knows no renderer;
 * the renderers (ops_dashboard_text.c, _html.c, _export.c) read the model
 * and not each other. */
#ifndef OPS_DASHBOARD_H
#define OPS_DASHBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"
#include "ops_audit.h"
#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_status.h"

#define OPS_DASH_HOURS 24
#define OPS_DASH_SLOTS 96	/* 24 h of health history in 15-minute slots */
#define OPS_DASH_ALERTS 5

/* One check: its state now (or at its last recorded run) and 24 h of
 * history, the worst state in each slot (-1: no run in that slot). */
struct ops_dash_check {
	char *name;
	enum ops_state state;
	char *message;
	double since;		/* in this state since (0: unknown) */
	double checked;		/* when the state was observed */
	int live;		/* 1: evaluated now; 0: last recorded run */
	signed char hist[OPS_DASH_SLOTS];
	/* the log lines of its incident (ops_context.h), NULL: none */
	char *context_source, *context;
};

struct ops_dash_db {
	char *name;		/* relative to the home */
	uint64_t bytes;		/* the database and its -wal */
	char *result;		/* last recorded integrity result, NULL: none */
	char *mode;		/* "quick" or "full", NULL: none */
	double checked;		/* when, 0: never */
	int changed;		/* modified since that check */
};

struct ops_dash_alert {
	double ts;
	char stamp[20];		/* "YYYY-MM-DD HH:MM:SS" as logged */
	char severity[16];
	char *title, *message;
};

struct ops_dashboard {
	double now;
	char *home;
	enum ops_state state;	/* the verdict: the worst check */
	char *summary;		/* "7/7 checks ok" or the problems, worst first */

	struct {
		int running;	/* the PID file names a live agent process */
		long pid;	/* from the PID file, 0: none */
		double start;	/* process start, epoch seconds (0: unknown) */
		char *reason;	/* why it is not running, NULL when it is */
		char *cmdline;
	} daemon;
	struct {
		int present;	/* daemon_status.json read and parsed */
		char *error;	/* why not, NULL when present */
		char *raw;	/* the file's text, NULL when not present */
		struct ops_agent_status st;
		double age;	/* seconds since the last heartbeat */
		double interval; /* heartbeat interval (3600 when not given) */
	} agent;
	struct {
		struct ops_dash_db *v;
		size_t n;
		uint64_t bytes;
		size_t jsonl_files;
		uint64_t jsonl_bytes;
	} memory;
	struct {
		char *log;	/* the newest email log, relative; NULL: none */
		double last_activity; /* its mtime, 0: none */
		int64_t errors, window;	/* ERROR lines in its last `window` lines */
	} email;
	struct {
		uint64_t free, total;	/* f_bavail, f_blocks (bytes) */
		int known;
	} disk;
	struct {
		size_t files;
		uint64_t bytes;	/* apparent size of logs/ */
	} logs;
	struct {
		struct ops_dash_alert v[OPS_DASH_ALERTS]; /* oldest first */
		size_t n;
	} alerts;
	/* actions taken in the last 24 h, each with the alert before it
	 * (the audit trail, ops_audit.h); zero when there is none */
	struct ops_audit_actions actions;
	struct {
		size_t count;
		uint64_t bytes;		/* all archives */
		char *latest;		/* archive name, NULL: none */
		char *latest_path;	/* what the `latest` file holds, or NULL */
		double latest_ts;	/* from its name (local time) */
		uint64_t latest_bytes;
		double verified;	/* last verification known, 0: unknown */
		/* From the catalog (ops_backup_status.h): the newest good
		 * archive, the last restore drill, the newest offsite copy. */
		char good[64];		/* "" when none */
		double good_ts;
		double drill_ts;	/* 0: never */
		int drill_ok;
		int offsite_on;		/* backup.offsite or offsite_command is set */
		char offsite[64];	/* the newest archive copied, "" when none */
		double offsite_ts;	/* its time (from its name) */
		double offsite_copied;	/* when it was copied */
		int64_t offsite_failures;	/* in a row */
	} backups;
	struct {
		int available;		/* the state database could be read */
		double from, slot;	/* slot i covers [from+i*slot, from+(i+1)*slot) */
		size_t runs;		/* health runs recorded in the window */
		double last_run;	/* 0: none ever */
		int stale;		/* last_run older than dashboard.stale_after */
		signed char overall[OPS_DASH_SLOTS];
	} history;
	struct ops_dash_check *checks;
	size_t nchecks;
};

/* Fill d (released first when reused: zero it before the first call).
 * Problems reading the home become data (an UNKNOWN check, a NULL field);
 * -1 only when out of memory or the home is unusable. */
int ops_dashboard_gather(const struct ops_config *cfg, struct ops_dashboard *d,
    struct ops_err *err);
void ops_dashboard_release(struct ops_dashboard *d);

/* How text is drawn: colour (ANSI SGR), UTF-8 block characters, and the
 * size to fit (width is capped at 80; height 0: no limit). */
struct ops_dash_style {
	int color, utf8;
	int width, height;
};
/* The style for text written to fd: colour only on a terminal and never
 * with NO_COLOR set or TERM=dumb; UTF-8 when the locale's codeset is (the
 * caller has called setlocale); the terminal's size (0 when fd is not
 * one). What ops-dashboard and `dharmic-ops status` both use. */
void ops_dash_style_for(struct ops_dash_style *st, int fd);

/* The areas of the short form, in order (daemon heartbeat memory email
 * disk backups): a label, the state of the check behind it and one line
 * of plain text. Returns the number filled (at most max). */
struct ops_dash_area {
	const char *label;
	enum ops_state state;
	char text[320];
};
#define OPS_DASH_AREAS 6
size_t ops_dashboard_areas(const struct ops_dashboard *d, struct ops_dash_area *v,
    size_t max);
/* The check named name, or NULL. */
const struct ops_dash_check *ops_dashboard_check(const struct ops_dashboard *d,
    const char *name);

/* The terminal page: verdict line, one line per area, 24 h sparklines
 * per check, recent alerts. Every line fits the width. */
void ops_dashboard_text(struct ops_buf *b, const struct ops_dashboard *d,
    const struct ops_dash_style *s);
/* The short form: verdict plus one line per area. */
void ops_dashboard_status_text(struct ops_buf *b, const struct ops_dashboard *d,
    const struct ops_dash_style *s);
/* A single self-contained HTML page (inline CSS and SVG, no script). */
void ops_dashboard_html(struct ops_buf *b, const struct ops_dashboard *d);
/* The model as one JSON object (keys in ops-dashboard(1)). */
int ops_dashboard_json(struct ops_buf *b, const struct ops_dashboard *d);
/* Prometheus text exposition format 0.0.4. */
void ops_dashboard_prom(struct ops_buf *b, const struct ops_dashboard *d);

/* Gather and render the short form: what `dharmic-ops status` prints. */
int ops_dashboard_status(const struct ops_config *cfg,
    const struct ops_dash_style *s, struct ops_buf *out, struct ops_err *err);

/* Helpers, exposed for the unit tests. */
void ops_html_escape(struct ops_buf *b, const char *s);
void ops_prom_escape_label(struct ops_buf *b, const char *s);
/* Parse "[YYYY-MM-DD HH:MM:SS] [SEVERITY] Title - message"; 0 or -1.
 * a->title and a->message are allocated (caller frees). */
int ops_dash_parse_alert(const char *line, struct ops_dash_alert *a);
/* Worst of two history slots (-1: none), in Nagios order. */
int ops_dash_slot_worst(int a, int b);

#endif
