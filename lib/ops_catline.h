/* ops_catline: the catalog line uploaded beside each offsite archive
 * (issue 12), REMOTE/NAME.catalog, so that a fresh host with no catalog
 * of its own can check what it fetches against what was written.
 *
 * One JSON object on one line:
 *   {"format": 1, "name": "20261203_031500.tar.zst.age", "size": 123,
 *    "sha256": "<64 hex>", "created": 1796000000, "files": 9,
 *    "data_size": 4567, "compression": "zstd", "encrypted": true}
 * name, size and sha256 are what a reader checks; the rest is for people.
 * Parsing is strict about those three (and format 1), tolerant of other
 * keys (a later version may add some), bounded in size. */
#ifndef OPS_CATLINE_H
#define OPS_CATLINE_H

#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"
#include "ops_catalog.h"
#include "ops_err.h"

#define OPS_CATLINE_SUFFIX ".catalog"
#define OPS_CATLINE_MAX 4096	/* largest line read */

struct ops_catline {
	char name[64];
	int64_t size;
	char sha256[65];
};

/* The line for row, with sha256 (hex) the archive file's, appended to out. */
void ops_catline_format(const struct ops_catalog_row *row, const char *sha256,
    struct ops_buf *out);

/* Parse text (len bytes) into l. -1 with err saying what is wrong. */
int ops_catline_parse(const char *text, size_t len, struct ops_catline *l,
    struct ops_err *err);

/* The remote name of name's line, NAME.catalog, into buf. -1 when it
 * does not fit. */
int ops_catline_name(const char *name, char *buf, size_t len);

#endif
