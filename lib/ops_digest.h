/* ops_digest: SHA-256 through OpenSSL's EVP interface, streaming.
 *
 * struct ops_sha256 owns an EVP context: ops_sha256_init, any number of
 * ops_sha256_update, ops_sha256_final (which writes the lowercase hex form
 * and may be followed by ops_sha256_init again), ops_sha256_release. */
#ifndef OPS_DIGEST_H
#define OPS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "ops_err.h"

#define OPS_SHA256_HEX 65	/* 64 hex digits and a NUL */

struct ops_sha256 {
	void *ctx;		/* EVP_MD_CTX */
};

#define OPS_SHA256_INIT { NULL }

int ops_sha256_init(struct ops_sha256 *h, struct ops_err *err);
int ops_sha256_update(struct ops_sha256 *h, const void *data, size_t len,
    struct ops_err *err);
int ops_sha256_final(struct ops_sha256 *h, char hex[OPS_SHA256_HEX],
    struct ops_err *err);
void ops_sha256_release(struct ops_sha256 *h);

/* Hash the first len bytes of fd from offset 0 (pread, the offset of fd
 * is not moved). Fewer than len bytes is an error naming what (for
 * messages). */
int ops_sha256_fd(int fd, uint64_t len, const char *what,
    char hex[OPS_SHA256_HEX], struct ops_err *err);

/* 1 when s is 64 lowercase hex digits. */
int ops_sha256_hex_valid(const char *s);

#endif
