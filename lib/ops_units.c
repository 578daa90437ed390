#include "ops_units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Leading decimal number (no sign, no exponent, no hex): strtod accepts far
 * more than a config value should ("inf", "0x10", "1e9"). */
static int
parse_number(const char *s, double *out, const char **rest)
{
	const char *p = s;
	char *end;
	int digits = 0;

	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (errno != 0 || end != p || !isfinite(*out))
		return -1;
	*rest = p;
	return 0;
}

int
ops_size_parse(const char *s, uint64_t *out, struct ops_err *err)
{
	static const char units[] = "KMGT";
	const char *rest, *u;
	double v, mult = 1;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_number(s, &v, &rest) < 0)
		goto bad;
	if (*rest != '\0') {
		u = strchr(units, toupper((unsigned char)*rest));
		if (u == NULL)
			goto bad;
		for (const char *k = units; k <= u; k++)
			mult *= 1024;
		rest++;
		if (strcasecmp(rest, "") != 0 && strcasecmp(rest, "B") != 0 &&
		    strcasecmp(rest, "iB") != 0)
			goto bad;
	}
	v *= mult;
	if (v >= 18446744073709551616.0)
		goto bad;
	*out = (uint64_t)v;
	return 0;
bad:
	return ops_err_set(err, OPS_E_USAGE,
	    "invalid size '%s' (expected a number with an optional K, M, G or T suffix)",
	    s);
}

int
ops_duration_parse(const char *s, double *out, struct ops_err *err)
{
	const char *rest;
	double v, mult;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_number(s, &v, &rest) < 0)
		goto bad;
	switch (*rest) {
	case '\0':
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		goto bad;
	}
	if (*rest != '\0' && rest[1] != '\0')
		goto bad;
	v *= mult;
	if (!isfinite(v) || v > 1e12)
		goto bad;
	*out = v;
	return 0;
bad:
	return ops_err_set(err, OPS_E_USAGE,
	    "invalid duration '%s' (expected a number with an optional s, m, h, d or w suffix)",
	    s);
}

const char *
ops_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
	return buf;
}

const char *
ops_duration_format(double seconds, char *buf, size_t len)
{
	long long s = (long long)(seconds < 0 ? -seconds : seconds);
	const char *sign = seconds < 0 ? "-" : "";

	if (s < 60)
		snprintf(buf, len, "%s%llds", sign, s);
	else if (s < 3600)
		snprintf(buf, len, "%s%lldm %llds", sign, s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%s%lldh %lldm", sign, s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%s%lldd %lldh", sign, s / 86400, s % 86400 / 3600);
	return buf;
}
