/* ops_backup_status: where the backups stand, from backup.dir and the
 * catalog (ops_catalog.h), for ops-health's backup check, ops-alert and
 * ops-dashboard.
 *
 * Read only: never creates backup.dir, the state database or anything
 * else. Archives the catalog does not know (copied in, a lost state
 * database) count as good by their name's age: there is nothing recorded
 * against them. */
#ifndef OPS_BACKUP_STATUS_H
#define OPS_BACKUP_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "ops_catalog.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_state.h"

struct ops_backup_status {
	int dir_errno;		/* backup.dir could not be read (ENOENT...) */
	size_t archives;	/* in backup.dir */
	uint64_t bytes;		/* their total size */
	/* The newest archive, by the time in its name ("" when none). */
	char newest[64];
	double newest_time;
	enum ops_archive_state newest_state;
	char newest_why[512];	/* the reason when bad or unchecked */
	/* The newest good one ("" when none). */
	char good[64];
	double good_time;
	/* The last `ops-backup create` run (ts 0 when none recorded). */
	double run_ts, first_run_ts;
	int run_ok;
	char run_msg[512];
	/* Drills (ops-backup verify): the last one, and the last good one. */
	double drill_ts, drill_good_ts;
	int drill_ok;
	char drill_archive[64];
	char drill_msg[512];
	/* Offsite copies: the newest archive copied, failures in a row,
	 * archives not yet copied (only when backup.offsite or offsite_command is set). */
	char offsite[64];
	double offsite_time;	/* the copied archive's time */
	double offsite_ts;	/* when it was copied */
	int64_t offsite_failures;
	char offsite_msg[512];	/* the last failure */
	size_t offsite_pending;
};

/* Fill bs. st may be NULL (then only backup.dir is read). A backup.dir
 * that cannot be read is 0 archives and dir_errno; -1 with err only when
 * backup.dir cannot even be resolved. */
int ops_backup_status_get(const struct ops_config *cfg, struct ops_statedb *st,
    struct ops_backup_status *bs, struct ops_err *err);

#endif
