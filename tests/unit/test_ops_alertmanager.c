/* ops_alertmanager: the API v2 payload. */
#include "ops_alertmanager.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "ops_sanitize.h"

#include "unit.h"

/* A firing alert with log context: annotations context (the lines,
 * sanitised, bounded to the newest that fit) and context_source. */
static void
test_context(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf b = OPS_BUF_INIT, big = OPS_BUF_INIT;
	struct ops_am_alert v[] = {
		{ .type = "check_app", .severity = OPS_CRITICAL, .message = "2 errors",
		  .starts = 1764000000,
		  .context = "one\ntwo \033]0;title\007 \xc2\x9b" "31m \xe2\x80\xae" " evil\n"
		  "three [redacted]\n", .context_source = "logs/app.log" },
		{ .type = "check_big", .severity = OPS_WARNING, .message = "x",
		  .starts = 1764000000, .context_source = "journalctl -u big" },
	};
	cJSON *a = NULL, *an;
	const char *c;

	/* 300 lines of 30 bytes: more than fits */
	for (int i = 0; i < 300; i++)
		ops_buf_printf(&big, "line %03d \xc3\xa9\xc3\xa9\xc3\xa9 padding....\n", i);
	v[1].context = ops_buf_str(&big);
	unit_case("%s", "alertmanager context");
	CHECK(ops_config_load_text(&cfg, "/h", "{}", 2, "t", &err) == 0);
	EQ_INT(ops_am_payload(&cfg, "h", v, 2, 1764000600, &b), 0);
	a = cJSON_Parse(ops_buf_str(&b));
	CHECK(cJSON_GetArraySize(a) == 2);
	if (a != NULL && cJSON_GetArraySize(a) == 2) {
		an = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "annotations");
		/* escapes, C1 controls and bidi overrides made '?', the
		 * trailing newline dropped */
		EQ_STR(cJSON_GetObjectItem(an, "context")->valuestring,
		    "one\ntwo ?]0;title? ?31m ? evil\nthree [redacted]");
		EQ_STR(cJSON_GetObjectItem(an, "context_source")->valuestring, "logs/app.log");
		EQ_STR(cJSON_GetObjectItem(an, "description")->valuestring, "2 errors");
		an = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 1), "annotations");
		c = cJSON_GetObjectItem(an, "context")->valuestring;
		CHECK(strlen(c) <= OPS_AM_CONTEXT_MAX);
		CHECK(strlen(c) > OPS_AM_CONTEXT_MAX - 64);
		/* the newest lines, from a line's start, the cut marked */
		CHECK(strncmp(c, "[...]\nline ", 11) == 0);
		HAS_STR(c, "line 299 \xc3\xa9\xc3\xa9\xc3\xa9 padding....");
		CHECK(strstr(c, "line 000") == NULL);
		CHECK(ops_utf8_valid(c, strlen(c)));
	}
	cJSON_Delete(a);
	/* one line longer than the room: cut inside it, never inside a
	 * UTF-8 character */
	ops_buf_reset(&big);
	for (int i = 0; i < 3000; i++)
		ops_buf_puts(&big, "\xc3\xa9");
	v[1].context = ops_buf_str(&big);
	ops_buf_reset(&b);
	EQ_INT(ops_am_payload(&cfg, "h", v + 1, 1, 1764000600, &b), 0);
	a = cJSON_Parse(ops_buf_str(&b));
	an = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "annotations");
	c = an ? cJSON_GetObjectItem(an, "context")->valuestring : "";
	CHECK(strlen(c) <= OPS_AM_CONTEXT_MAX && strncmp(c, "[...]\n\xc3\xa9", 8) == 0);
	CHECK(ops_utf8_valid(c, strlen(c)));
	HAS_STR(ops_buf_str(&b), "\"context_source\":\"journalctl -u big\"");
	cJSON_Delete(a);
	unit_case("%s", "");
	ops_config_release(&cfg);
	ops_buf_release(&big);
	ops_buf_release(&b);
}

int
main(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	const struct ops_am_alert v[] = {
		{ .type = "disk_low", .severity = OPS_WARNING, .message = "1.0 GiB free \xff",
		  .starts = 1764000000 },
		{ .type = "check_proton", .severity = OPS_CRITICAL, .message = "down",
		  .resolved = 1, .context = "resolved: not sent", .context_source = "logs/p.log" },
		/* ops-alert test's: its own severity label, a short life */
		{ .type = "test", .severity = OPS_OK, .message = "a test", .starts = 1764000600,
		  .ends = 1764000600 + OPS_AM_TEST_VALID, .level = "info" },
	};
	const double now = 1764000600;	/* 2025-11-24T16:10:00Z */
	cJSON *a = NULL, *x, *l, *an;

	CHECK(ops_config_load_text(&cfg, "/home/a/DHARMIC", "{}", 2, "t", &err) == 0);
	EQ_INT(ops_am_payload(&cfg, "host1", v, 2, now, &b), 0);
	a = cJSON_Parse(ops_buf_str(&b));
	CHECK(cJSON_IsArray(a) && cJSON_GetArraySize(a) == 2);
	if (a != NULL && cJSON_GetArraySize(a) == 2) {
		x = cJSON_GetArrayItem(a, 0);
		l = cJSON_GetObjectItem(x, "labels");
		an = cJSON_GetObjectItem(x, "annotations");
		EQ_STR(cJSON_GetObjectItem(l, "alertname")->valuestring, "disk_low");
		EQ_STR(cJSON_GetObjectItem(l, "severity")->valuestring, "warning");
		EQ_STR(cJSON_GetObjectItem(l, "instance")->valuestring, "host1");
		EQ_STR(cJSON_GetObjectItem(l, "home")->valuestring, "/home/a/DHARMIC");
		EQ_STR(cJSON_GetObjectItem(l, "check")->valuestring, "disk");
		CHECK(cJSON_GetObjectItem(an, "summary")->valuestring[0] != '\0');
		/* no context: no annotation for it */
		CHECK(cJSON_GetObjectItem(an, "context") == NULL &&
		    cJSON_GetObjectItem(an, "context_source") == NULL);
		/* invalid UTF-8 from a message is replaced, never passed on */
		EQ_STR(cJSON_GetObjectItem(an, "description")->valuestring,
		    "1.0 GiB free \xef\xbf\xbd");
		EQ_STR(cJSON_GetObjectItem(x, "startsAt")->valuestring, "2025-11-24T16:00:00Z");
		/* firing: valid for OPS_AM_VALID, renewed by the next run */
		EQ_STR(cJSON_GetObjectItem(x, "endsAt")->valuestring, "2025-11-24T16:30:00Z");
		EQ_STR(cJSON_GetObjectItem(x, "generatorURL")->valuestring,
		    "http://127.0.0.1:9731/");
		x = cJSON_GetArrayItem(a, 1);
		l = cJSON_GetObjectItem(x, "labels");
		EQ_STR(cJSON_GetObjectItem(l, "check")->valuestring, "proton");
		EQ_STR(cJSON_GetObjectItem(l, "severity")->valuestring, "critical");
		/* a resolved alert carries no context */
		an = cJSON_GetObjectItem(x, "annotations");
		CHECK(cJSON_GetObjectItem(an, "context") == NULL);
		/* resolved: ends now; no start known: now */
		EQ_STR(cJSON_GetObjectItem(x, "endsAt")->valuestring, "2025-11-24T16:10:00Z");
		EQ_STR(cJSON_GetObjectItem(x, "startsAt")->valuestring, "2025-11-24T16:10:00Z");
	}
	cJSON_Delete(a);
	ops_buf_reset(&b);
	EQ_INT(ops_am_payload(&cfg, "host1", v + 2, 1, now, &b), 0);
	HAS_STR(ops_buf_str(&b), "\"labels\":{\"alertname\":\"test\",\"severity\":\"info\",");
	HAS_STR(ops_buf_str(&b), "\"startsAt\":\"2025-11-24T16:10:00Z\","
	    "\"endsAt\":\"2025-11-24T16:15:00Z\"");
	ops_config_release(&cfg);
	/* serve.url, when set, is the generatorURL */
	ops_buf_reset(&b);
	CHECK(ops_config_load_text(&cfg, "/h", "{\"serve\": {\"url\": \"https://ops.example/\"},"
	    " \"alert\": {\"alertmanager\": [\"http://127.0.0.1:9093\"]}}", 96, "t", &err) == 0);
	EQ_INT(ops_am_payload(&cfg, "h", v, 1, now, &b), 0);
	HAS_STR(ops_buf_str(&b), "\"generatorURL\":\"https://ops.example/\"");
	ops_config_release(&cfg);
	test_context();
	/* only http and https URLs */
	CHECK(ops_config_load_text(&cfg, "/h", "{\"alert\": {\"alertmanager\": [\"file:///x\"]}}",
	    42, "t", &err) == -1);
	HAS_STR(err.msg, "alert.alertmanager");
	ops_config_release(&cfg);
	ops_buf_release(&b);
	return unit_done();
}
