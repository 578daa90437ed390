/* ops_notify: deliver one alert through one channel.
 *
 *   desktop  notify-send (Linux) or osascript (macOS), when present and a
 *            desktop session is there; skipped otherwise
 *   email    an RFC 5322 message piped to `SENDMAIL -t -oi`
 *   webhook  libcurl POST of the JSON below, 5 s timeout, 2xx delivered
 *   command  argv run with the JSON on stdin and ALERT_TYPE ALERT_SEVERITY
 *            ALERT_TITLE ALERT_MESSAGE in its environment, exit 0 delivered
 *
 * The JSON: {"type","severity","title","message","host","timestamp",
 * "state","since","suppressed","home"}, and "context": {"source",
 * "lines": [...]} when the incident has log context. Nothing here decides whether an
 * alert should go out; ops_alert does. */
#ifndef OPS_NOTIFY_H
#define OPS_NOTIFY_H

#include <stdint.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"

enum ops_channel {
	OPS_CH_DESKTOP,
	OPS_CH_EMAIL,
	OPS_CH_WEBHOOK,
	OPS_CH_COMMAND,
	OPS_CH_N
};

/* Borrowed strings; the caller keeps them alive during the call. */
struct ops_notice {
	const char *type;	/* "daemon_critical", "check_NAME", "test" */
	const char *severity;	/* "CRITICAL", "WARNING", "UNKNOWN", "INFO" */
	const char *state;	/* "firing", "resolved", "test" */
	const char *title;
	const char *message;
	const char *host;
	const char *home;
	double timestamp;
	double since;		/* 0: none */
	int64_t suppressed;	/* other alerts held back by the cap, reported here */
	/* the log lines captured with the incident (ops_context.h), or NULL */
	const char *context_source, *context;
};

/* Command timeout, seconds (sendmail and the command channel). */
#define OPS_NOTIFY_TIMEOUT 10.0
#define OPS_NOTIFY_WEBHOOK_TIMEOUT 5.0

const char *ops_channel_name(enum ops_channel ch);
/* -1 when not a channel name. */
int ops_channel_parse(const char *name);

/* 1 when the channel is configured (desktop: alert.desktop; email:
 * alert.email; webhook: alert.webhook; command: alert.command). */
int ops_notify_configured(const struct ops_config *cfg, enum ops_channel ch);

/* Deliver: 1 delivered, 0 skipped (not configured or not available here;
 * err says why), -1 failed (err says why). */
int ops_notify_send(const struct ops_config *cfg, enum ops_channel ch,
    const struct ops_notice *n, struct ops_err *err);

/* The JSON body (one line, no newline). -1 on allocation failure. */
int ops_notify_json(const struct ops_notice *n, struct ops_buf *out);

/* The message for sendmail -t: headers with CR/LF and other control
 * characters replaced by spaces, a non-ASCII Subject as RFC 2047 words,
 * body lines at most 998 bytes. now is the Date. */
int ops_notify_email_format(const struct ops_config *cfg, const struct ops_notice *n,
    double now, struct ops_buf *out);

/* The logs/alerts.log line: "[YYYY-MM-DD HH:MM:SS] [SEVERITY] Title - message"
 * (SEVERITY is RESOLVED for a resolved notice), on one line. */
void ops_notify_log_line(const struct ops_notice *n, struct ops_buf *out);

/* Append the log line to HOME/logs/alerts.log. */
int ops_notify_log(const struct ops_config *cfg, const struct ops_notice *n,
    struct ops_err *err);

/* RFC 5322 date ("Sun, 22 Nov 2026 06:34:37 +0000") into buf. */
const char *ops_notify_rfc5322_date(double t, char *buf, size_t len);

#endif
