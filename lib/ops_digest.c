#include "ops_digest.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
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
