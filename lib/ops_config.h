/* ops_config: the configuration of SPEC §4 / dharmic-ops.json(5).
 *
 * ops_config_load resolves the home (--home, $DHARMIC_HOME,
 * ~/DHARMIC_GODEL_CLAW), fills defaults, reads the JSON file (--config,
 * $DHARMIC_OPS_CONFIG, HOME/ops.json; a missing default file means all
 * defaults) and applies the environment. Command-line options are applied
 * by each program afterwards. An unknown key, a wrong type or a bad value
 * is an OPS_E_USAGE error naming the file and the key.
 *
 * The config owns every string in it; ops_config_release frees them. */
#ifndef OPS_CONFIG_H
#define OPS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "ops_err.h"
#include "ops_strv.h"

/* The log context of a check (ops_context.h): what to capture when it
 * becomes non-OK. */
enum ops_context_kind { OPS_CTX_FILE, OPS_CTX_NEWEST, OPS_CTX_JOURNAL };

struct ops_context_cfg {
	char *check;		/* the check's name (health.monit.context: Monit's
				 * service name, or "*") */
	enum ops_context_kind kind;
	char *target;		/* a path, a glob or a systemd unit */
	int64_t max_lines;	/* 1 to 500 */
};

/* In health.checks[], endpoints[] and logs[] entries, a check's own
 * "context" key: target NULL when it has none. */
struct ops_check_cfg {
	char *name;
	struct ops_strv command;
	double timeout;
	char *remedy;		/* the name of an action (actions), or NULL */
	struct ops_context_cfg context;	/* its own "context" */
};

/* A remediation action (ops_action.h): argv, never a shell. */
struct ops_action_cfg {
	char *name;
	struct ops_strv command;
	double timeout;		/* default 30 s */
	int confirm;		/* ask on a terminal first (default true) */
	int auto_run;		/* "auto": ops-alert may run it (default false) */
	char *description;	/* "" when none */
};

/* An HTTP status range, lo..hi inclusive. */
struct ops_status_range {
	long lo, hi;
};

struct ops_endpoint_cfg {
	char *name;
	char *url;
	double timeout;
	/* what the answer must be (ops_endpoint.h); unset: 2xx, anything */
	struct ops_status_range *expect_status;	/* none: 200-299 */
	size_t nexpect_status;
	char *expect_body;		/* a substring, or NULL */
	char *expect_body_regex;	/* a POSIX extended regex, or NULL */
	char *expect_json_path;		/* "a.b.0.c", or NULL */
	char *expect_json_equals;	/* the JSON text of the value wanted */
	double time_warn, time_crit;	/* response time; 0: off */
	double cert_warn, cert_crit;	/* https: days left as seconds; 0: off */
	char *ca_file;			/* CA bundle to verify with, or NULL */
	struct ops_context_cfg context;	/* its own "context" */
};

/* A log scanned for errors (ops_logcheck.h). */
struct ops_logcheck_cfg {
	char *name;
	char *path;		/* glob relative to the home: its newest file */
	char *pattern;		/* POSIX extended regex, one line at a time */
	int64_t window;		/* how many last lines are read */
	int64_t warn, crit;	/* more matching lines than this; crit -1: off */
	double stale_after;	/* newest file older than this warns; 0: off */
	int by_name;		/* newest = last in name order (the seed email check) */
	struct ops_context_cfg context;	/* its own "context" */
};

struct ops_config {
	char *home;		/* absolute */
	char *file;		/* the config file read, NULL when none */

	struct {
		struct ops_strv command;
		char *workdir, *pid_file, *status_file, *match, *env_file;
		double start_timeout, stop_timeout;
		/* issue 10: the restart policy (ops_restart.h) */
		double restart_backoff, restart_window;
		int64_t restart_burst;
		int restart_on_stale;
	} daemon;
	struct {
		uint64_t disk_warn, disk_crit;
		double heartbeat_warn, heartbeat_crit;
		struct ops_strv databases;
		char *integrity;	/* "quick", "full" or "off" */
		char *email_log;
		int64_t email_window, email_errors, restarts_max;
		double restarts_window, backup_max_age, timeout;
		struct ops_check_cfg *checks;
		size_t nchecks;
		struct ops_endpoint_cfg *endpoints;
		size_t nendpoints;
		/* resource checks of the agent and host (ops_procstat.h) */
		struct ops_strv resources;
		double cpu_warn, cpu_crit, cpu_for;
		uint64_t rss_warn, rss_crit;
		double rss_trend_window, rss_trend_horizon;
		double fds_warn, fds_crit, mem_warn, mem_crit, swap_warn, swap_crit;
		double load_warn, load_crit;
		/* logs scanned for errors; one named "email" replaces the
		 * built-in email check's email_* keys */
		struct ops_logcheck_cfg *logs;
		size_t nlogs;
		/* Monit as a source (ops_monit.h); enabled when configured */
		struct {
			int enabled;
			char *url, *user, *password_env;
			struct ops_strv services;	/* globs on Monit's names */
			double timeout;
			/* log context per Monit service name ("*": any) */
			struct ops_context_cfg *context;
			size_t ncontext;
		} monit;
		/* log context per check name (health.context); a check's
		 * own "context" key wins (ops_context_for) */
		struct ops_context_cfg *context;
		size_t ncontext;
	} health;
	struct {
		char *dir;
		struct ops_strv include;
		char *compression;	/* "zstd", "gzip" or "none" */
		double keep_all, keep_weekly, keep_monthly;
		struct ops_strv offsite_command;
		/* issue 10 */
		char *check;		/* "quick" or "full": each database copy */
		int64_t keep_good;	/* good archives retention always keeps */
		double verify_max_age;	/* a drill older than this warns; 0: off */
		int64_t offsite_max_failures;	/* failures in a row that alert */
		/* issue 12: encryption (ops_backup_crypt.h) */
		struct ops_strv encrypt_to;	/* age1… recipients */
		char *passphrase_file;	/* "" none */
		char *identity_file;	/* "" none */
		/* issue 12 step 3: offsite through rclone (ops_rclone.h) */
		struct {
			int enabled;	/* backup.offsite is set */
			char *remote;	/* "name:path" */
			char *rclone;	/* program */
			char *config;	/* rclone.conf, ~ expanded; "" rclone's default */
			int keep_same;	/* "same": local retention deletes remotely too */
			/* keep as an object: the remote's own retention, by the
			 * local keys' names and rules (ops_retention.h) */
			int keep_gfs;
			double keep_all, keep_weekly, keep_monthly;
			int64_t keep_good;
		} offsite;
	} backup;
	struct {
		struct ops_strv daily_logs;
		double compress_after, delete_after;
		uint64_t max_size;
		int64_t keep_lines;
		struct ops_strv history_logs;
		int64_t history_lines;
		/* daily logs read as they are (the weekly reports): not
		 * compressed before plain_for, nor deleted */
		struct ops_strv plain_logs;
		double plain_for;
	} rotate;
	struct {
		double cooldown;
		int64_t max_per_hour;
		int desktop, auto_restart;
		char *email, *sendmail, *webhook;
		struct ops_strv command;
		struct ops_strv alertmanager;	/* base URLs; empty: not used */
	} alert;
	struct ops_action_cfg *actions;	/* the top-level "actions" array */
	size_t nactions;
	struct {
		char *signing_key;	/* Ed25519 private key (PEM), "" for none */
		double keep;		/* entries older than this are pruned */
	} audit;
	/* ops-dashboard serve and the files ops-dashboard writes (issue 14). */
	struct {
		char *listen;		/* "ADDR:PORT" */
		char *token_file, *htpasswd, *tls_cert, *tls_key; /* "": none */
		char *url;		/* how others reach serve, "": none */
		int64_t max_connections;
		double timeout;
	} serve;
	struct {
		double stale_after;	/* last health run older: STALE */
		int prom_mode, html_mode;	/* permission bits */
	} dashboard;
	struct {
		double keep_aside;	/* memory.pre-restore.* older: pruned */
	} restore;
};

/* home_opt and config_opt are the command-line values or NULL. */
int ops_config_load(struct ops_config *cfg, const char *home_opt,
    const char *config_opt, struct ops_err *err);

/* Load from a JSON text (for tests and fuzzing); name is used in messages.
 * cfg->home must be set by the caller or is "/nonexistent". */
int ops_config_load_text(struct ops_config *cfg, const char *home,
    const char *text, size_t len, const char *name, struct ops_err *err);

/* Resolve a configured path against the home into buf. A relative one
 * must stay in the home through real directories (ops_confine_path): a
 * symlinked logs/ makes logs/daemon.pid an error, not a path elsewhere. */
int ops_config_path(const struct ops_config *cfg, const char *rel, char *buf,
    size_t len, struct ops_err *err);

void ops_config_release(struct ops_config *cfg);

#endif
