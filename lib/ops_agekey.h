/* ops_agekey: age's key text forms (bech32, `age1…` recipients), apart
 * from ops_age's cryptography so that a program which only checks a
 * configuration (ops-dashboard, whose server must stay small) does not
 * link OpenSSL for it. */
#ifndef OPS_AGEKEY_H
#define OPS_AGEKEY_H

#include <stddef.h>

#include "ops_err.h"

/* Bech32 (BIP 173 checksum, no 90-character limit, as age uses it):
 * encode data under hrp into out (NUL-terminated; -1 when outlen is too
 * small). Decoding refuses mixed case, bad characters, a bad checksum and
 * non-zero padding; hrp is returned as written. Exposed for the tests. */
int ops_bech32_encode(const char *hrp, const unsigned char *data, size_t len,
    int upper, char *out, size_t outlen);
int ops_bech32_decode(const char *s, char *hrp, size_t hrplen,
    unsigned char *data, size_t datamax, size_t *datalen);

/* An age X25519 recipient (`age1…`) into its 32-byte public key; -1 with
 * an OPS_E_USAGE error (err may be NULL) when s is not one. */
int ops_age_public_parse(const char *s, unsigned char pub[32], struct ops_err *err);

#endif
