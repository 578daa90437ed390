/* ops_agekey: age's key text forms, without the cryptography
 * (see ops_agekey.h). */
#include "ops_agekey.h"

#include <stdint.h>
#include <string.h>

static const char b32chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
b32_polymod_step(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
	    0x3d4233dd, 0x2a1462b3 };
	uint32_t top = chk >> 25;
	int i;

	chk = (chk & 0x1ffffff) << 5 ^ v;
	for (i = 0; i < 5; i++)
		if (top >> i & 1)
			chk ^= gen[i];
	return chk;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static char
upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

static uint32_t
b32_hrp_chk(const char *hrp, size_t hlen)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < hlen; i++)
		chk = b32_polymod_step(chk, (unsigned char)lower(hrp[i]) >> 5);
	chk = b32_polymod_step(chk, 0);
	for (i = 0; i < hlen; i++)
		chk = b32_polymod_step(chk, (unsigned char)lower(hrp[i]) & 31);
	return chk;
}

int
ops_bech32_encode(const char *hrp, const unsigned char *data, size_t len,
    int up, char *out, size_t outlen)
{
	size_t hlen = strlen(hrp), o = 0, i;
	size_t need = hlen + 1 + (len * 8 + 4) / 5 + 6 + 1;
	uint32_t chk, acc = 0;
	int bits = 0;

	if (hlen == 0 || need > outlen)
		return -1;
	chk = b32_hrp_chk(hrp, hlen);
	for (i = 0; i < hlen; i++)
		out[o++] = lower(hrp[i]);
	out[o++] = '1';
	for (i = 0; i < len; i++) {
		acc = acc << 8 | data[i];
		bits += 8;
		while (bits >= 5) {
			unsigned v = acc >> (bits - 5) & 31;

			bits -= 5;
			chk = b32_polymod_step(chk, v);
			out[o++] = b32chars[v];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0) {
		unsigned v = acc << (5 - bits) & 31;

		chk = b32_polymod_step(chk, v);
		out[o++] = b32chars[v];
	}
	for (i = 0; i < 6; i++)
		chk = b32_polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < 6; i++)
		out[o++] = b32chars[chk >> (5 * (5 - i)) & 31];
	out[o] = '\0';
	if (up)
		for (i = 0; i < o; i++)
			out[i] = upper(out[i]);
	return 0;
}

int
ops_bech32_decode(const char *s, char *hrp, size_t hrplen, unsigned char *data,
    size_t datamax, size_t *datalen)
{
	size_t len = strlen(s), sep, i, o = 0;
	int has_lower = 0, has_upper = 0, bits = 0;
	uint32_t chk, acc = 0;

	if (len < 8 || len > 1024)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126)
			return -1;
		has_lower |= s[i] >= 'a' && s[i] <= 'z';
		has_upper |= s[i] >= 'A' && s[i] <= 'Z';
	}
	if (has_lower && has_upper)
		return -1;
	sep = len;
	for (i = 0; i < len; i++)
		if (s[i] == '1')
			sep = i;
	if (sep == len || sep == 0 || len - sep - 1 < 6 || sep + 1 > hrplen)
		return -1;
	memcpy(hrp, s, sep);
	hrp[sep] = '\0';
	chk = b32_hrp_chk(s, sep);
	for (i = sep + 1; i < len; i++) {
		const char *p = strchr(b32chars, lower(s[i]));
		unsigned v;

		if (p == NULL || *p == '\0')
			return -1;
		v = (unsigned)(p - b32chars);
		chk = b32_polymod_step(chk, v);
		if (i >= len - 6)
			continue;
		acc = acc << 5 | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o == datamax)
				return -1;
			data[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (chk != 1 || bits >= 5 || acc != 0)
		return -1;
	*datalen = o;
	return 0;
}

int
ops_age_public_parse(const char *s, unsigned char pub[32], struct ops_err *err)
{
	char hrp[16];
	size_t n = 0;

	if (ops_bech32_decode(s, hrp, sizeof(hrp), pub, 32, &n) != 0 ||
	    strcmp(hrp, "age") != 0 || n != 32)
		return ops_err_set(err, OPS_E_USAGE,
		    "not an age X25519 recipient (age1…): '%.80s'", s);
	return 0;
}
