/* ops_time: ISO 8601 timestamps as the agent writes them.
 *
 * "2026-02-02T23:17:21.526298" is local time; a trailing "Z" or "+05:30"
 * makes it absolute. A space may stand for the "T". */
#ifndef OPS_TIME_H
#define OPS_TIME_H

#include <stddef.h>
#include <time.h>

#include "ops_err.h"

/* Parse into seconds since the epoch (with the fraction). -1 and err when
 * the text is not a valid timestamp (fields out of range included). */
int ops_time_parse_iso(const char *s, double *out, struct ops_err *err);

/* Days in month m (1-12) of year y, leap years included. */
int ops_time_days_in_month(int y, int m);

/* Current time, overridable for tests through $DHARMIC_OPS_NOW (epoch
 * seconds) so that behaviour "at a given date" can be tested without
 * faketime. */
double ops_time_now(void);

/* The time of a log line "[YYYY-MM-DD HH:MM:SS] ..." (the form of
 * ops_time_log, as every history log writes it); -1 when it has none. */
int ops_time_log_line(const char *line, double *t);

/* The real clock (never $DHARMIC_OPS_NOW: for comparing with what other
 * processes write) and the monotonic clock (for deadlines and timeouts). */
double ops_time_real(void);
double ops_time_mono(void);

/* "YYYY-MM-DD HH:MM:SS" local (log lines), "YYYYMMDD_HHMMSS" local
 * (archive names), and RFC 3339 local with offset
 * ("2026-02-02T23:17:21+01:00"). Return buf. */
const char *ops_time_log(double t, char *buf, size_t len);
const char *ops_time_stamp(double t, char *buf, size_t len);
const char *ops_time_iso(double t, char *buf, size_t len);

#endif
