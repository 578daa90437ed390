/* ops_crontab: the dharmic-ops schedule in the user's crontab.
 *
 * The schedule (cron/dharmic-ops.crontab, a template with @BINDIR@ and
 * @DHARMIC_HOME@ placeholders) is installed as one block per home between
 * marker lines that name the home ("# BEGIN dharmic-ops /home/a/agent");
 * everything outside the block is kept byte for byte, the other homes'
 * blocks too. A block with bare markers (written before the markers named
 * the home) belongs to the home its entries run for, and is replaced by a
 * named one at that home's next cron-install. The text
 * functions are pure (no I/O) so every case can be unit tested; the
 * crontab(1) program is run through ops_run. A crontab that cannot be read
 * (any failure of `crontab -l` but "no crontab for USER") or whose markers
 * are broken is never rewritten. */
#ifndef OPS_CRONTAB_H
#define OPS_CRONTAB_H

#include <stddef.h>

#include "ops_buf.h"
#include "ops_err.h"

#define OPS_CRONTAB_BEGIN "# BEGIN dharmic-ops"
#define OPS_CRONTAB_END "# END dharmic-ops"

/* Render the template into a marked block in out: in entry lines each
 * placeholder becomes its value quoted for sh(1), and every '%' (which
 * cron turns into a newline) is written '\%'. Template lines starting
 * "##" document the template and are dropped; other comments are kept.
 * Values holding a newline, or a '\' before a '%', cannot be written in a
 * crontab: OPS_E_USAGE. */
int ops_crontab_render(const char *tmpl, const char *bindir, const char *home,
    struct ops_buf *out, struct ops_err *err);

#define OPS_CRON_HOME_MAX 1024
#define OPS_CRON_BLOCKS_MAX 64

/* One dharmic-ops block: [begin, end) from its BEGIN line through its END
 * line and newline; home "" for bare markers. */
struct ops_cron_block {
	size_t begin, end;
	char home[OPS_CRON_HOME_MAX];
};

/* Every block in table, in order (at most max, in v). -1 (OPS_E_FAIL)
 * when the markers are broken: a BEGIN without an END, an END without a
 * BEGIN or naming another home, two blocks for one home. */
int ops_crontab_blocks(const char *table, size_t len, struct ops_cron_block *v,
    size_t max, size_t *n, struct ops_err *err);

/* Where home's block is in table (home NULL: the first block of any
 * home): 1 with [*begin, *end) its bytes; 0 when there is none; -1 when
 * the markers are broken (see ops_crontab_blocks). */
int ops_crontab_find(const char *table, size_t len, const char *home,
    size_t *begin, size_t *end, struct ops_err *err);

/* The table with block in place of home's old block, or appended when
 * there is none; a missing final newline is added. out is reset first. */
int ops_crontab_merge(const char *table, size_t len, const char *home,
    const char *block, struct ops_buf *out, struct ops_err *err);

/* The table without home's block. 1 removed, 0 there was none (out holds
 * the table unchanged), -1 broken markers. */
int ops_crontab_remove(const char *table, size_t len, const char *home,
    struct ops_buf *out, struct ops_err *err);

/* `crontab -l`: the current table in *table (caller frees; "" when the
 * user has none). Any other failure is an error. */
int ops_crontab_read(char **table, size_t *len, struct ops_err *err);

/* `crontab -` with table on its stdin. */
int ops_crontab_write(const char *table, struct ops_err *err);

struct ops_crontab_opts {
	const char *home;	/* DHARMIC_HOME, absolute */
	const char *bindir;	/* where the programs are, absolute */
	const char *tmpl;	/* template file; NULL: looked up (see below) */
	int print;		/* only render the block into out */
};

/* The template: o->tmpl, else BINDIR/../share/dharmic-ops/dharmic-ops.crontab,
 * BINDIR/share/dharmic-ops/dharmic-ops.crontab (a build tree), then the install
 * directory's share/dharmic-ops. */
int ops_crontab_template(const struct ops_crontab_opts *o, char *path, size_t len,
    struct ops_err *err);

/* Render the block and merge it into the user's crontab; with o->print
 * only put the block in out. *changed says whether the crontab was
 * rewritten (installing twice changes nothing). */
int ops_crontab_install(const struct ops_crontab_opts *o, struct ops_buf *out,
    int *changed, struct ops_err *err);

/* Remove the block; *removed says whether there was one. */
int ops_crontab_uninstall(const char *home, int *removed, struct ops_err *err);

#endif
