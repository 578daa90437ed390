/* ops_digest: SHA-256 against known vectors, streaming, and the hashing
 * thread (in order, with a sink, buffers recycled, after a failure). */
#include "ops_digest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", \
	__FILE__, __LINE__, #c); failures++; } } while (0)

static const char EMPTY[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char ABC[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
/* "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" */
static const char ABC448[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
/* a million 'a' */
static const char MILLION[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

struct sink {
	char *data;
	size_t len, cap;
	int fail_after;		/* fail on this call (1-based), 0 never */
	int calls;
};

static int
sink(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	if (++s->calls == s->fail_after)
		return -1;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->data = realloc(s->data, s->cap);
	}
	memcpy(s->data + s->len, buf, len);
	s->len += len;
	return 0;
}

int
main(void)
{
	struct ops_sha256 h = OPS_SHA256_INIT;
	struct ops_hasher *hs = NULL;
	struct ops_err err = OPS_ERR_INIT;
	char hex[OPS_SHA256_HEX], path[] = "/tmp/test_ops_digest.XXXXXX";
	char *million = malloc(1000000);
	int fd;

	memset(million, 'a', 1000000);
	CHECK(ops_sha256_init(&h, &err) == 0 && ops_sha256_final(&h, hex, &err) == 0);
	CHECK(strcmp(hex, EMPTY) == 0);
	CHECK(ops_sha256_init(&h, &err) == 0 && ops_sha256_update(&h, "abc", 3, &err) == 0 &&
	    ops_sha256_final(&h, hex, &err) == 0);
	CHECK(strcmp(hex, ABC) == 0);
	/* streaming in odd pieces is the same as at once */
	CHECK(ops_sha256_init(&h, &err) == 0);
	for (size_t off = 0; off < 1000000; off += 7777)
		ops_sha256_update(&h, million + off, off + 7777 > 1000000 ? 1000000 - off : 7777,
		    &err);
	CHECK(ops_sha256_final(&h, hex, &err) == 0 && strcmp(hex, MILLION) == 0);
	ops_sha256_release(&h);
	ops_sha256_release(&h);
	CHECK(ops_sha256_hex_valid(ABC) && !ops_sha256_hex_valid("abc") &&
	    !ops_sha256_hex_valid("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));

	/* a file, by length; short files are an error */
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, million, 1000000) == 1000000);
	CHECK(ops_sha256_fd(fd, 1000000, "f", hex, &err) == 0 && strcmp(hex, MILLION) == 0);
	CHECK(ops_sha256_fd(fd, 3, "f", hex, &err) == 0);
	CHECK(ops_sha256_fd(fd, 1000001, "f", hex, &err) < 0 && strstr(err.msg, "shrank"));
	close(fd);
	unlink(path);

	/* the hashing thread: more buffers submitted than it holds, in order */
	CHECK(ops_hasher_start(&hs, 3, 4096, &err) == 0);
	for (size_t off = 0; off < 1000000; off += 4096) {
		size_t n = off + 4096 > 1000000 ? 1000000 - off : 4096;
		char *b = ops_hasher_buffer(hs);

		memcpy(b, million + off, n);
		ops_hasher_submit(hs, b, n);
	}
	CHECK(ops_hasher_final(hs, hex, &err) == 0 && strcmp(hex, MILLION) == 0);
	/* again from a clean state; an empty digest; discarded buffers */
	ops_hasher_discard(hs, ops_hasher_buffer(hs));
	CHECK(ops_hasher_final(hs, hex, &err) == 0 && strcmp(hex, EMPTY) == 0);
	{
		const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
		struct sink s = { NULL, 0, 0, 0, 0 };

		/* with a sink: it sees every byte in order */
		ops_hasher_sink(hs, sink, &s);
		for (size_t i = 0; i < strlen(msg); i++) {
			char *b = ops_hasher_buffer(hs);

			b[0] = msg[i];
			ops_hasher_submit(hs, b, 1);
		}
		CHECK(ops_hasher_final(hs, hex, &err) == 0 && strcmp(hex, ABC448) == 0);
		CHECK(s.len == strlen(msg) && memcmp(s.data, msg, s.len) == 0);
		/* a failing sink is reported at the end, and stops being called */
		s.len = 0;
		s.calls = 0;
		s.fail_after = 2;
		for (int i = 0; i < 5; i++) {
			char *b = ops_hasher_buffer(hs);

			b[0] = 'x';
			ops_hasher_submit(hs, b, 1);
		}
		CHECK(ops_hasher_final(hs, hex, &err) < 0 && strstr(err.msg, "sink failed"));
		CHECK(s.calls == 2 && s.len == 1);
		/* cleared: the next digest is fine */
		ops_hasher_sink(hs, NULL, NULL);
		CHECK(ops_hasher_final(hs, hex, &err) == 0 && strcmp(hex, EMPTY) == 0);
		free(s.data);
	}
	ops_hasher_stop(hs);
	ops_hasher_stop(NULL);
	free(million);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures != 0;
}
