/* libFuzzer harness: ops_time_parse_iso on arbitrary timestamps, local
 * and UTC. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tz_set;
	struct ops_err err = OPS_ERR_INIT;
	char *text = malloc(size + 1), buf[64];
	double t = 0, back = 0;

	if (!tz_set) {
		/* a zone with DST, so mktime's gaps and overlaps are exercised */
		setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
		tzset();
		tz_set = 1;
	}
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ops_time_parse_iso(text, &t, &err) == 0) {
		if (!isfinite(t) || t < -86400.0 * 2)
			abort();	/* 1970 or later (an offset may go a day back) */
		/* what ops_time_iso writes reads back to the same second
		 * (inside the years both forms can hold) */
		if (t >= 2 * 86400.0 && t < 253402041600.0) {
			ops_time_iso(t, buf, sizeof(buf));
			if (ops_time_parse_iso(buf, &back, &err) < 0 || back != floor(t))
				abort();
		}
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(text);
	return 0;
}
