/* ops_serve_unit: `ops-dashboard serve` as a second user service, next to
 * the agent's (`dharmic-ops install --serve`): a systemd user unit
 * dharmic-dashboard.service or a LaunchAgent com.dharmic.dashboard,
 * running BINDIR/ops-dashboard --home HOME serve, restarted when it fails. */
#ifndef OPS_SERVE_UNIT_H
#define OPS_SERVE_UNIT_H

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_service.h"

#define OPS_SERVE_SYSTEMD_UNIT "dharmic-dashboard.service"
#define OPS_SERVE_LAUNCHD_LABEL "com.dharmic.dashboard"

/* Where the unit of manager m lives (beside the agent's). */
int ops_serve_unit_path(enum ops_manager m, char *buf, size_t len,
    struct ops_err *err);
/* The unit text; bindir holds ops-dashboard. */
int ops_serve_unit_render(const struct ops_config *cfg, enum ops_manager m,
    const char *bindir, struct ops_buf *out, struct ops_err *err);
/* Write it atomically and enable and start it (systemd: daemon-reload,
 * enable --now; launchd: bootstrap) when the manager answers; else say
 * how. With print, only render it into msg. */
int ops_serve_unit_install(const struct ops_config *cfg, enum ops_manager m,
    const char *bindir, int print, struct ops_buf *msg, struct ops_err *err);
/* Disable, stop and remove it. */
int ops_serve_unit_uninstall(enum ops_manager m, struct ops_buf *msg,
    struct ops_err *err);

#endif
