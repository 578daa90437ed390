/* libFuzzer harness: the age reader (header, stanzas, MAC, STREAM) on an
 * arbitrary file, with an X25519 identity that opens the seed corpus (the
 * C2SP vectors' key); and the same bytes as an identity file and as a
 * bech32 string. No passphrase identity: scrypt would only spend time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_age.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t len, off;
};

static ssize_t
src_read(void *ctx, void *buf, size_t len, struct ops_err *err)
{
	struct src *s = ctx;
	size_t n = s->len - s->off;

	(void)err;
	/* Odd-sized reads exercise the refills. */
	if (n > len)
		n = len;
	if (n > 7777)
		n = 7777;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] =
	    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
	struct ops_age_identities ids = OPS_AGE_IDENTITIES_INIT;
	struct ops_age_identities parsed = OPS_AGE_IDENTITIES_INIT;
	struct ops_age_reader *r = NULL;
	struct ops_err err = OPS_ERR_INIT;
	struct src s = { data, size, 0 };
	enum ops_age_fail why;
	unsigned char buf[4096], bin[256];
	char hrp[64], *text;
	size_t total = 0, n;
	ssize_t got;

	if (ops_age_identities_add_key(&ids, key, &err) != 0)
		abort();
	if (ops_age_reader_open(&r, &ids, src_read, &s, &why, &err) == 0) {
		while ((got = ops_age_read(r, buf, sizeof(buf), &why, &err)) > 0)
			total += (size_t)got;
		/* Never more plaintext than ciphertext; a failure says why. */
		if (total > size || (got < 0 && (why == OPS_AGE_OK || err.msg[0] == '\0')))
			abort();
		ops_age_reader_free(r);
	} else if (why == OPS_AGE_OK || err.msg[0] == '\0' || r != NULL) {
		abort();
	}
	ops_age_identities_release(&ids);

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ops_age_identities_parse(&parsed, text, size, &err) == 0 && parsed.nkeys == 0)
		abort();
	ops_age_identities_release(&parsed);
	if (ops_bech32_decode(text, hrp, sizeof(hrp), bin, sizeof(bin), &n) == 0 &&
	    (n > sizeof(bin) || strlen(hrp) >= sizeof(hrp)))
		abort();
	free(text);
	return 0;
}
