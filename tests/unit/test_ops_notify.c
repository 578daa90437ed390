/* Unit tests for ops_notify's formats: the JSON body, the alerts.log line
 * and the RFC 5322 message (headers sanitized, RFC 2047 subject). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops_config.h"
#include "ops_notify.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
		    __func__, #cond); \
		failures++; \
	} \
} while (0)

static struct ops_notice
sample(void)
{
	struct ops_notice n;

	memset(&n, 0, sizeof(n));
	n.type = "daemon_critical";
	n.severity = "CRITICAL";
	n.state = "firing";
	n.title = "Daemon Critical Failure";
	n.message = "Process not running";
	n.host = "box";
	n.home = "/srv/agent";
	n.timestamp = 1800000000;
	n.since = 1799999000;
	return n;
}

static void
test_json(void)
{
	static const char *const keys[] = { "type", "severity", "title", "message", "host",
		"timestamp", "state", NULL };
	struct ops_notice n = sample();
	struct ops_buf b = OPS_BUF_INIT;
	cJSON *j;

	n.message = "line1\nline2 \"quoted\"";
	CHECK(ops_notify_json(&n, &b) == 0);
	CHECK(strchr(ops_buf_str(&b), '\n') == NULL);
	j = cJSON_Parse(ops_buf_str(&b));
	CHECK(j != NULL);
	for (size_t i = 0; j && keys[i]; i++)
		CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, keys[i])));
	CHECK(j && strcmp(cJSON_GetObjectItemCaseSensitive(j, "message")->valuestring,
	    "line1\nline2 \"quoted\"") == 0);
	CHECK(j && strncmp(cJSON_GetObjectItemCaseSensitive(j, "timestamp")->valuestring,
	    "2027-01-15T", 11) == 0);
	cJSON_Delete(j);
	ops_buf_release(&b);
}

static void
test_log_line(void)
{
	struct ops_notice n = sample();
	struct ops_buf b = OPS_BUF_INIT;
	const char *s;

	n.message = "Process not running\r\nfake line";
	ops_notify_log_line(&n, &b);
	s = ops_buf_str(&b);
	CHECK(strncmp(s, "[2027-01-15 ", 12) == 0);
	CHECK(strstr(s, "] [CRITICAL] Daemon Critical Failure - Process not running" "?" "?fake line") != NULL);
	CHECK(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
	ops_buf_reset(&b);
	n.state = "resolved";
	n.suppressed = 3;
	ops_notify_log_line(&n, &b);
	CHECK(strstr(ops_buf_str(&b), "] [RESOLVED] Daemon Critical Failure - ") != NULL);
	CHECK(strstr(ops_buf_str(&b), "(+3 suppressed by the rate limit)") != NULL);
	ops_buf_release(&b);
}

static void
test_email(void)
{
	struct ops_config cfg;
	struct ops_notice n = sample();
	struct ops_buf b = OPS_BUF_INIT;
	const char *s, *body;
	char date[64];

	memset(&cfg, 0, sizeof(cfg));
	cfg.alert.email = "ops@example.org\r\nBcc: victim@example.org";
	n.title = "Check Failed: caf\xc3\xa9";
	CHECK(ops_notify_email_format(&cfg, &n, 1800000000, &b) == 0);
	s = ops_buf_str(&b);
	body = strstr(s, "\n\n");
	CHECK(body != NULL);
	/* No header line may start with Bcc: the CR/LF were flattened (the
	 * sanitiser writes each control character as '?'). */
	CHECK(strstr(s, "\nBcc:") == NULL);
	CHECK(strstr(s, "To: ops@example.org" "?" "?Bcc: victim@example.org\n") != NULL);
	CHECK(strstr(s, "Subject: =?UTF-8?B?") != NULL);
	CHECK(strstr(s, "\nMIME-Version: 1.0\n") != NULL);
	CHECK(strstr(s, "\nContent-Type: text/plain; charset=utf-8\n") != NULL);
	CHECK(strstr(s, "\nMessage-ID: <") != NULL);
	CHECK(strncmp(s, "From: dharmic-ops <", 19) == 0);
	CHECK(strstr(s, ops_notify_rfc5322_date(1800000000, date, sizeof(date))) != NULL);
	/* Every header byte before the body is ASCII. */
	for (const char *p = s; body && p < body; p++)
		CHECK((unsigned char)*p < 0x80);
	ops_buf_release(&b);
}

/* Address headers: the display name encoded (RFC 2047 in a phrase) or
 * quoted, the address never, so sendmail -t finds the recipient. */
static void
test_email_address(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "Jos\xc3\xa9 M\xc3\xbcller <jose@example.org>",
		  "\nTo: =?UTF-8?B?Sm9zw6kgTcO8bGxlcg==?= <jose@example.org>\n" },
		{ "ops@example.org", "\nTo: ops@example.org\n" },
		{ "Ops Team <ops@example.org>, b@example.org",
		  "\nTo: Ops Team <ops@example.org>, b@example.org\n" },
		{ "\"Smith, J.\" <j@example.org>", "\nTo: \"Smith, J.\" <j@example.org>\n" },
		/* unquoted, the comma makes two: "Smith" and "J." <j@...> */
		{ "Smith, J. <j@example.org>", "\nTo: Smith, \"J.\" <j@example.org>\n" },
		{ "<only@example.org>", "\nTo: <only@example.org>\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_config cfg;
		struct ops_notice n = sample();
		struct ops_buf b = OPS_BUF_INIT;

		memset(&cfg, 0, sizeof(cfg));
		cfg.alert.email = (char *)cases[i].in;
		CHECK(ops_notify_email_format(&cfg, &n, 1800000000, &b) == 0);
		if (strstr(ops_buf_str(&b), cases[i].want) == NULL)
			fprintf(stderr, "got: %s\n", ops_buf_str(&b));
		CHECK(strstr(ops_buf_str(&b), cases[i].want) != NULL);
		ops_buf_release(&b);
	}

}

static void
test_date(void)
{
	char buf[64];

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(strcmp(ops_notify_rfc5322_date(0, buf, sizeof(buf)),
	    "Thu, 01 Jan 1970 00:00:00 +0000") == 0);
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	CHECK(strcmp(ops_notify_rfc5322_date(0, buf, sizeof(buf)),
	    "Thu, 01 Jan 1970 05:30:00 +0530") == 0);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_channels(void)
{
	CHECK(ops_channel_parse("webhook") == OPS_CH_WEBHOOK);
	CHECK(ops_channel_parse("pager") == -1);
	CHECK(strcmp(ops_channel_name(OPS_CH_COMMAND), "command") == 0);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_json();
	test_log_line();
	test_email();
	test_email_address();
	test_date();
	test_channels();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	puts("ok");
	return 0;
}
