#include "ops_age.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_fs.h"

#define AGE_VERSION	"age-encryption.org/v1"
#define FILE_KEY	16
#define TAG		16
#define NONCE		16	/* the payload nonce in the file */
#define CCHUNK		(OPS_AGE_CHUNK + TAG)	/* a full ciphertext chunk */
#define BODY_COLS	64	/* base64 columns of a full body line */
#define BODY_BYTES	48	/* bytes of a full body line */
#define ARGS_KEPT	4	/* arguments remembered per stanza */
#define SCRYPT_LABEL	"age-encryption.org/v1/scrypt"
#define X25519_LABEL	"age-encryption.org/v1/X25519"

/* The dependency's own words, from OpenSSL's error queue. */
static int
sslerr(struct ops_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0)
		return ops_err_set(err, OPS_E_FAIL, "age: unable to %s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return ops_err_set(err, OPS_E_FAIL, "age: unable to %s: %s", what, buf);
}

/* ---- base64, standard alphabet, no padding, canonical only ---- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
		out[o++] = b64chars[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode len characters into out (at most outmax bytes). Refuses padding,
 * any character outside the alphabet (CR and LF included), an impossible
 * length and non-zero trailing bits: one encoding per byte string. */
static int
b64_decode(const char *in, size_t len, unsigned char *out, size_t outmax,
    size_t *outlen)
{
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > outmax)
		return -1;
	for (i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	*outlen = o;
	return 0;
}

/* ---- primitives, all through EVP ---- */

static int
hkdf(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
    size_t saltlen, const char *info, unsigned char out[32], struct ops_err *err)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[5], *p = params;
	int rc = -1;

	if (kdf == NULL || (kctx = EVP_KDF_CTX_new(kdf)) == NULL) {
		sslerr(err, "set up HKDF");
		goto out;
	}
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)ikm, ikmlen);
	if (saltlen > 0)	/* none is HashLen zeros (RFC 5869), as age means */
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    (void *)salt, saltlen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)info, strlen(info));
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, 32, params) != 1) {
		sslerr(err, "derive a key (HKDF)");
		goto out;
	}
	rc = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

static int
scrypt_key(const char *pass, const unsigned char salt[16], int logn,
    unsigned char out[32], struct ops_err *err)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[7];
	unsigned char s[sizeof(SCRYPT_LABEL) - 1 + 16];
	uint64_t n = (uint64_t)1 << logn;
	/* 128 * r * N for the work area, and room for the rest. */
	uint64_t maxmem = 128 * 8 * n + (1u << 20);
	uint32_t r = 8, par = 1;
	int rc = -1;

	memcpy(s, SCRYPT_LABEL, sizeof(SCRYPT_LABEL) - 1);
	memcpy(s + sizeof(SCRYPT_LABEL) - 1, salt, 16);
	if (kdf == NULL || (kctx = EVP_KDF_CTX_new(kdf)) == NULL) {
		sslerr(err, "set up scrypt");
		goto out;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)pass, strlen(pass));
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    s, sizeof(s));
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par);
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, 32, params) != 1) {
		sslerr(err, "derive a key from the passphrase (scrypt)");
		goto out;
	}
	rc = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

/* ChaCha20-Poly1305 with a 12-byte nonce on a context already keyed (or
 * keyed here when key is not NULL). Sealing writes len + TAG bytes; opening
 * takes len bytes that end with the tag and returns 0, or 1 when the tag
 * is wrong, -1 on an internal error. */
static int
aead(EVP_CIPHER_CTX *c, int enc, const unsigned char *key,
    const unsigned char nonce[12], const unsigned char *in, size_t len,
    unsigned char *out, struct ops_err *err)
{
	int n = 0, f = 0;
	size_t plen = enc ? len : len - TAG;

	if (!enc && len < TAG)
		return 1;
	if (EVP_CipherInit_ex(c, key != NULL ? EVP_chacha20_poly1305() : NULL,
	    NULL, key, nonce, enc) != 1)
		return sslerr(err, "initialise ChaCha20-Poly1305");
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG,
	    (void *)(in + plen)) != 1)
		return sslerr(err, "set the tag");
	if (plen > 0 && EVP_CipherUpdate(c, out, &n, in, (int)plen) != 1)
		return enc ? sslerr(err, "encrypt") : 1;
	if (EVP_CipherFinal_ex(c, out + n, &f) != 1) {
		if (enc)
			return sslerr(err, "encrypt");
		ERR_clear_error();
		return 1;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG,
	    out + plen) != 1)
		return sslerr(err, "get the tag");
	return 0;
}

/* One-shot AEAD with a zero nonce, for wrapping the file key. */
static int
aead_once(int enc, const unsigned char key[32], const unsigned char *in,
    size_t len, unsigned char *out, struct ops_err *err)
{
	static const unsigned char zero[12];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int rc;

	if (c == NULL)
		return sslerr(err, "allocate a cipher context");
	rc = aead(c, enc, key, zero, in, len, out, err);
	EVP_CIPHER_CTX_free(c);
	return rc;
}

static int
x25519_public(const unsigned char sec[32], unsigned char pub[32],
    struct ops_err *err)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sec, 32);
	size_t len = 32;
	int rc = 0;

	if (k == NULL || EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 ||
	    len != 32)
		rc = sslerr(err, "compute an X25519 public key");
	EVP_PKEY_free(k);
	return rc;
}

/* X25519(sec, pub); 1 when the result is all zeros (a low-order point,
 * which age forbids), -1 on error. */
static int
x25519(const unsigned char sec[32], const unsigned char pub[32],
    unsigned char out[32], struct ops_err *err)
{
	static const unsigned char zero[32];
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sec, 32);
	EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = 32;
	int rc = -1;

	if (k == NULL || peer == NULL || (ctx = EVP_PKEY_CTX_new(k, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, peer) != 1) {
		sslerr(err, "set up X25519");
		goto out;
	}
	/* OpenSSL itself refuses an all-zero result: that is the low-order case. */
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != 32) {
		ERR_clear_error();
		rc = 1;
		goto out;
	}
	rc = CRYPTO_memcmp(out, zero, 32) == 0 ? 1 : 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(k);
	return rc;
}

static int
random_bytes(unsigned char *buf, size_t len, struct ops_err *err)
{
	if (RAND_bytes(buf, (int)len) != 1)
		return sslerr(err, "get random bytes");
	return 0;
}

/* ---- keys ---- */

static int
parse_public(const char *s, unsigned char pub[32], struct ops_err *err)
{
	return ops_age_public_parse(s, pub, err);
}

static int
parse_secret(const char *s, unsigned char sec[32], struct ops_err *err)
{
	char hrp[32];
	size_t n = 0;

	/* The message never quotes the key. */
	if (ops_bech32_decode(s, hrp, sizeof(hrp), sec, 32, &n) != 0 ||
	    strcmp(hrp, "AGE-SECRET-KEY-") != 0 || n != 32) {
		OPENSSL_cleanse(sec, 32);
		return ops_err_set(err, OPS_E_USAGE,
		    "not an age X25519 identity (AGE-SECRET-KEY-1…)");
	}
	return 0;
}

int
ops_age_file_key(unsigned char key[16], struct ops_err *err)
{
	return random_bytes(key, FILE_KEY, err);
}

int
ops_age_keygen(char secret[OPS_AGE_SECRET_LEN + 1],
    char public_key[OPS_AGE_PUBLIC_LEN + 1], struct ops_err *err)
{
	unsigned char sec[32], pub[32];
	int rc = -1;

	if (random_bytes(sec, sizeof(sec), err) != 0 ||
	    x25519_public(sec, pub, err) != 0)
		goto out;
	if (ops_bech32_encode("AGE-SECRET-KEY-", sec, 32, 1, secret,
	    OPS_AGE_SECRET_LEN + 1) != 0 ||
	    ops_bech32_encode("age", pub, 32, 0, public_key,
	    OPS_AGE_PUBLIC_LEN + 1) != 0) {
		ops_err_set(err, OPS_E_FAIL, "age: unable to encode a key");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(sec, sizeof(sec));
	return rc;
}

int
ops_age_public_of(const char *secret, char public_key[OPS_AGE_PUBLIC_LEN + 1],
    struct ops_err *err)
{
	unsigned char sec[32], pub[32];
	int rc = -1;

	if (parse_secret(secret, sec, err) != 0 || x25519_public(sec, pub, err) != 0)
		goto out;
	if (ops_bech32_encode("age", pub, 32, 0, public_key,
	    OPS_AGE_PUBLIC_LEN + 1) != 0) {
		ops_err_set(err, OPS_E_FAIL, "age: unable to encode a key");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(sec, sizeof(sec));
	return rc;
}

int
ops_age_recipients_add(struct ops_age_recipients *r, const char *age1,
    struct ops_err *err)
{
	unsigned char pub[32];
	unsigned char (*keys)[32];

	if (parse_public(age1, pub, err) != 0)
		return -1;
	if (r->n >= OPS_AGE_STANZAS_MAX)
		return ops_err_set(err, OPS_E_USAGE, "more than %d age recipients",
		    OPS_AGE_STANZAS_MAX);
	if ((keys = realloc(r->keys, (r->n + 1) * sizeof(*keys))) == NULL)
		return ops_err_sys(err, errno, "age: out of memory");
	r->keys = keys;
	memcpy(r->keys[r->n++], pub, 32);
	return 0;
}

int
ops_age_recipients_set_passphrase(struct ops_age_recipients *r,
    const char *pass, struct ops_err *err)
{
	char *p;

	if (pass[0] == '\0')
		return ops_err_set(err, OPS_E_USAGE, "the age passphrase is empty");
	if ((p = strdup(pass)) == NULL)
		return ops_err_sys(err, errno, "age: out of memory");
	if (r->passphrase != NULL) {
		OPENSSL_cleanse(r->passphrase, strlen(r->passphrase));
		free(r->passphrase);
	}
	r->passphrase = p;
	return 0;
}

void
ops_age_recipients_release(struct ops_age_recipients *r)
{
	if (r == NULL)
		return;
	free(r->keys);
	if (r->passphrase != NULL) {
		OPENSSL_cleanse(r->passphrase, strlen(r->passphrase));
		free(r->passphrase);
	}
	r->keys = NULL;
	r->passphrase = NULL;
	r->n = 0;
}

int
ops_age_identities_add_key(struct ops_age_identities *ids, const char *bech32,
    struct ops_err *err)
{
	unsigned char sec[32];
	unsigned char (*keys)[32];

	if (parse_secret(bech32, sec, err) != 0)
		return -1;
	if (ids->nkeys >= OPS_AGE_STANZAS_MAX) {
		OPENSSL_cleanse(sec, sizeof(sec));
		return ops_err_set(err, OPS_E_USAGE, "more than %d age identities",
		    OPS_AGE_STANZAS_MAX);
	}
	/* Grown by copying so that no old secret is left in freed memory. */
	if ((keys = malloc((ids->nkeys + 1) * sizeof(*keys))) == NULL) {
		OPENSSL_cleanse(sec, sizeof(sec));
		return ops_err_sys(err, errno, "age: out of memory");
	}
	if (ids->nkeys > 0) {
		memcpy(keys, ids->keys, ids->nkeys * sizeof(*keys));
		OPENSSL_cleanse(ids->keys, ids->nkeys * sizeof(*keys));
	}
	free(ids->keys);
	ids->keys = keys;
	memcpy(ids->keys[ids->nkeys++], sec, 32);
	OPENSSL_cleanse(sec, sizeof(sec));
	return 0;
}

int
ops_age_identities_parse(struct ops_age_identities *ids, const char *text,
    size_t len, struct ops_err *err)
{
	char line[256];
	size_t i = 0, lineno = 0, found = 0;
	int rc = -1;

	while (i < len) {
		size_t start = i, n;

		while (i < len && text[i] != '\n')
			i++;
		n = i - start;
		i++;
		lineno++;
		while (n > 0 && (text[start + n - 1] == '\r' ||
		    text[start + n - 1] == ' ' || text[start + n - 1] == '\t'))
			n--;
		if (n == 0 || text[start] == '#')
			continue;
		if (n >= sizeof(line) || memchr(text + start, '\0', n) != NULL) {
			ops_err_set(err, OPS_E_USAGE,
			    "line %zu is not an age identity (AGE-SECRET-KEY-1…)", lineno);
			goto out;
		}
		memcpy(line, text + start, n);
		line[n] = '\0';
		if (ops_age_identities_add_key(ids, line, err) != 0) {
			ops_err_prefix(err, "line %zu", lineno);
			goto out;
		}
		found++;
	}
	if (found == 0) {
		ops_err_set(err, OPS_E_USAGE, "no age identity (AGE-SECRET-KEY-1…) in it");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

int
ops_age_identities_add_passphrase(struct ops_age_identities *ids,
    const char *pass, struct ops_err *err)
{
	char **v, *p;

	if (pass[0] == '\0')
		return ops_err_set(err, OPS_E_USAGE, "the age passphrase is empty");
	if ((p = strdup(pass)) == NULL)
		return ops_err_sys(err, errno, "age: out of memory");
	if ((v = realloc(ids->pass, (ids->npass + 1) * sizeof(*v))) == NULL) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
		return ops_err_sys(err, errno, "age: out of memory");
	}
	ids->pass = v;
	ids->pass[ids->npass++] = p;
	return 0;
}

void
ops_age_identities_release(struct ops_age_identities *ids)
{
	size_t i;

	if (ids == NULL)
		return;
	if (ids->keys != NULL)
		OPENSSL_cleanse(ids->keys, ids->nkeys * sizeof(*ids->keys));
	free(ids->keys);
	for (i = 0; i < ids->npass; i++) {
		OPENSSL_cleanse(ids->pass[i], strlen(ids->pass[i]));
		free(ids->pass[i]);
	}
	free(ids->pass);
	ids->keys = NULL;
	ids->pass = NULL;
	ids->nkeys = ids->npass = 0;
}

/* ---- file descriptor callbacks ---- */

int
ops_age_fd_write(void *ctx, const void *buf, size_t len, struct ops_err *err)
{
	if (ops_fs_write_all(*(int *)ctx, buf, len) != 0)
		return ops_err_sys(err, errno, "unable to write");
	return 0;
}

ssize_t
ops_age_fd_read(void *ctx, void *buf, size_t len, struct ops_err *err)
{
	ssize_t n;

	do
		n = read(*(int *)ctx, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ops_err_sys(err, errno, "unable to read");
	return n;
}

int
ops_age_sniff(const void *data, size_t len)
{
	return len >= sizeof(AGE_VERSION) &&
	    memcmp(data, AGE_VERSION "\n", sizeof(AGE_VERSION)) == 0;
}

/* ---- STREAM ---- */

static void
stream_nonce(unsigned char nonce[12], uint64_t counter, int last)
{
	int i;

	memset(nonce, 0, 12);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (unsigned char)(counter >> (8 * i));
	nonce[11] = last ? 1 : 0;
}

/* ---- writer ---- */

struct ops_age_writer {
	ops_age_write_fn fn;
	void *ctx;
	EVP_CIPHER_CTX *c;
	unsigned char key[32];		/* payload key */
	uint64_t counter;
	unsigned char *plain;		/* OPS_AGE_CHUNK */
	size_t plain_len;
	unsigned char *out;		/* CCHUNK */
	int state;			/* 0 open, 1 closed, -1 failed */
};

/* Append a stanza body as age lays it out: 64 columns a line, the last
 * line shorter (empty when the body fills its last line). */
static size_t
put_body(char *p, const unsigned char *body, size_t len)
{
	size_t o = 0;

	for (;;) {
		size_t n = len < BODY_BYTES ? len : BODY_BYTES;

		o += b64_encode(body, n, p + o);
		p[o++] = '\n';
		if (n < BODY_BYTES)
			return o;
		body += n;
		len -= n;
	}
}

static int
header_mac(const unsigned char file_key[FILE_KEY], const char *hdr,
    size_t len, unsigned char mac[32], struct ops_err *err)
{
	unsigned char k[32];
	size_t maclen = 0;
	int rc = -1;

	if (hkdf(file_key, FILE_KEY, NULL, 0, "header", k, err) != 0)
		goto out;
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k, sizeof(k),
	    (const unsigned char *)hdr, len, mac, 32, &maclen) == NULL ||
	    maclen != 32) {
		sslerr(err, "compute the header MAC");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static int
writer_header(struct ops_age_writer *w, const struct ops_age_recipients *r,
    struct ops_err *err)
{
	unsigned char fk[FILE_KEY], nonce[NONCE], mac[32], k[32];
	unsigned char eph[32], share[32], shared[32], salt[64], body[FILE_KEY + TAG];
	size_t cap = 256 + (r->n + 1) * 160, len = 0, i;
	char *h = malloc(cap);
	int rc = -1;

	if (h == NULL) {
		ops_err_sys(err, errno, "age: out of memory");
		goto out;
	}
	if (r->file_key != NULL)
		memcpy(fk, r->file_key, FILE_KEY);
	else if (random_bytes(fk, sizeof(fk), err) != 0)
		goto out;
	if (random_bytes(nonce, sizeof(nonce), err) != 0)
		goto out;
	len += (size_t)sprintf(h, "%s\n", AGE_VERSION);
	if (r->passphrase != NULL) {
		int logn = r->logn > 0 ? r->logn : OPS_AGE_SCRYPT_LOGN;

		if (random_bytes(salt, 16, err) != 0 ||
		    scrypt_key(r->passphrase, salt, logn, k, err) != 0 ||
		    aead_once(1, k, fk, FILE_KEY, body, err) != 0)
			goto out;
		len += (size_t)sprintf(h + len, "-> scrypt ");
		len += b64_encode(salt, 16, h + len);
		len += (size_t)sprintf(h + len, " %d\n", logn);
		len += put_body(h + len, body, sizeof(body));
	}
	for (i = 0; r->passphrase == NULL && i < r->n; i++) {
		int x;

		if (random_bytes(eph, sizeof(eph), err) != 0 ||
		    x25519_public(eph, share, err) != 0)
			goto out;
		if ((x = x25519(eph, r->keys[i], shared, err)) != 0) {
			if (x > 0)
				ops_err_set(err, OPS_E_USAGE,
				    "age recipient %zu is a low-order point", i + 1);
			goto out;
		}
		memcpy(salt, share, 32);
		memcpy(salt + 32, r->keys[i], 32);
		if (hkdf(shared, 32, salt, 64, X25519_LABEL, k, err) != 0 ||
		    aead_once(1, k, fk, FILE_KEY, body, err) != 0)
			goto out;
		len += (size_t)sprintf(h + len, "-> X25519 ");
		len += b64_encode(share, 32, h + len);
		h[len++] = '\n';
		len += put_body(h + len, body, sizeof(body));
	}
	if (r->passphrase == NULL && r->n == 0) {
		ops_err_set(err, OPS_E_USAGE, "age: no recipient to encrypt to");
		goto out;
	}
	memcpy(h + len, "---", 3);
	len += 3;
	if (header_mac(fk, h, len, mac, err) != 0)
		goto out;
	h[len++] = ' ';
	len += b64_encode(mac, 32, h + len);
	h[len++] = '\n';
	if (w->fn(w->ctx, h, len, err) != 0 || w->fn(w->ctx, nonce, NONCE, err) != 0)
		goto out;
	if (hkdf(fk, FILE_KEY, nonce, NONCE, "payload", w->key, err) != 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(fk, sizeof(fk));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(eph, sizeof(eph));
	OPENSSL_cleanse(shared, sizeof(shared));
	free(h);
	return rc;
}

int
ops_age_writer_open(struct ops_age_writer **wp, const struct ops_age_recipients *r,
    ops_age_write_fn fn, void *ctx, struct ops_err *err)
{
	struct ops_age_writer *w = calloc(1, sizeof(*w));

	*wp = NULL;
	if (w == NULL || (w->plain = malloc(OPS_AGE_CHUNK)) == NULL ||
	    (w->out = malloc(CCHUNK)) == NULL) {
		ops_err_sys(err, errno, "age: out of memory");
		goto fail;
	}
	if ((w->c = EVP_CIPHER_CTX_new()) == NULL) {
		sslerr(err, "allocate a cipher context");
		goto fail;
	}
	w->fn = fn;
	w->ctx = ctx;
	if (writer_header(w, r, err) != 0)
		goto fail;
	*wp = w;
	return 0;
fail:
	ops_age_writer_free(w);
	return -1;
}

static int
writer_chunk(struct ops_age_writer *w, int last, struct ops_err *err)
{
	unsigned char nonce[12];

	stream_nonce(nonce, w->counter, last);
	if (aead(w->c, 1, w->counter == 0 ? w->key : NULL, nonce, w->plain,
	    w->plain_len, w->out, err) != 0 ||
	    w->fn(w->ctx, w->out, w->plain_len + TAG, err) != 0) {
		w->state = -1;
		return -1;
	}
	w->counter++;
	w->plain_len = 0;
	return 0;
}

int
ops_age_write(struct ops_age_writer *w, const void *buf, size_t len,
    struct ops_err *err)
{
	const unsigned char *p = buf;

	if (w->state != 0)
		return ops_err_set(err, OPS_E_FAIL, "age: write on a %s stream",
		    w->state > 0 ? "closed" : "failed");
	while (len > 0) {
		size_t n;

		/* A full chunk leaves only once more data shows it is not the last. */
		if (w->plain_len == OPS_AGE_CHUNK && writer_chunk(w, 0, err) != 0)
			return -1;
		n = OPS_AGE_CHUNK - w->plain_len;
		if (n > len)
			n = len;
		memcpy(w->plain + w->plain_len, p, n);
		w->plain_len += n;
		p += n;
		len -= n;
	}
	return 0;
}

int
ops_age_writer_close(struct ops_age_writer *w, struct ops_err *err)
{
	if (w->state != 0)
		return ops_err_set(err, OPS_E_FAIL, "age: close of a %s stream",
		    w->state > 0 ? "closed" : "failed");
	if (writer_chunk(w, 1, err) != 0)
		return -1;
	w->state = 1;
	return 0;
}

void
ops_age_writer_free(struct ops_age_writer *w)
{
	if (w == NULL)
		return;
	if (w->plain != NULL)
		OPENSSL_cleanse(w->plain, OPS_AGE_CHUNK);
	free(w->plain);
	free(w->out);
	EVP_CIPHER_CTX_free(w->c);
	OPENSSL_cleanse(w->key, sizeof(w->key));
	free(w);
}

/* ---- reader ---- */

#define IN_CAP	(CCHUNK + 1)	/* a chunk and one byte to see what follows */

struct stanza {
	size_t argc;			/* the type included */
	size_t arg[ARGS_KEPT];		/* offsets in hdr of the first arguments */
	size_t arglen[ARGS_KEPT];
	size_t body, body_len;		/* offset and length in bodies */
};

struct ops_age_reader {
	ops_age_read_fn fn;
	void *ctx;
	unsigned char *in;		/* IN_CAP */
	size_t in_off, in_len;
	int in_eof;
	EVP_CIPHER_CTX *c;
	unsigned char key[32];
	uint64_t counter;
	unsigned char *plain;		/* OPS_AGE_CHUNK */
	size_t plain_off, plain_len;
	int done;			/* the final chunk was read */
	int trailing;			/* and data follows it */
	enum ops_age_fail failed;	/* sticky */
	struct ops_err ferr;		/* and its message */
	/* While the header is read: */
	char *hdr;			/* OPS_AGE_HEADER_MAX */
	size_t hdr_len;
	unsigned char *bodies;		/* OPS_AGE_HEADER_MAX */
	size_t bodies_len;
	struct stanza st[OPS_AGE_STANZAS_MAX];
	size_t nst;
};

static int
fail(struct ops_age_reader *r, enum ops_age_fail why, enum ops_age_fail *whyp)
{
	r->failed = why;
	if (whyp != NULL)
		*whyp = why;
	return -1;
}

/* Set the message and fail as a payload failure. */
#define PAYLOAD_FAIL(...) \
	(ops_err_set(err, OPS_E_FAIL, __VA_ARGS__), fail(r, OPS_AGE_PAYLOAD, why))

/* At least want bytes buffered, or all there is left. */
static int
fill(struct ops_age_reader *r, size_t want, struct ops_err *err)
{
	if (want > IN_CAP)
		want = IN_CAP;
	while (r->in_len - r->in_off < want && !r->in_eof) {
		ssize_t n;

		if (r->in_off > 0) {
			memmove(r->in, r->in + r->in_off, r->in_len - r->in_off);
			r->in_len -= r->in_off;
			r->in_off = 0;
		}
		n = r->fn(r->ctx, r->in + r->in_len, IN_CAP - r->in_len, err);
		if (n < 0)
			return -1;
		if (n == 0)
			r->in_eof = 1;
		r->in_len += (size_t)n;
	}
	return 0;
}

/* The next header line (without its '\n') copied to the header record;
 * *line points into it. Returns 0, -1 on a read error, 1 on a format error
 * (message set). */
static int
read_line(struct ops_age_reader *r, const char **line, size_t *len,
    struct ops_err *err)
{
	const unsigned char *nl;
	size_t avail, n;

	for (;;) {
		avail = r->in_len - r->in_off;
		nl = memchr(r->in + r->in_off, '\n',
		    avail < OPS_AGE_LINE_MAX + 1 ? avail : OPS_AGE_LINE_MAX + 1);
		if (nl != NULL)
			break;
		if (avail > OPS_AGE_LINE_MAX) {
			ops_err_set(err, OPS_E_FAIL,
			    "age header: a line is longer than %d bytes", OPS_AGE_LINE_MAX);
			return 1;
		}
		if (r->in_eof) {
			ops_err_set(err, OPS_E_FAIL, avail == 0 && r->hdr_len == 0 ?
			    "age header: the file is empty" :
			    "age header: it ends before its MAC line");
			return 1;
		}
		if (fill(r, avail + 1, err) != 0)
			return -1;
	}
	n = (size_t)(nl - (r->in + r->in_off));
	if (r->hdr_len + n + 1 > OPS_AGE_HEADER_MAX) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: longer than %d bytes", OPS_AGE_HEADER_MAX);
		return 1;
	}
	memcpy(r->hdr + r->hdr_len, r->in + r->in_off, n + 1);
	*line = r->hdr + r->hdr_len;
	*len = n;
	r->hdr_len += n + 1;
	r->in_off += n + 1;
	return 0;
}

static int
vchar_string(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 33 || s[i] > 126)
			return 0;
	return 1;
}

/* "-> TYPE ARG…" then body lines. 0, -1 read error, 1 format error. */
static int
read_stanza(struct ops_age_reader *r, const char *line, size_t len,
    struct ops_err *err)
{
	struct stanza *s;
	size_t i, start;
	int rc;

	if (r->nst == OPS_AGE_STANZAS_MAX) {
		ops_err_set(err, OPS_E_FAIL, "age header: more than %d recipient stanzas",
		    OPS_AGE_STANZAS_MAX);
		return 1;
	}
	s = &r->st[r->nst];
	memset(s, 0, sizeof(*s));
	/* Arguments: single-space separated, none empty, printable ASCII. */
	for (i = start = 3; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (!vchar_string(line + start, i - start)) {
			ops_err_set(err, OPS_E_FAIL, "age header: %s",
			    i == start ? "a stanza has an empty argument" :
			    "a stanza argument holds an invalid character");
			return 1;
		}
		if (s->argc < ARGS_KEPT) {
			s->arg[s->argc] = (size_t)(line + start - r->hdr);
			s->arglen[s->argc] = i - start;
		}
		s->argc++;
		start = i + 1;
	}
	s->body = r->bodies_len;
	for (;;) {
		const char *b;
		size_t blen, n = 0;

		if ((rc = read_line(r, &b, &blen, err)) != 0)
			return rc;
		if (blen > BODY_COLS) {
			ops_err_set(err, OPS_E_FAIL,
			    "age header: a stanza body line is longer than %d columns",
			    BODY_COLS);
			return 1;
		}
		/* bodies has room: it is as large as the header, which is longer. */
		if (b64_decode(b, blen, r->bodies + r->bodies_len,
		    OPS_AGE_HEADER_MAX - r->bodies_len, &n) != 0) {
			ops_err_set(err, OPS_E_FAIL, "age header: %s",
			    blen >= 3 && (memcmp(b, "-> ", 3) == 0 || memcmp(b, "---", 3) == 0) ?
			    "a stanza ends without a short body line" :
			    "a stanza body line is not canonical base64");
			return 1;
		}
		r->bodies_len += n;
		if (blen < BODY_COLS)
			break;
	}
	s->body_len = r->bodies_len - s->body;
	r->nst++;
	return 0;
}

static int
arg_is(const struct ops_age_reader *r, const struct stanza *s, size_t i,
    const char *want)
{
	return i < s->argc && i < ARGS_KEPT && s->arglen[i] == strlen(want) &&
	    memcmp(r->hdr + s->arg[i], want, s->arglen[i]) == 0;
}

/* Unwrapping one stanza: 0 the file key is out, 1 not for this identity,
 * -1 the stanza is invalid (a header failure, message set). */
static int
unwrap_x25519(const struct ops_age_reader *r, const struct stanza *s,
    const unsigned char sec[32], unsigned char fk[FILE_KEY], struct ops_err *err)
{
	unsigned char share[33], pub[32], shared[32], salt[64], k[32];
	size_t n = 0;
	int rc = 1, x;

	if (!arg_is(r, s, 0, "X25519"))
		return 1;
	if (s->argc != 2) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: an X25519 stanza must have exactly one argument");
		return -1;
	}
	if (b64_decode(r->hdr + s->arg[1], s->arglen[1], share, sizeof(share), &n) != 0 ||
	    n != 32) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: an X25519 share is not 32 bytes of canonical base64");
		return -1;
	}
	if (s->body_len != FILE_KEY + TAG) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: an X25519 stanza's body is not a wrapped 16-byte file key");
		return -1;
	}
	if (x25519_public(sec, pub, err) != 0)
		return -1;
	if ((x = x25519(sec, share, shared, err)) != 0) {
		if (x > 0)
			ops_err_set(err, OPS_E_FAIL,
			    "age header: an X25519 share is a low-order point");
		rc = -1;
		goto out;
	}
	memcpy(salt, share, 32);
	memcpy(salt + 32, pub, 32);
	if (hkdf(shared, 32, salt, 64, X25519_LABEL, k, err) != 0) {
		rc = -1;
		goto out;
	}
	rc = aead_once(0, k, r->bodies + s->body, s->body_len, fk, err);
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static int
unwrap_scrypt(const struct ops_age_reader *r, const struct stanza *s,
    const char *pass, unsigned char fk[FILE_KEY], struct ops_err *err)
{
	unsigned char salt[17], k[32];
	const char *wf;
	size_t n = 0, i;
	int logn = 0, rc;

	if (!arg_is(r, s, 0, "scrypt"))
		return 1;
	if (s->argc != 3) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: an scrypt stanza must have exactly two arguments");
		return -1;
	}
	if (b64_decode(r->hdr + s->arg[1], s->arglen[1], salt, sizeof(salt), &n) != 0 ||
	    n != 16) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: an scrypt salt is not 16 bytes of canonical base64");
		return -1;
	}
	/* The work factor: a decimal without sign or leading zero, 1 to the
	 * maximum (which bounds the time and memory spent on a hostile file). */
	wf = r->hdr + s->arg[2];
	for (i = 0; i < s->arglen[2] && i < 3; i++) {
		if (wf[i] < '0' || wf[i] > '9' || (i == 0 && wf[i] == '0')) {
			logn = -1;
			break;
		}
		logn = logn * 10 + (wf[i] - '0');
	}
	if (logn <= 0 || s->arglen[2] > 2 || logn > OPS_AGE_SCRYPT_MAX_LOGN) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: the scrypt work factor is not a number from 1 to %d",
		    OPS_AGE_SCRYPT_MAX_LOGN);
		return -1;
	}
	if (s->body_len != FILE_KEY + TAG) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: an scrypt stanza's body is not a wrapped 16-byte file key");
		return -1;
	}
	if (scrypt_key(pass, salt, logn, k, err) != 0)
		return -1;
	rc = aead_once(0, k, r->bodies + s->body, s->body_len, fk, err);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static int
read_header(struct ops_age_reader *r, const struct ops_age_identities *ids,
    enum ops_age_fail *why, struct ops_err *err)
{
	unsigned char fk[FILE_KEY], mac[33], want[32], nonce[NONCE];
	const char *line;
	size_t len, n = 0, i, j, maclen = 0;
	int rc, found = 0;

	/* Say "not an age file" for any other file, newline or not. */
	if ((rc = fill(r, sizeof(AGE_VERSION), err)) != 0)
		goto bad;
	if (r->in_len > 0 && !ops_age_sniff(r->in, r->in_len)) {
		ops_err_set(err, OPS_E_FAIL, "not an age file (or an unsupported version)");
		rc = 1;
		goto bad;
	}
	if ((rc = read_line(r, &line, &len, err)) != 0)
		goto bad;
	if (len != sizeof(AGE_VERSION) - 1 || memcmp(line, AGE_VERSION, len) != 0) {
		ops_err_set(err, OPS_E_FAIL, "not an age file (or an unsupported version)");
		rc = 1;
		goto bad;
	}
	for (;;) {
		if ((rc = read_line(r, &line, &len, err)) != 0)
			goto bad;
		if (len >= 3 && memcmp(line, "---", 3) == 0)
			break;
		if (len < 3 || memcmp(line, "-> ", 3) != 0) {
			ops_err_set(err, OPS_E_FAIL, "age header: a line is neither a "
			    "recipient stanza nor the MAC");
			rc = 1;
			goto bad;
		}
		if ((rc = read_stanza(r, line, len, err)) != 0)
			goto bad;
	}
	/* "--- MAC": one space, then exactly 32 bytes in canonical base64. The
	 * MAC covers the header up to and including "---". */
	if (len < 4 || line[3] != ' ' || memchr(line + 4, ' ', len - 4) != NULL ||
	    b64_decode(line + 4, len - 4, mac, sizeof(mac), &maclen) != 0 ||
	    maclen != 32) {
		ops_err_set(err, OPS_E_FAIL, "age header: the MAC line is malformed");
		rc = 1;
		goto bad;
	}
	r->hdr_len = (size_t)(line - r->hdr) + 3;
	if (r->nst == 0) {
		ops_err_set(err, OPS_E_FAIL, "age header: no recipient stanza");
		rc = 1;
		goto bad;
	}
	if ((rc = fill(r, NONCE, err)) != 0)
		goto bad;
	if (r->in_len - r->in_off < NONCE) {
		ops_err_set(err, OPS_E_FAIL, "age: the file ends before its payload nonce");
		rc = 1;
		goto bad;
	}
	memcpy(nonce, r->in + r->in_off, NONCE);
	r->in_off += NONCE;
	for (i = 0; i < r->nst; i++)
		if (arg_is(r, &r->st[i], 0, "scrypt") && r->nst != 1) {
			ops_err_set(err, OPS_E_FAIL,
			    "age header: an scrypt stanza must be the only one");
			rc = 1;
			goto bad;
		}
	if (ids->file_key != NULL) {
		memcpy(fk, ids->file_key, FILE_KEY);
		found = 1;
	}
	for (i = 0; !found && i < ids->nkeys + ids->npass; i++) {
		for (j = 0; !found && j < r->nst; j++) {
			rc = i < ids->nkeys ?
			    unwrap_x25519(r, &r->st[j], ids->keys[i], fk, err) :
			    unwrap_scrypt(r, &r->st[j], ids->pass[i - ids->nkeys], fk, err);
			if (rc < 0) {
				rc = 1;
				goto bad;
			}
			found = rc == 0;
		}
	}
	if (!found) {
		ops_err_set(err, OPS_E_FAIL, "age: no identity matches any recipient "
		    "of the file (%zu stanza%s)", r->nst, r->nst == 1 ? "" : "s");
		fail(r, OPS_AGE_NO_MATCH, why);
		rc = -1;
		goto out;
	}
	if (header_mac(fk, r->hdr, r->hdr_len, want, err) != 0) {
		fail(r, OPS_AGE_IO, why);
		rc = -1;
		goto out;
	}
	if (CRYPTO_memcmp(want, mac, 32) != 0) {
		ops_err_set(err, OPS_E_FAIL,
		    "age header: the MAC is wrong (the header was altered)");
		fail(r, OPS_AGE_HMAC, why);
		rc = -1;
		goto out;
	}
	if (hkdf(fk, FILE_KEY, nonce, NONCE, "payload", r->key, err) != 0) {
		fail(r, OPS_AGE_IO, why);
		rc = -1;
		goto out;
	}
	rc = 0;
	goto out;
bad:
	/* rc < 0: the read callback failed; > 0: the header is bad. */
	fail(r, rc < 0 ? OPS_AGE_IO : OPS_AGE_HEADER, why);
	rc = -1;
out:
	(void)n;
	OPENSSL_cleanse(fk, sizeof(fk));
	return rc;
}

int
ops_age_reader_open(struct ops_age_reader **rp,
    const struct ops_age_identities *ids, ops_age_read_fn fn, void *ctx,
    enum ops_age_fail *why, struct ops_err *err)
{
	struct ops_age_reader *r = calloc(1, sizeof(*r));

	*rp = NULL;
	if (why != NULL)
		*why = OPS_AGE_IO;
	if (r == NULL || (r->in = malloc(IN_CAP)) == NULL ||
	    (r->plain = malloc(OPS_AGE_CHUNK)) == NULL ||
	    (r->hdr = malloc(OPS_AGE_HEADER_MAX)) == NULL ||
	    (r->bodies = malloc(OPS_AGE_HEADER_MAX)) == NULL) {
		ops_err_sys(err, errno, "age: out of memory");
		goto fail;
	}
	if ((r->c = EVP_CIPHER_CTX_new()) == NULL) {
		sslerr(err, "allocate a cipher context");
		goto fail;
	}
	r->fn = fn;
	r->ctx = ctx;
	if (read_header(r, ids, why, err) != 0)
		goto fail;
	/* The header's memory is not needed any more. */
	free(r->hdr);
	free(r->bodies);
	r->hdr = NULL;
	r->bodies = NULL;
	if (why != NULL)
		*why = OPS_AGE_OK;
	*rp = r;
	return 0;
fail:
	ops_age_reader_free(r);
	return -1;
}

/* Decrypt the next chunk into plain. Whether a full chunk is the last
 * is learnt by trying: not the last first, then the last (as the
 * reference implementation does, so that what is released before a
 * failure is the same). */
static int
next_chunk(struct ops_age_reader *r, enum ops_age_fail *why, struct ops_err *err)
{
	unsigned char nonce[12];
	size_t avail, n;
	int last, rc;

	if (fill(r, CCHUNK, err) != 0)
		return fail(r, OPS_AGE_IO, why);
	avail = r->in_len - r->in_off;
	if (avail == 0)
		return PAYLOAD_FAIL("%s", r->counter == 0 ?
		    "age payload: no data after the header" :
		    "age payload: truncated (the final chunk is missing)");
	if (avail < TAG)
		return PAYLOAD_FAIL("age payload: truncated (a chunk is shorter than its tag)");
	if (r->counter == UINT64_MAX)
		return PAYLOAD_FAIL("age payload: too many chunks");
	last = avail < (size_t)CCHUNK;
	n = last ? avail : (size_t)CCHUNK;
	stream_nonce(nonce, r->counter, last);
	rc = aead(r->c, 0, r->counter == 0 ? r->key : NULL, nonce,
	    r->in + r->in_off, n, r->plain, err);
	if (rc > 0 && !last) {
		last = 1;
		stream_nonce(nonce, r->counter, last);
		rc = aead(r->c, 0, NULL, nonce, r->in + r->in_off, n, r->plain, err);
	}
	if (rc < 0)
		return fail(r, OPS_AGE_IO, why);
	if (rc > 0)
		return PAYLOAD_FAIL("age payload: chunk %llu fails authentication "
		    "(altered or truncated)", (unsigned long long)r->counter + 1);
	if (last && n == TAG && r->counter > 0)
		return PAYLOAD_FAIL("age payload: an empty final chunk after data");
	r->in_off += n;
	r->counter++;
	r->plain_off = 0;
	r->plain_len = n - TAG;
	r->done = last;
	/* Anything after the final chunk fails the read after this one. */
	if (last) {
		if (fill(r, 1, err) != 0)
			return fail(r, OPS_AGE_IO, why);
		r->trailing = r->in_len > r->in_off;
	}
	return 0;
}

ssize_t
ops_age_read(struct ops_age_reader *r, void *buf, size_t len,
    enum ops_age_fail *why, struct ops_err *err)
{
	size_t got = 0;

	if (why != NULL)
		*why = r->failed;
	if (r->failed != OPS_AGE_OK) {
		/* The first failure's message again. */
		if (err != NULL)
			*err = r->ferr;
		return -1;
	}
	while (got < len) {
		size_t n = r->plain_len - r->plain_off;

		if (n == 0) {
			if (r->done && r->trailing) {
				ops_err_set(&r->ferr, OPS_E_FAIL,
				    "age payload: data after the final chunk");
				fail(r, OPS_AGE_PAYLOAD, NULL);
			} else if (r->done) {
				break;
			} else if (next_chunk(r, NULL, &r->ferr) == 0) {
				continue;
			}
			if (got > 0)
				break;
			if (why != NULL)
				*why = r->failed;
			if (err != NULL)
				*err = r->ferr;
			return -1;
		}
		if (n > len - got)
			n = len - got;
		memcpy((unsigned char *)buf + got, r->plain + r->plain_off, n);
		r->plain_off += n;
		got += n;
	}
	return (ssize_t)got;
}

void
ops_age_reader_free(struct ops_age_reader *r)
{
	if (r == NULL)
		return;
	if (r->plain != NULL)
		OPENSSL_cleanse(r->plain, OPS_AGE_CHUNK);
	free(r->plain);
	free(r->in);
	free(r->hdr);
	free(r->bodies);
	EVP_CIPHER_CTX_free(r->c);
	OPENSSL_cleanse(r->key, sizeof(r->key));
	free(r);
}
