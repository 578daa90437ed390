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

/* A hashing thread, so that hashing a stream overlaps with producing and
 * consuming it: take a buffer, fill it, use it, hand it over; the thread
 * hashes buffers in the order given and frees them. One owner thread;
 * memory: nbuf buffers of bufsize bytes. */
struct ops_hasher;

int ops_hasher_start(struct ops_hasher **h, size_t nbuf, size_t bufsize,
    struct ops_err *err);
/* A free buffer of bufsize bytes (waits for one). */
char *ops_hasher_buffer(struct ops_hasher *h);
/* Hash len bytes of buf (from ops_hasher_buffer) after those given before;
 * the buffer goes back to the free list once hashed. */
void ops_hasher_submit(struct ops_hasher *h, char *buf, size_t len);
/* Before hashing, the thread passes each buffer to sink(ctx, buf, len)
 * (writing it out, say); the first failure is kept and stops further
 * sink calls until ops_hasher_final, which reports it. Set it only while
 * nothing is queued (right after start or ops_hasher_final); NULL for
 * none. */
void ops_hasher_sink(struct ops_hasher *h,
    int (*sink)(void *ctx, const char *buf, size_t len), void *ctx);
/* Give a buffer back unhashed. */
void ops_hasher_discard(struct ops_hasher *h, char *buf);
/* Wait for everything submitted, write the digest of it, start again.
 * -1 when the sink failed (err is left to the sink's caller to fill: the
 * message says only "sink failed") or hashing did. */
int ops_hasher_final(struct ops_hasher *h, char hex[OPS_SHA256_HEX],
    struct ops_err *err);
/* Stop the thread and free everything; NULL is fine. */
void ops_hasher_stop(struct ops_hasher *h);

/* 1 when s is 64 lowercase hex digits. */
int ops_sha256_hex_valid(const char *s);

#endif
