/* ops_status: the agent's daemon_status.json. */
#include "ops_status.h"

#include <limits.h>
#include <time.h>

#include "unit.h"

static const char spec_example[] =
    "{\"status\":\"running\",\"timestamp\":\"2026-02-02T23:17:23.994230\",\"pid\":\"76581\","
    "\"heartbeat_interval\":3600,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21.526298\","
    "\"checks_passed\":4,\"total_checks\":4}}";

static int
parse(const char *text, struct ops_agent_status *st, struct ops_err *err)
{
	return ops_status_parse(text, strlen(text), st, err);
}

static void
test_example(void)
{
	struct ops_agent_status st;
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(parse(spec_example, &st, &err), 0);
	EQ_STR(err.msg, "");
	EQ_STR(st.status, "running");
	EQ_DBL(st.timestamp, 1770074243.994230, 1e-5);
	EQ_INT(st.pid, 76581);
	EQ_DBL(st.heartbeat_interval, 3600, 0);
	EQ_DBL(st.last_heartbeat, 1770074241.526298, 1e-5);
	EQ_INT(st.checks_passed, 4);
	EQ_INT(st.total_checks, 4);

	/* only the length given is read */
	EQ_INT(ops_status_parse(spec_example, 10, &st, &err), -1);
	HAS_STR(err.msg, "not valid JSON");
}

static void
test_optional(void)
{
	struct ops_agent_status st;
	struct ops_err err = OPS_ERR_INIT;

	/* only details.last_heartbeat is required */
	EQ_INT(parse("{\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21Z\"}}", &st,
	    &err), 0);
	EQ_STR(st.status, "");
	EQ_DBL(st.timestamp, 0, 0);
	EQ_INT(st.pid, 0);
	EQ_DBL(st.heartbeat_interval, 0, 0);
	EQ_DBL(st.last_heartbeat, 1770074241, 0);
	EQ_INT(st.checks_passed, -1);
	EQ_INT(st.total_checks, -1);

	/* pid as a number; unknown fields are ignored; a long status is cut */
	EQ_INT(parse("{\"pid\":4242,\"extra\":[1,2],\"status\":"
	    "\"a very long status that does not fit in the field\","
	    "\"details\":{\"last_heartbeat\":\"2026-02-02 23:17:21+00:00\",\"more\":1}}",
	    &st, &err), 0);
	EQ_INT(st.pid, 4242);
	EQ_INT(strlen(st.status), sizeof(st.status) - 1);
	CHECK(strncmp(st.status, "a very long status", 18) == 0);
}

static void
test_malformed(void)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		/* not JSON, not an object */
		{ "", "not valid JSON" },
		{ "{", "not valid JSON" },
		{ "running", "not valid JSON" },
		{ "{\"status\":\"running\",}", "not valid JSON" },
		{ "[]", "not a JSON object" },
		{ "42", "not a JSON object" },
		{ "null", "not a JSON object" },
		{ "\"running\"", "not a JSON object" },
		/* details */
		{ "{\"status\":\"running\"}", "'details' is missing" },
		{ "{\"details\":[]}", "'details' is not an object" },
		{ "{\"details\":\"x\"}", "'details' is not an object" },
		{ "{\"details\":{}}", "'last_heartbeat' is missing" },
		{ "{\"details\":{\"last_heartbeat\":1770074241}}", "'last_heartbeat' is not a string" },
		{ "{\"details\":{\"last_heartbeat\":null}}", "'last_heartbeat' is not a string" },
		/* bad timestamps */
		{ "{\"details\":{\"last_heartbeat\":\"2026-13-02T23:17:21\"}}",
		  "'last_heartbeat': invalid timestamp" },
		{ "{\"details\":{\"last_heartbeat\":\"yesterday\"}}",
		  "'last_heartbeat': invalid timestamp" },
		{ "{\"details\":{\"last_heartbeat\":\"\"}}", "'last_heartbeat': invalid timestamp" },
		{ "{\"timestamp\":\"2026-02-30T00:00:00\","
		  "\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'timestamp': invalid timestamp" },
		{ "{\"timestamp\":5,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'timestamp' is not a string" },
		/* wrong types */
		{ "{\"status\":1,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'status' is not a string" },
		{ "{\"heartbeat_interval\":\"3600\",\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'heartbeat_interval' is not a positive number" },
		{ "{\"heartbeat_interval\":0,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'heartbeat_interval' is not a positive number" },
		{ "{\"heartbeat_interval\":-60,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'heartbeat_interval' is not a positive number" },
		{ "{\"heartbeat_interval\":1e300,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'heartbeat_interval' is not a positive number" },
		{ "{\"pid\":1e300,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'pid' is not a PID" },
		{ "{\"pid\":-1,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'pid' is not a PID" },
		{ "{\"pid\":true,\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\"}}",
		  "'pid' is not a PID" },
		{ "{\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\",\"checks_passed\":\"4\"}}",
		  "'checks_passed' is not a count" },
		{ "{\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\",\"total_checks\":-1}}",
		  "'total_checks' is not a count" },
		{ "{\"details\":{\"last_heartbeat\":\"2026-02-02T23:17:21\",\"total_checks\":1e300}}",
		  "'total_checks' is not a count" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_agent_status st;
		struct ops_err err = OPS_ERR_INIT;

		unit_case("%s", cases[i].text);
		EQ_INT(parse(cases[i].text, &st, &err), -1);
		EQ_INT(err.code, OPS_E_FAIL);
		CHECK(strncmp(err.msg, "malformed: ", 11) == 0);
		HAS_STR(err.msg, cases[i].why);
	}
	unit_case("%s", "");
}

static void
test_load(void)
{
	struct ops_agent_status st;
	struct ops_err err = OPS_ERR_INIT;
	char *tmp = unit_tmpdir(), p[PATH_MAX], l[PATH_MAX];
	char *big;

	snprintf(p, sizeof(p), "%s/daemon_status.json", tmp);
	snprintf(l, sizeof(l), "%s/link.json", tmp);
	unit_write(p, spec_example);
	EQ_INT(ops_status_load(p, &st, &err), 0);
	EQ_INT(st.pid, 76581);

	/* not through a symlink */
	CHECK(symlink(p, l) == 0);
	EQ_INT(ops_status_load(l, &st, &err), -1);
	HAS_STR(err.msg, "symlink");

	/* missing */
	unlink(l);
	ops_err_clear(&err);
	EQ_INT(ops_status_load(l, &st, &err), -1);
	EQ_INT(err.code, OPS_E_NOENT);

	/* over 64 KiB */
	big = malloc(70 * 1024);
	if (big) {
		memset(big, ' ', 70 * 1024 - 1);
		memcpy(big, spec_example, strlen(spec_example));
		big[70 * 1024 - 1] = '\0';
		unit_write(p, big);
		EQ_INT(ops_status_load(p, &st, &err), -1);
		HAS_STR(err.msg, "too large");
		free(big);
	}
	unit_cleanup(tmp);
}

int
main(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	test_example();
	test_optional();
	test_malformed();
	test_load();
	return unit_done();
}
