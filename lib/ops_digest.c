#include "ops_digest.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The dependency's own words, from OpenSSL's error queue. */
static int
sslerr(struct ops_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0)
		return ops_err_set(err, OPS_E_FAIL, "sha-256: unable to %s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return ops_err_set(err, OPS_E_FAIL, "sha-256: unable to %s: %s", what, buf);
}

int
ops_sha256_init(struct ops_sha256 *h, struct ops_err *err)
{
	if (h->ctx == NULL && (h->ctx = EVP_MD_CTX_new()) == NULL)
		return sslerr(err, "allocate a context");
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		return sslerr(err, "initialise");
	return 0;
}

int
ops_sha256_update(struct ops_sha256 *h, const void *data, size_t len,
    struct ops_err *err)
{
	if (len > 0 && EVP_DigestUpdate(h->ctx, data, len) != 1)
		return sslerr(err, "update");
	return 0;
}

int
ops_sha256_final(struct ops_sha256 *h, char hex[OPS_SHA256_HEX],
    struct ops_err *err)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		return sslerr(err, "finish");
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

void
ops_sha256_release(struct ops_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int
ops_sha256_fd(int fd, uint64_t len, const char *what,
    char hex[OPS_SHA256_HEX], struct ops_err *err)
{
	enum { BUFSZ = 256 * 1024 };
	struct ops_sha256 h = OPS_SHA256_INIT;
	uint64_t off = 0;
	char *buf;
	int rc = -1;

	buf = malloc(BUFSZ);
	if (buf == NULL)
		return ops_err_sys(err, errno, "unable to hash '%s'", what);
	if (ops_sha256_init(&h, err) < 0)
		goto out;
	while (off < len) {
		size_t want = len - off < BUFSZ ? (size_t)(len - off) : BUFSZ;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ops_err_sys(err, errno, "unable to read '%s'", what);
			goto out;
		}
		if (n == 0) {
			ops_err_set(err, OPS_E_FAIL,
			    "'%s' shrank while it was read (%llu of %llu bytes)", what,
			    (unsigned long long)off, (unsigned long long)len);
			goto out;
		}
		if (ops_sha256_update(&h, buf, (size_t)n, err) < 0)
			goto out;
		off += (uint64_t)n;
	}
	rc = ops_sha256_final(&h, hex, err);
out:
	ops_sha256_release(&h);
	free(buf);
	return rc;
}

int
ops_sha256_hex_valid(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* ---- the hashing thread ------------------------------------------------ */

/* Two workers take every buffer in the order given: one passes it to the
 * sink (when there is one), one hashes it; a buffer is free again when
 * both are done with it. A marker job ends a digest. */
struct job {
	char *buf;
	size_t len;
	int final;
};

struct ops_hasher;

struct worker {
	pthread_t thread;
	struct ops_hasher *h;
	int hashes;		/* 1: the hashing worker, 0: the sink worker */
	struct job *q;		/* ring of nbuf + 1 jobs */
	size_t head, len;
	int marker_done, started;
};

struct ops_hasher {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* any change: a job queued, a buffer freed, a marker done */
	char *mem;
	char **free;		/* free buffers (a stack) */
	unsigned char *refs;	/* per buffer: workers still to see it */
	size_t nfree, nbuf, bufsize, qcap;
	struct worker w[2];
	struct ops_sha256 sha;
	char hex[OPS_SHA256_HEX];
	int hash_failed, sink_failed, stop, sinking, locks;
	int (*sink)(void *ctx, const char *buf, size_t len);
	void *sink_ctx;
};

static void
put(struct worker *w, struct job j)
{
	w->q[(w->head + w->len) % w->h->qcap] = j;
	w->len++;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct ops_hasher *h = w->h;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		struct job j;
		int failed = 0;

		while (w->len == 0 && !h->stop)
			pthread_cond_wait(&h->cv, &h->mu);
		if (w->len == 0)
			break;
		j = w->q[w->head];
		w->head = (w->head + 1) % h->qcap;
		w->len--;
		pthread_mutex_unlock(&h->mu);
		/* The fields read here change only while no job is queued. */
		if (w->hashes && j.final) {
			if (ops_sha256_final(&h->sha, h->hex, NULL) < 0 ||
			    ops_sha256_init(&h->sha, NULL) < 0)
				failed = 1;
		} else if (w->hashes) {
			if (ops_sha256_update(&h->sha, j.buf, j.len, NULL) < 0)
				failed = 1;
		} else if (!j.final && !h->sink_failed) {
			if (h->sink(h->sink_ctx, j.buf, j.len) < 0)
				failed = 1;
		}
		pthread_mutex_lock(&h->mu);
		if (failed && w->hashes)
			h->hash_failed = 1;
		else if (failed)
			h->sink_failed = 1;
		if (j.final) {
			w->marker_done = 1;
		} else {
			size_t i = (size_t)(j.buf - h->mem) / h->bufsize;

			if (--h->refs[i] == 0)
				h->free[h->nfree++] = j.buf;
		}
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int
ops_hasher_start(struct ops_hasher **hp, size_t nbuf, size_t bufsize,
    struct ops_err *err)
{
	struct ops_hasher *h;

	*hp = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return ops_err_sys(err, errno, "unable to start hashing");
	h->nbuf = nbuf;
	h->bufsize = bufsize;
	h->qcap = nbuf + 1;
	h->mem = malloc(nbuf * bufsize);
	h->free = calloc(nbuf, sizeof(*h->free));
	h->refs = calloc(nbuf, 1);
	for (int k = 0; k < 2; k++) {
		h->w[k].h = h;
		h->w[k].hashes = k;
		h->w[k].q = calloc(h->qcap, sizeof(struct job));
	}
	if (h->mem == NULL || h->free == NULL || h->refs == NULL || h->w[0].q == NULL ||
	    h->w[1].q == NULL) {
		ops_hasher_stop(h);
		return ops_err_sys(err, ENOMEM, "unable to start hashing");
	}
	for (size_t i = 0; i < nbuf; i++)
		h->free[h->nfree++] = h->mem + i * bufsize;
	if (ops_sha256_init(&h->sha, err) < 0) {
		ops_hasher_stop(h);
		return -1;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->locks = 1;
	for (int k = 0; k < 2; k++) {
		if (pthread_create(&h->w[k].thread, NULL, worker_main, &h->w[k]) != 0) {
			ops_hasher_stop(h);
			return ops_err_sys(err, EAGAIN, "unable to start hashing");
		}
		h->w[k].started = 1;
	}
	*hp = h;
	return 0;
}

char *
ops_hasher_buffer(struct ops_hasher *h)
{
	char *b;

	pthread_mutex_lock(&h->mu);
	while (h->nfree == 0)
		pthread_cond_wait(&h->cv, &h->mu);
	b = h->free[--h->nfree];
	pthread_mutex_unlock(&h->mu);
	return b;
}

void
ops_hasher_submit(struct ops_hasher *h, char *buf, size_t len)
{
	struct job j = { buf, len, 0 };

	pthread_mutex_lock(&h->mu);
	h->refs[(size_t)(buf - h->mem) / h->bufsize] = h->sinking ? 2 : 1;
	put(&h->w[1], j);
	if (h->sinking)
		put(&h->w[0], j);
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

void
ops_hasher_sink(struct ops_hasher *h, int (*sink)(void *ctx, const char *buf, size_t len),
    void *ctx)
{
	pthread_mutex_lock(&h->mu);
	h->sink = sink;
	h->sink_ctx = ctx;
	h->sinking = sink != NULL;
	h->sink_failed = 0;
	pthread_mutex_unlock(&h->mu);
}

void
ops_hasher_discard(struct ops_hasher *h, char *buf)
{
	pthread_mutex_lock(&h->mu);
	h->free[h->nfree++] = buf;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

int
ops_hasher_final(struct ops_hasher *h, char hex[OPS_SHA256_HEX], struct ops_err *err)
{
	struct job marker = { NULL, 0, 1 };
	int hash_failed, sink_failed;

	pthread_mutex_lock(&h->mu);
	h->w[0].marker_done = !h->sinking;
	h->w[1].marker_done = 0;
	put(&h->w[1], marker);
	if (h->sinking)
		put(&h->w[0], marker);
	pthread_cond_broadcast(&h->cv);
	while (!h->w[0].marker_done || !h->w[1].marker_done)
		pthread_cond_wait(&h->cv, &h->mu);
	hash_failed = h->hash_failed;
	sink_failed = h->sink_failed;
	h->hash_failed = h->sink_failed = 0;
	memcpy(hex, h->hex, OPS_SHA256_HEX);
	pthread_mutex_unlock(&h->mu);
	if (sink_failed)
		return ops_err_set(err, OPS_E_FAIL, "sink failed");
	if (hash_failed)
		return ops_err_set(err, OPS_E_FAIL, "sha-256 failed");
	return 0;
}

void
ops_hasher_stop(struct ops_hasher *h)
{
	if (h == NULL)
		return;
	if (h->locks) {
		pthread_mutex_lock(&h->mu);
		h->stop = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		for (int k = 0; k < 2; k++)
			if (h->w[k].started)
				pthread_join(h->w[k].thread, NULL);
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
	}
	ops_sha256_release(&h->sha);
	free(h->w[0].q);
	free(h->w[1].q);
	free(h->mem);
	free(h->free);
	free(h->refs);
	free(h);
}
