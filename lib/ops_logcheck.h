/* ops_logcheck: a log scanned for errors (health.logs, and the built-in
 * email check, which is one such log with the email_* keys).
 *
 * The newest file matching the entry's glob (by modification time, the
 * last in name order among equals; the seed email check: the last in name
 * order, as the names carry the date), confined to the home; the lines
 * matching its regex among the last window lines are counted: more than
 * warn is WARNING, more than crit CRITICAL; a newest file not written for
 * stale_after is WARNING. No file at all is OK unless stale_after is set. */
#ifndef OPS_LOGCHECK_H
#define OPS_LOGCHECK_H

#include "ops_check.h"
#include "ops_config.h"

/* The entry the email check runs: health.logs' "email" when there is one,
 * else the seed's settings from the email_* keys. Strings are borrowed
 * from cfg. */
void ops_logcheck_email(const struct ops_config *cfg, struct ops_logcheck_cfg *out);

/* Check lc at time now; add its result to r. */
void ops_logcheck_run(const struct ops_config *cfg, const struct ops_logcheck_cfg *lc,
    double now, struct ops_report *r);

/* Count the lines of text (NUL-terminated, '\n'-separated) matching the
 * compiled-on-the-fly pattern; -1 when it does not compile. *lines gets
 * the number of lines. */
long ops_logcheck_count(const char *text, const char *pattern, size_t *lines);

#endif
