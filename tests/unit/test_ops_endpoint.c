/* ops_endpoint: JSON paths and the endpoint keys of the configuration. */
#include "ops_endpoint.h"

#include <cjson/cJSON.h>

#include "unit.h"

static void
test_json_at(void)
{
	cJSON *root = cJSON_Parse("{\"status\": \"ok\", \"a\": {\"b\": [1, {\"c\": true}]},"
	    " \"x.y\": 1}");
	const cJSON *j;

	j = ops_endpoint_json_at(root, "status");
	CHECK(cJSON_IsString(j) && strcmp(j->valuestring, "ok") == 0);
	j = ops_endpoint_json_at(root, "a.b.1.c");
	CHECK(cJSON_IsTrue(j));
	j = ops_endpoint_json_at(root, "a.b.0");
	CHECK(cJSON_IsNumber(j) && j->valuedouble == 1);
	CHECK(ops_endpoint_json_at(root, "a.b.2") == NULL);
	CHECK(ops_endpoint_json_at(root, "a.b.-1") == NULL);
	CHECK(ops_endpoint_json_at(root, "a.b.x") == NULL);
	CHECK(ops_endpoint_json_at(root, "status.deeper") == NULL);
	CHECK(ops_endpoint_json_at(root, "a..b") == NULL);
	CHECK(ops_endpoint_json_at(root, "nope") == NULL);
	cJSON_Delete(root);
}

static void
test_config(void)
{
	static const struct { const char *ep; const char *err; } bad[] = {
		{ "\"expect_status\": 99", "expect_status" },
		{ "\"expect_status\": \"600\"", "expect_status" },
		{ "\"expect_status\": \"300-200\"", "expect_status" },
		{ "\"expect_status\": []", "expect_status" },
		{ "\"expect_status\": [200, \"x\"]", "expect_status" },
		{ "\"expect_body\": \"\"", "expect_body" },
		{ "\"expect_body\": {\"regex\": \"(\"}", "valid POSIX" },
		{ "\"expect_body\": {\"re\": \"x\"}", "expect_body" },
		{ "\"expect_json\": {\"path\": \"status\"}", "expect_json" },
		{ "\"expect_json\": {\"path\": \"\", \"equals\": 1}", "expect_json" },
		{ "\"cert_warn\": \"soon\"", "cert_warn" },
		{ "\"ca_file\": 1", "ca_file" },
		{ "\"expect_jsn\": 1", "unknown key" },
	};
	struct ops_err e = OPS_ERR_INIT;
	struct ops_config cfg;
	char text[512];
	const struct ops_endpoint_cfg *ep;

	snprintf(text, sizeof(text), "{\"health\": {\"endpoints\": [{\"name\": \"a\","
	    " \"url\": \"https://x/\", \"expect_status\": [200, \"301-302\", \"4xx\"],"
	    " \"expect_body\": {\"regex\": \"^ok$\"}, \"expect_json\": {\"path\": \"s\","
	    " \"equals\": {\"k\": [1]}}, \"time_warn\": 0.5, \"cert_crit\": \"1d\"}]}}");
	EQ_INT(ops_config_load_text(&cfg, "/h", text, strlen(text), "t", &e), 0);
	ep = cfg.health.endpoints;
	EQ_INT(cfg.health.nendpoints, 1);
	EQ_INT(ep->nexpect_status, 3);
	EQ_INT(ep->expect_status[1].lo, 301);
	EQ_INT(ep->expect_status[1].hi, 302);
	EQ_INT(ep->expect_status[2].lo, 400);
	EQ_INT(ep->expect_status[2].hi, 499);
	EQ_STR(ep->expect_body_regex, "^ok$");
	CHECK(ep->expect_body == NULL);
	EQ_STR(ep->expect_json_path, "s");
	EQ_STR(ep->expect_json_equals, "{\"k\":[1]}");
	EQ_DBL(ep->time_warn, 0.5, 1e-9);
	EQ_DBL(ep->time_crit, 0, 1e-9);
	EQ_DBL(ep->cert_warn, 14 * 86400, 1e-9);
	EQ_DBL(ep->cert_crit, 86400, 1e-9);
	ops_config_release(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unit_case("%s", bad[i].ep);
		snprintf(text, sizeof(text), "{\"health\": {\"endpoints\": [{\"name\": \"a\","
		    " \"url\": \"http://x/\", %s}]}}", bad[i].ep);
		ops_err_clear(&e);
		EQ_INT(ops_config_load_text(&cfg, "/h", text, strlen(text), "t", &e), -1);
		HAS_STR(e.msg, bad[i].err);
		ops_config_release(&cfg);
	}
	unit_case("%s", "");
}

int
main(void)
{
	test_json_at();
	test_config();
	return unit_done();
}
