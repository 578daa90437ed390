/* ops_agekey: an `age1…` recipient parses to its 32 bytes (the key
 * `age-keygen -y` prints for the x25519 vector's identity); a secret key,
 * another prefix, a short key, a broken checksum and the empty string are
 * refused as usage errors, with or without an error to fill. The bech32
 * codec itself is tested in test_ops_age. */
#include "ops_agekey.h"

#include "unit.h"

static const char pub[] =
    "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";

static void
test_valid(void)
{
	struct ops_err err = OPS_ERR_INIT;
	unsigned char key[32], raw[64];
	char hrp[16];
	size_t n = 0;

	CHECK(ops_age_public_parse(pub, key, &err) == 0);
	CHECK(ops_bech32_decode(pub, hrp, sizeof(hrp), raw, sizeof(raw), &n) == 0);
	EQ_U64(n, 32);
	CHECK(memcmp(key, raw, 32) == 0);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
		"age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryeq",
		"age1notakey",
		"",
	};
	unsigned char key[32], raw[31] = { 1, 2, 3 };
	char enc[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;

		unit_case("%s", bad[i]);
		CHECK(ops_age_public_parse(bad[i], key, &err) == -1);
		EQ_INT(err.code, OPS_E_USAGE);
		HAS_STR(err.msg, "age1");
		CHECK(ops_age_public_parse(bad[i], key, NULL) == -1);
	}
	unit_case("%s", "");
	/* 32 bytes under another prefix, and 31 under "age" */
	memset(key, 7, sizeof(key));
	CHECK(ops_bech32_encode("agf", key, 32, 0, enc, sizeof(enc)) == 0);
	CHECK(ops_age_public_parse(enc, key, NULL) == -1);
	CHECK(ops_bech32_encode("age", raw, sizeof(raw), 0, enc, sizeof(enc)) == 0);
	CHECK(ops_age_public_parse(enc, key, NULL) == -1);
}

int
main(void)
{
	test_valid();
	test_refused();
	return unit_done();
}
