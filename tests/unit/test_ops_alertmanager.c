/* ops_alertmanager: the API v2 payload. */
#include "ops_alertmanager.h"

#include <cjson/cJSON.h>

#include "unit.h"

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
		  .resolved = 1 },
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
	/* only http and https URLs */
	CHECK(ops_config_load_text(&cfg, "/h", "{\"alert\": {\"alertmanager\": [\"file:///x\"]}}",
	    42, "t", &err) == -1);
	HAS_STR(err.msg, "alert.alertmanager");
	ops_config_release(&cfg);
	ops_buf_release(&b);
	return unit_done();
}
