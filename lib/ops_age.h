/* ops_age: the age file format (age-encryption.org/v1), streaming, on
 * OpenSSL 3's EVP primitives (X25519, HKDF-SHA256, HMAC-SHA256, scrypt,
 * ChaCha20-Poly1305). Files written here open with the stock `age -d`, and
 * files from `age -r`/`age -p` open here.
 *
 * A pure format module: no file or terminal I/O inside. Bytes go out
 * through a write callback and come in through a read callback (helpers
 * for a plain file descriptor are below). Memory is bounded whatever the
 * input: one 64 KiB chunk each way plus a header of at most
 * OPS_AGE_HEADER_MAX bytes; nothing is ever allocated from a size read
 * from the input.
 *
 * Recipients (writing): X25519 public keys (`age1…`, bech32) or one
 * passphrase (an scrypt stanza, which the format requires to be alone).
 * Identities (reading): X25519 secret keys (`AGE-SECRET-KEY-1…`) and/or
 * passphrases. Plaintext is released by ops_age_read only after its
 * chunk's tag has been checked; 0 from ops_age_read means the end was
 * authenticated (the final chunk seen, nothing after it). */
#ifndef OPS_AGE_H
#define OPS_AGE_H

#include <stddef.h>
#include <sys/types.h>

#include "ops_agekey.h"
#include "ops_err.h"

#define OPS_AGE_CHUNK		65536	/* plaintext bytes per STREAM chunk */
#define OPS_AGE_HEADER_MAX	65536	/* longest header accepted */
#define OPS_AGE_LINE_MAX	4096	/* longest header line accepted */
#define OPS_AGE_STANZAS_MAX	64	/* most recipient stanzas accepted */
#define OPS_AGE_SCRYPT_LOGN	18	/* work factor written (as age does) */
#define OPS_AGE_SCRYPT_MAX_LOGN	22	/* highest work factor read */
/* "age1" + 52 data + 6 checksum characters, and "AGE-SECRET-KEY-1" + 58. */
#define OPS_AGE_PUBLIC_LEN	62
#define OPS_AGE_SECRET_LEN	74

/* Why reading failed (the categories of the C2SP age test vectors). */
enum ops_age_fail {
	OPS_AGE_OK = 0,
	OPS_AGE_HEADER,		/* the header does not parse, or a stanza is invalid */
	OPS_AGE_NO_MATCH,	/* no identity opens any recipient stanza */
	OPS_AGE_HMAC,		/* the header's MAC is wrong (tampered header) */
	OPS_AGE_PAYLOAD,	/* a chunk fails, is missing, or data follows the end */
	OPS_AGE_IO,		/* the read callback failed */
};

/* Bytes out: write all of len or fail (filling err). */
typedef int (*ops_age_write_fn)(void *ctx, const void *buf, size_t len,
    struct ops_err *err);
/* Bytes in: up to len bytes, 0 at end of input, -1 on error (filling err). */
typedef ssize_t (*ops_age_read_fn)(void *ctx, void *buf, size_t len,
    struct ops_err *err);

/* Callbacks over a file descriptor; ctx points to the int fd. */
int ops_age_fd_write(void *ctx, const void *buf, size_t len, struct ops_err *err);
ssize_t ops_age_fd_read(void *ctx, void *buf, size_t len, struct ops_err *err);

/* Who a file is encrypted to. Owns its keys and passphrase (wiped on
 * release). A passphrase excludes keys: age requires an scrypt stanza to
 * be the only one. */
struct ops_age_recipients {
	size_t n;
	unsigned char (*keys)[32];	/* X25519 public keys */
	char *passphrase;
	int logn;			/* scrypt work factor; 0: OPS_AGE_SCRYPT_LOGN */
	/* The caller's 16-byte file key, or NULL for a fresh random one. Set
	 * only to read back what is being written (see file_key below). */
	const unsigned char *file_key;
};

#define OPS_AGE_RECIPIENTS_INIT { 0, NULL, NULL, 0, NULL }

/* Add an `age1…` public key (-1 with a message naming what is wrong). */
int ops_age_recipients_add(struct ops_age_recipients *r, const char *age1,
    struct ops_err *err);
int ops_age_recipients_set_passphrase(struct ops_age_recipients *r,
    const char *pass, struct ops_err *err);
void ops_age_recipients_release(struct ops_age_recipients *r);

/* What can open a file. Owns its secrets (wiped on release). */
struct ops_age_identities {
	size_t nkeys;
	unsigned char (*keys)[32];	/* X25519 secret keys */
	size_t npass;
	char **pass;
	/* The caller's: when set, the file key itself (16 bytes), checked
	 * against the header's MAC instead of unwrapping a stanza. For
	 * verifying a file as it is written, by the writer who chose it. */
	const unsigned char *file_key;
};

#define OPS_AGE_IDENTITIES_INIT { 0, NULL, 0, NULL, NULL }

/* A random file key for the two above. */
int ops_age_file_key(unsigned char key[16], struct ops_err *err);

/* Add one `AGE-SECRET-KEY-1…` key. */
int ops_age_identities_add_key(struct ops_age_identities *ids,
    const char *bech32, struct ops_err *err);
/* Add every key of an identity file's text (age-keygen's format: one key
 * a line, '#' comments and blank lines ignored; anything else is an
 * error naming the line). At least one key is required. */
int ops_age_identities_parse(struct ops_age_identities *ids,
    const char *text, size_t len, struct ops_err *err);
int ops_age_identities_add_passphrase(struct ops_age_identities *ids,
    const char *pass, struct ops_err *err);
void ops_age_identities_release(struct ops_age_identities *ids);

/* A new X25519 identity: its secret and public key as NUL-terminated
 * bech32 strings (the caller wipes secret when done). */
int ops_age_keygen(char secret[OPS_AGE_SECRET_LEN + 1],
    char public_key[OPS_AGE_PUBLIC_LEN + 1], struct ops_err *err);
/* The public key (`age1…`) of a secret key string. */
int ops_age_public_of(const char *secret, char public_key[OPS_AGE_PUBLIC_LEN + 1],
    struct ops_err *err);

/* Writer: ops_age_writer_open writes the header at once; ops_age_write
 * encrypts as it goes (a chunk leaves when the next byte arrives, so that
 * the last one can be marked as such); ops_age_writer_close writes the
 * final chunk. ops_age_writer_free (NULL is fine) wipes and frees,
 * closed or not. */
struct ops_age_writer;

int ops_age_writer_open(struct ops_age_writer **w,
    const struct ops_age_recipients *r, ops_age_write_fn fn, void *ctx,
    struct ops_err *err);
int ops_age_write(struct ops_age_writer *w, const void *buf, size_t len,
    struct ops_err *err);
int ops_age_writer_close(struct ops_age_writer *w, struct ops_err *err);
void ops_age_writer_free(struct ops_age_writer *w);

/* Reader: ops_age_reader_open reads and checks the header (stanzas, file
 * key, MAC); ops_age_read returns authenticated plaintext, 0 once the
 * whole file has been read and authenticated, -1 on failure. why (may be
 * NULL) says which kind of failure. */
struct ops_age_reader;

int ops_age_reader_open(struct ops_age_reader **r,
    const struct ops_age_identities *ids, ops_age_read_fn fn, void *ctx,
    enum ops_age_fail *why, struct ops_err *err);
ssize_t ops_age_read(struct ops_age_reader *r, void *buf, size_t len,
    enum ops_age_fail *why, struct ops_err *err);
void ops_age_reader_free(struct ops_age_reader *r);

/* 1 when data starts like an age file ("age-encryption.org/v1\n"). */
int ops_age_sniff(const void *data, size_t len);

#endif
