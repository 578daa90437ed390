/* libops: the library every dharmic-ops program is built on.
 * It never prints and never exits: functions return a status and fill a
 * struct ops_err. See each header for who owns what is returned. */
#ifndef OPS_H
#define OPS_H

#include "ops_alert.h"
#include "ops_alert_run.h"
#include "ops_alert_store.h"
#include "ops_buf.h"
#include "ops_check.h"
#include "ops_config.h"
#include "ops_crontab.h"
#include "ops_daemon.h"
#include "ops_dashboard.h"
#include "ops_err.h"
#include "ops_fs.h"
#include "ops_gzip.h"
#include "ops_health.h"
#include "ops_lock.h"
#include "ops_logcut.h"
#include "ops_logs.h"
#include "ops_net.h"
#include "ops_notify.h"
#include "ops_proc.h"
#include "ops_rotate.h"
#include "ops_run.h"
#include "ops_service.h"
#include "ops_state.h"
#include "ops_status.h"
#include "ops_strv.h"
#include "ops_time.h"
#include "ops_trouble.h"
#include "ops_units.h"
#include "ops_weekly.h"

#endif
