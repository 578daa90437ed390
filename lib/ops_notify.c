#include "ops_notify.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_http.h"
#include "ops_run.h"
#include "ops_sanitize.h"
#include "ops_time.h"

static const char *const channel_names[OPS_CH_N] = {
	"desktop", "email", "webhook", "command",
};

const char *
ops_channel_name(enum ops_channel ch)
{
	return (unsigned)ch < OPS_CH_N ? channel_names[ch] : "?";
}

int
ops_channel_parse(const char *name)
{
	for (int i = 0; i < OPS_CH_N; i++)
		if (strcmp(name, channel_names[i]) == 0)
			return i;
	return -1;
}

int
ops_notify_configured(const struct ops_config *cfg, enum ops_channel ch)
{
	switch (ch) {
	case OPS_CH_DESKTOP:
		return cfg->alert.desktop;
	case OPS_CH_EMAIL:
		return cfg->alert.email != NULL && cfg->alert.email[0] != '\0';
	case OPS_CH_WEBHOOK:
		return cfg->alert.webhook != NULL && cfg->alert.webhook[0] != '\0';
	case OPS_CH_COMMAND:
		return cfg->alert.command.n > 0;
	default:
		return 0;
	}
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* ---- formats ---------------------------------------------------------- */

/* "context": {"source": "logs/app.log", "lines": ["...", ...]} */
static int
add_context(cJSON *o, const struct ops_notice *n)
{
	cJSON *c = cJSON_AddObjectToObject(o, "context"), *lines;
	const char *p = n->context, *nl;

	if (c == NULL || cJSON_AddStringToObject(c, "source", nz(n->context_source)) == NULL ||
	    (lines = cJSON_AddArrayToObject(c, "lines")) == NULL)
		return -1;
	while (*p != '\0') {
		cJSON *line;

		nl = strchr(p, '\n');
		line = cJSON_CreateString("");
		if (line == NULL)
			return -1;
		cJSON_free(line->valuestring);
		line->valuestring = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		if (line->valuestring == NULL) {
			cJSON_Delete(line);
			return -1;
		}
		cJSON_AddItemToArray(lines, line);
		p = nl ? nl + 1 : p + strlen(p);
	}
	return 0;
}

int
ops_notify_json(const struct ops_notice *n, struct ops_buf *out)
{
	char ts[64];
	cJSON *o;
	char *text;

	o = cJSON_CreateObject();
	if (o == NULL)
		return -1;
	cJSON_AddStringToObject(o, "type", nz(n->type));
	cJSON_AddStringToObject(o, "severity", nz(n->severity));
	cJSON_AddStringToObject(o, "title", nz(n->title));
	cJSON_AddStringToObject(o, "message", nz(n->message));
	cJSON_AddStringToObject(o, "host", nz(n->host));
	cJSON_AddStringToObject(o, "timestamp", ops_time_iso(n->timestamp, ts, sizeof(ts)));
	cJSON_AddStringToObject(o, "state", nz(n->state));
	if (n->since > 0)
		cJSON_AddStringToObject(o, "since", ops_time_iso(n->since, ts, sizeof(ts)));
	else
		cJSON_AddNullToObject(o, "since");
	cJSON_AddNumberToObject(o, "suppressed", (double)n->suppressed);
	cJSON_AddStringToObject(o, "home", nz(n->home));
	if (n->context != NULL && add_context(o, n) < 0) {
		cJSON_Delete(o);
		return -1;
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return -1;
	ops_san_puts(out, text, OPS_SAN_JSON);
	free(text);
	return out->oom ? -1 : 0;
}

/* Text on one line, through the one sanitiser (ops_sanitize): control
 * characters become '?', invalid UTF-8 U+FFFD. */
static void
add_flat(struct ops_buf *b, const char *s, size_t max)
{
	char *cut = s ? strndup(s, max) : NULL;

	ops_san_puts(b, cut, OPS_SAN_LINE);
	free(cut);
}

void
ops_notify_log_line(const struct ops_notice *n, struct ops_buf *out)
{
	char ts[32];
	int resolved = n->state && strcmp(n->state, "resolved") == 0;

	ops_buf_printf(out, "[%s] [%s] ", ops_time_log(n->timestamp, ts, sizeof(ts)),
	    resolved ? "RESOLVED" : nz(n->severity));
	add_flat(out, n->title, 200);
	ops_buf_puts(out, " - ");
	add_flat(out, n->message, 2000);
	if (n->suppressed > 0)
		ops_buf_printf(out, " (+%lld suppressed by the rate limit)",
		    (long long)n->suppressed);
}

int
ops_notify_log(const struct ops_config *cfg, const struct ops_notice *n,
    struct ops_err *err)
{
	struct ops_buf line = OPS_BUF_INIT;
	char dir[PATH_MAX], path[PATH_MAX];
	int rc = -1;

	ops_notify_log_line(n, &line);
	if (line.oom) {
		ops_err_sys(err, ENOMEM, "unable to write the alert log");
		goto out;
	}
	if (ops_config_path(cfg, "logs", dir, sizeof(dir), err) < 0 ||
	    ops_fs_mkdirs(dir, err) < 0 ||
	    ops_path_join(path, sizeof(path), dir, "alerts.log", err) < 0 ||
	    ops_fs_append_line(path, ops_buf_str(&line), err) < 0)
		goto out;
	rc = 0;
out:
	ops_buf_release(&line);
	return rc;
}

const char *
ops_notify_rfc5322_date(double t, char *buf, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
		"Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)floor(t);
	struct tm tm;
	long off;

	if (localtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 +0000");
		return buf;
	}
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60,
	    labs(off) % 60);
	return buf;
}

static void
base64(struct ops_buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		ops_buf_add(b, q, 4);
	}
}

/* "Name: value" with the value flattened; a value with bytes >= 0x80
 * becomes RFC 2047 encoded words, never splitting a UTF-8 sequence. */
static void
add_header(struct ops_buf *b, const char *name, const char *value)
{
	struct ops_buf flat = OPS_BUF_INIT;
	const unsigned char *p;
	size_t n, i = 0, take;
	int ascii = 1;

	add_flat(&flat, value, 900);
	p = (const unsigned char *)ops_buf_str(&flat);
	n = flat.len;
	for (size_t k = 0; k < n; k++)
		if (p[k] >= 0x80)
			ascii = 0;
	ops_buf_printf(b, "%s: ", name);
	if (ascii) {
		ops_buf_add(b, (const char *)p, n);
	} else {
		while (i < n) {
			take = n - i > 45 ? 45 : n - i;
			while (take > 1 && i + take < n && (p[i + take] & 0xc0) == 0x80)
				take--;
			if (i > 0)
				ops_buf_puts(b, "\n ");
			ops_buf_puts(b, "=?UTF-8?B?");
			base64(b, p + i, take);
			ops_buf_puts(b, "?=");
			i += take;
		}
	}
	ops_buf_puts(b, "\n");
	ops_buf_release(&flat);
}

/* A display name as RFC 5322 wants it in a mailbox: encoded words (RFC
 * 2047 section 5(3), a whole phrase) when it has bytes >= 0x80, else a
 * quoted-string when it holds a special, else as it is. */
static void
add_phrase(struct ops_buf *b, const unsigned char *p, size_t n)
{
	int ascii = 1, special = 0;

	for (size_t k = 0; k < n; k++) {
		ascii &= p[k] < 0x80;
		special |= p[k] < 0x80 && strchr("()<>[]:;@\\,.\"", p[k]) != NULL;
	}
	if (!ascii) {
		for (size_t i = 0, take; i < n; i += take) {
			take = n - i > 45 ? 45 : n - i;
			while (take > 1 && i + take < n && (p[i + take] & 0xc0) == 0x80)
				take--;
			ops_buf_puts(b, i > 0 ? " =?UTF-8?B?" : "=?UTF-8?B?");
			base64(b, p + i, take);
			ops_buf_puts(b, "?=");
		}
	} else if (special) {
		ops_buf_puts(b, "\"");
		for (size_t k = 0; k < n; k++) {
			if (p[k] == '"' || p[k] == '\\')
				ops_buf_puts(b, "\\");
			ops_buf_add(b, (const char *)p + k, 1);
		}
		ops_buf_puts(b, "\"");
	} else {
		ops_buf_add(b, (const char *)p, n);
	}
}

/* An address header (To): each mailbox of the comma-separated list as
 * "display name <addr@host>", the display name encoded as a phrase and
 * the address never (sendmail -t reads it from here), or a bare
 * address as it is. */
static void
add_address_header(struct ops_buf *b, const char *name, const char *value)
{
	struct ops_buf flat = OPS_BUF_INIT, disp = OPS_BUF_INIT;
	const char *p, *end, *lt, *gt;
	size_t dn;
	int first = 1;

	add_flat(&flat, value, 900);
	ops_buf_printf(b, "%s: ", name);
	for (p = ops_buf_str(&flat); *p; p = *end ? end + 1 : end) {
		int quoted = 0, angle = 0;

		/* the next comma outside "..." and <...> ends this mailbox */
		for (end = p; *end; end++) {
			if (*end == '\\' && quoted && end[1])
				end++;
			else if (*end == '"')
				quoted = !quoted;
			else if (*end == '<' && !quoted)
				angle = 1;
			else if (*end == '>' && !quoted)
				angle = 0;
			else if (*end == ',' && !quoted && !angle)
				break;
		}
		while (p < end && *p == ' ')
			p++;
		lt = memchr(p, '<', (size_t)(end - p));
		gt = lt ? memchr(lt, '>', (size_t)(end - lt)) : NULL;
		if (p == end)
			continue;
		ops_buf_puts(b, first ? "" : ", ");
		first = 0;
		if (lt == NULL || gt == NULL) {
			const char *e = end;

			while (e > p && e[-1] == ' ')
				e--;
			ops_buf_add(b, p, (size_t)(e - p));
			continue;
		}
		/* the display name: trimmed, unquoted */
		ops_buf_reset(&disp);
		for (const char *q = p; q < lt; q++) {
			if (*q == '"')
				continue;
			if (*q == '\\' && q + 1 < lt)
				q++;
			ops_buf_add(&disp, q, 1);
		}
		dn = disp.len;
		while (dn > 0 && ops_buf_str(&disp)[dn - 1] == ' ')
			dn--;
		if (dn > 0) {
			add_phrase(b, (const unsigned char *)ops_buf_str(&disp), dn);
			ops_buf_puts(b, " ");
		}
		ops_buf_add(b, lt, (size_t)(gt - lt + 1));
	}
	ops_buf_puts(b, "\n");
	ops_buf_release(&disp);
	ops_buf_release(&flat);
}

/* Body text: CR dropped, lines cut at 900 bytes (RFC 5322 allows 998). */
static void
add_body(struct ops_buf *b, const char *s)
{
	size_t col = 0;

	for (; s && *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n') {
			ops_buf_puts(b, "\n");
			col = 0;
			continue;
		}
		if (col >= 900 && ((unsigned char)*s & 0xc0) != 0x80) {
			ops_buf_puts(b, "\n");
			col = 0;
		}
		ops_buf_add(b, s, 1);
		col++;
	}
}

static void
host_token(char *buf, size_t len, const char *host)
{
	size_t k = 0;

	for (const char *p = nz(host); *p && k + 1 < len; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
			buf[k++] = *p;
	if (k == 0 && len > 9)
		k = (size_t)snprintf(buf, len, "localhost");
	buf[k] = '\0';
}

static unsigned
random32(void)
{
	unsigned v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
			v = 0;
		close(fd);
	}
	if (v == 0)
		v = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	return v;
}

int
ops_notify_email_format(const struct ops_config *cfg, const struct ops_notice *n,
    double now, struct ops_buf *out)
{
	struct passwd *pw = getpwuid(geteuid());
	char host[256], user[64], date[64], ts[32], from[400], subject[600];
	size_t k = 0;

	host_token(host, sizeof(host), n->host);
	for (const char *p = pw && pw->pw_name ? pw->pw_name : "dharmic-ops";
	    *p && k + 1 < sizeof(user); p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-", *p))
			user[k++] = *p;
	user[k] = '\0';
	snprintf(from, sizeof(from), "dharmic-ops <%s@%s>", k ? user : "dharmic-ops",
	    host);
	if (strcmp(nz(n->state), "resolved") == 0)
		snprintf(subject, sizeof(subject), "[dharmic-ops] RESOLVED: %s on %s",
		    nz(n->title), nz(n->host));
	else
		snprintf(subject, sizeof(subject), "[dharmic-ops] %s: %s on %s",
		    nz(n->severity), nz(n->title), nz(n->host));
	add_address_header(out, "From", from);
	add_address_header(out, "To", cfg->alert.email);
	add_header(out, "Subject", subject);
	add_header(out, "Date", ops_notify_rfc5322_date(now, date, sizeof(date)));
	ops_buf_printf(out, "Message-ID: <%.0f.%d.%08x@%s>\n", floor(now), (int)getpid(),
	    random32(), host);
	ops_buf_puts(out, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Auto-Submitted: auto-generated\n");
	add_header(out, "X-Dharmic-Ops-Alert", n->type);
	ops_buf_puts(out, "\n");
	add_body(out, nz(n->title));
	ops_buf_puts(out, "\n\n");
	add_body(out, nz(n->message));
	ops_buf_puts(out, "\n\n");
	ops_buf_printf(out, "type:       %s\nstate:      %s\nseverity:   %s\n",
	    nz(n->type), nz(n->state), nz(n->severity));
	ops_buf_printf(out, "host:       %s\n", nz(n->host));
	ops_buf_printf(out, "home:       %s\n", nz(n->home));
	ops_buf_printf(out, "time:       %s\n", ops_time_log(n->timestamp, ts, sizeof(ts)));
	if (n->since > 0)
		ops_buf_printf(out, "since:      %s\n", ops_time_log(n->since, ts, sizeof(ts)));
	if (n->suppressed > 0)
		ops_buf_printf(out, "suppressed: %lld other alert(s) held back by the "
		    "hourly limit since the last one\n", (long long)n->suppressed);
	if (n->context != NULL) {
		ops_buf_printf(out, "\nLog context, from ");
		add_body(out, nz(n->context_source));
		ops_buf_puts(out, ":\n");
		add_body(out, n->context);
		ops_buf_puts(out, "\n");
	}
	ops_buf_puts(out, "\n-- \nops-alert (dharmic-ops); see ops-alert(1)\n");
	return out->oom ? -1 : 0;
}

/* ---- channels --------------------------------------------------------- */

static int
in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	char buf[PATH_MAX];

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; *p; p = colon + 1) {
		size_t n;

		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		n = (size_t)(colon - p);
		if (n > 0 && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog) <
		    (int)sizeof(buf) && access(buf, X_OK) == 0)
			return 1;
		if (*colon == '\0')
			break;
	}
	return 0;
}

/* A channel that is not there: not a failure. */
static int
skipped(struct ops_err *err, const char *why)
{
	ops_err_set(err, OPS_E_NONE, "%s", why);
	return 0;
}

static int
run_result(const char *what, struct ops_run_result *rr, struct ops_err *err)
{
	char *nl;

	if (rr->timed_out)
		return ops_err_set(err, OPS_E_FAIL, "%s timed out", what);
	if (!rr->exited)
		return ops_err_set(err, OPS_E_FAIL, "%s killed by signal %d", what, rr->status);
	if (rr->status == 0)
		return 1;
	nl = strchr(rr->output, '\n');
	if (nl)
		*nl = '\0';
	if (rr->status == 127)
		return ops_err_set(err, OPS_E_FAIL, "unable to run %s%s%.200s", what,
		    rr->output[0] ? ": " : "", rr->output);
	return ops_err_set(err, OPS_E_FAIL, "%s exited %d%s%.200s", what, rr->status,
	    rr->output[0] ? ": " : "", rr->output);
}

static int
send_desktop(const struct ops_config *cfg, const struct ops_notice *n,
    struct ops_err *err)
{
	struct ops_run_result rr;
	struct ops_buf msg = OPS_BUF_INIT;
	int rc;

	if (!cfg->alert.desktop)
		return skipped(err, "disabled");
	add_flat(&msg, n->message, 1000);
	if (msg.oom)
		return ops_err_sys(err, ENOMEM, "desktop");
#ifdef __APPLE__
	if (!in_path("osascript")) {
		ops_buf_release(&msg);
		return skipped(err, "osascript not found");
	}
	{
		char *argv[] = { "osascript", "-e", "on run argv", "-e",
			"display notification (item 2 of argv) with title (item 1 of argv)",
			"-e", "end run", (char *)nz(n->title), msg.s, NULL };

		if (ops_run(argv, NULL, NULL, OPS_NOTIFY_TIMEOUT, 1024, &rr, err) < 0) {
			ops_buf_release(&msg);
			return -1;
		}
	}
#else
	if (!in_path("notify-send")) {
		ops_buf_release(&msg);
		return skipped(err, "notify-send not found");
	}
	/* From cron there is no session bus to talk to: nothing to show. */
	if (getenv("DBUS_SESSION_BUS_ADDRESS") == NULL && getenv("DISPLAY") == NULL &&
	    getenv("WAYLAND_DISPLAY") == NULL) {
		ops_buf_release(&msg);
		return skipped(err, "no desktop session");
	}
	{
		char *argv[] = { "notify-send", "-a", "dharmic-ops", "-u",
			strcmp(nz(n->severity), "CRITICAL") == 0 &&
			strcmp(nz(n->state), "firing") == 0 ? "critical" : "normal",
			"--", (char *)nz(n->title), msg.s ? msg.s : "", NULL };

		if (ops_run(argv, NULL, NULL, OPS_NOTIFY_TIMEOUT, 1024, &rr, err) < 0) {
			ops_buf_release(&msg);
			return -1;
		}
	}
#endif
	ops_buf_release(&msg);
	rc = run_result("the desktop notifier", &rr, err);
	ops_run_result_release(&rr);
	return rc == 1 ? 1 : -1;
}

static int
send_email(const struct ops_config *cfg, const struct ops_notice *n,
    struct ops_err *err)
{
	struct ops_buf msg = OPS_BUF_INIT;
	struct ops_run_result rr;
	char *argv[] = { cfg->alert.sendmail, "-t", "-oi", NULL };
	int rc = -1;

	if (!ops_notify_configured(cfg, OPS_CH_EMAIL))
		return skipped(err, "no address (alert.email)");
	if (cfg->alert.sendmail == NULL || cfg->alert.sendmail[0] == '\0')
		return ops_err_set(err, OPS_E_FAIL, "no sendmail program (alert.sendmail)");
	if (ops_notify_email_format(cfg, n, n->timestamp, &msg) < 0) {
		ops_err_sys(err, ENOMEM, "unable to format the message");
		goto out;
	}
	if (ops_run(argv, NULL, ops_buf_str(&msg), OPS_NOTIFY_TIMEOUT, 4096, &rr, err) < 0)
		goto out;
	rc = run_result(cfg->alert.sendmail, &rr, err);
	ops_run_result_release(&rr);
out:
	ops_buf_release(&msg);
	return rc == 1 ? 1 : -1;
}

static int
send_webhook(const struct ops_config *cfg, const struct ops_notice *n,
    struct ops_err *err)
{
	struct ops_buf body = OPS_BUF_INIT;
	int rc = -1;

	if (!ops_notify_configured(cfg, OPS_CH_WEBHOOK))
		return skipped(err, "no URL (alert.webhook)");
	if (ops_notify_json(n, &body) < 0 || body.oom) {
		ops_err_sys(err, ENOMEM, "webhook");
		goto out;
	}
	if (ops_http_request(cfg->alert.webhook, ops_buf_str(&body),
	    OPS_NOTIFY_WEBHOOK_TIMEOUT, NULL, err) < 0) {
		ops_err_prefix(err, "webhook");
		goto out;
	}
	rc = 1;
out:
	ops_buf_release(&body);
	return rc;
}

static char *
env_kv(const char *k, const char *v)
{
	struct ops_buf b = OPS_BUF_INIT;

	ops_buf_printf(&b, "%s=", k);
	add_flat(&b, v, 4000);
	if (b.oom) {
		ops_buf_release(&b);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

static int
send_command(const struct ops_config *cfg, const struct ops_notice *n,
    struct ops_err *err)
{
	struct ops_buf body = OPS_BUF_INIT;
	struct ops_run_result rr;
	char *env[6] = { NULL };
	int rc = -1;

	if (!ops_notify_configured(cfg, OPS_CH_COMMAND))
		return skipped(err, "no command (alert.command)");
	env[0] = env_kv("ALERT_TYPE", nz(n->type));
	env[1] = env_kv("ALERT_SEVERITY", nz(n->severity));
	env[2] = env_kv("ALERT_TITLE", nz(n->title));
	env[3] = env_kv("ALERT_MESSAGE", nz(n->message));
	env[4] = env_kv("ALERT_STATE", nz(n->state));
	if (!env[0] || !env[1] || !env[2] || !env[3] || !env[4] ||
	    ops_notify_json(n, &body) < 0) {
		ops_err_sys(err, ENOMEM, "command");
		goto out;
	}
	ops_buf_puts(&body, "\n");
	if (ops_run(cfg->alert.command.v, env, ops_buf_str(&body), OPS_NOTIFY_TIMEOUT,
	    4096, &rr, err) < 0)
		goto out;
	rc = run_result(cfg->alert.command.v[0], &rr, err);
	ops_run_result_release(&rr);
out:
	for (int i = 0; i < 5; i++)
		free(env[i]);
	ops_buf_release(&body);
	return rc == 1 ? 1 : -1;
}

int
ops_notify_send(const struct ops_config *cfg, enum ops_channel ch,
    const struct ops_notice *n, struct ops_err *err)
{
	switch (ch) {
	case OPS_CH_DESKTOP:
		return send_desktop(cfg, n, err);
	case OPS_CH_EMAIL:
		return send_email(cfg, n, err);
	case OPS_CH_WEBHOOK:
		return send_webhook(cfg, n, err);
	case OPS_CH_COMMAND:
		return send_command(cfg, n, err);
	default:
		return ops_err_set(err, OPS_E_USAGE, "no channel %d", (int)ch);
	}
}
