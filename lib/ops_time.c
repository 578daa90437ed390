#include "ops_time.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int
ops_time_days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
ops_time_parse_iso(const char *s, double *out, struct ops_err *err)
{
	const char *p = s;
	struct tm tm;
	int y, mo, d, h, mi, sec = 0, oh, om, zone = 0, sign = 1;
	double frac = 0, scale = 0.1;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		goto bad;
	if (*p != 'T' && *p != ' ')
		goto bad;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
		goto bad;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec) < 0)
			goto bad;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			while (isdigit((unsigned char)*p)) {
				frac += (*p++ - '0') * scale;
				scale /= 10;
			}
		}
	}
	if (*p == 'Z') {
		zone = 1;
		om = oh = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) < 0)
			goto bad;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
			goto bad;
		zone = 1;
	}
	if (*p != '\0')
		goto bad;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > ops_time_days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (zone) {
		t = timegm(&tm);
		t -= sign * (oh * 3600 + om * 60);
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (t == (time_t)-1)
		goto bad;
	*out = (double)t + frac;
	return 0;
bad:
	return ops_err_set(err, OPS_E_FAIL, "invalid timestamp '%.64s'", s);
}

int
ops_time_log_line(const char *line, double *t)
{
	char stamp[20];

	if (line[0] != '[' || strnlen(line, 21) < 21 || line[20] != ']')
		return -1;
	memcpy(stamp, line + 1, 19);
	stamp[19] = '\0';
	return ops_time_parse_iso(stamp, t, NULL);
}

double
ops_time_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
ops_time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
ops_time_now(void)
{
	const char *fake = getenv("DHARMIC_OPS_NOW");
	struct timeval tv;
	char *end;
	double v;

	if (fake != NULL && *fake != '\0') {
		v = strtod(fake, &end);
		if (*end == '\0' && isfinite(v))
			return v;
	}
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static const char *
fmt(double t, int kind, char *buf, size_t len)
{
	time_t tt;
	struct tm tm;
	size_t n = 0;

	/* A time from outside (a query, a catalog row) may be any double:
	 * beyond ±1e15 s the cast to time_t is undefined, and no calendar
	 * has such a year anyway. */
	if (isfinite(t) && t > -1e15 && t < 1e15 &&
	    (tt = (time_t)floor(t), localtime_r(&tt, &tm) != NULL)) {
		switch (kind) {
		case 0:
			n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
			break;
		case 1:
			n = strftime(buf, len, "%Y%m%d_%H%M%S", &tm);
			break;
		default:
			n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
			/* RFC 3339 wants the offset as +hh:mm */
			if (n >= 5 && n + 1 < len) {
				memmove(buf + n - 1, buf + n - 2, 3);
				buf[n - 2] = ':';
				n++;
			}
		}
	}
	if (n == 0)
		snprintf(buf, len, "?");
	return buf;
}

const char *
ops_time_log(double t, char *buf, size_t len)
{
	return fmt(t, 0, buf, len);
}

const char *
ops_time_stamp(double t, char *buf, size_t len)
{
	return fmt(t, 1, buf, len);
}

const char *
ops_time_iso(double t, char *buf, size_t len)
{
	return fmt(t, 2, buf, len);
}
