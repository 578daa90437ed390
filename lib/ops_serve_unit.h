/* ops_serve_unit: `ops-dashboard serve` as a second user service, next to
 * the agent's (`dharmic-ops install --serve`): a systemd user unit
 * dharmic-dashboard-HASH.service or a LaunchAgent com.dharmic.dashboard.HASH
 * (named per home by ops_service_unit), running BINDIR/ops-dashboard
 * --home HOME serve, restarted when it fails. */
#ifndef OPS_SERVE_UNIT_H
#define OPS_SERVE_UNIT_H

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_service.h"

/* The unit text; bindir holds ops-dashboard. */
int ops_serve_unit_render(const struct ops_config *cfg, enum ops_manager m,
    const char *bindir, struct ops_buf *out, struct ops_err *err);
/* Write it atomically and enable and start it (systemd: daemon-reload,
 * enable --now; launchd: bootstrap) when the manager answers; else say
 * how. With print, only render it into msg. */
int ops_serve_unit_install(const struct ops_config *cfg, enum ops_manager m,
    const char *bindir, int print, struct ops_buf *msg, struct ops_err *err);
/* Disable, stop and remove this home's. */
int ops_serve_unit_uninstall(const struct ops_config *cfg, enum ops_manager m,
    struct ops_buf *msg, struct ops_err *err);

#endif
