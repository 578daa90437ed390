#include "ops_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The libcurl entry points we use, resolved once. */
static struct {
	int loaded;
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;

static int
load(struct ops_err *err)
{
	static const char *const names[] = { "libcurl.so.4", "libcurl.4.dylib",
		"libcurl.so", NULL };
	void *h = NULL;

	if (cu.loaded)
		return 0;
	for (size_t i = 0; names[i] != NULL && h == NULL; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return ops_err_set(err, OPS_E_FAIL, "unable to load libcurl: %s", dlerror());
	/* POSIX allows converting dlsym's void * to a function pointer. */
	*(void **)&cu.easy_init = dlsym(h, "curl_easy_init");
	*(void **)&cu.easy_setopt = dlsym(h, "curl_easy_setopt");
	*(void **)&cu.easy_perform = dlsym(h, "curl_easy_perform");
	*(void **)&cu.easy_getinfo = dlsym(h, "curl_easy_getinfo");
	*(void **)&cu.easy_cleanup = dlsym(h, "curl_easy_cleanup");
	*(void **)&cu.easy_strerror = dlsym(h, "curl_easy_strerror");
	*(void **)&cu.slist_append = dlsym(h, "curl_slist_append");
	*(void **)&cu.slist_free_all = dlsym(h, "curl_slist_free_all");
	if (!cu.easy_init || !cu.easy_setopt || !cu.easy_perform || !cu.easy_getinfo ||
	    !cu.easy_cleanup || !cu.easy_strerror || !cu.slist_append ||
	    !cu.slist_free_all) {
		dlclose(h);
		return ops_err_set(err, OPS_E_FAIL, "unable to load libcurl: missing symbols");
	}
	cu.loaded = 1;
	return 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

int
ops_http_request(const char *url, const char *json_body, double timeout,
    long *status, struct ops_err *err)
{
	struct curl_slist *hdr = NULL, *h2;
	CURL *c = NULL;
	CURLcode cc;
	long code = 0;
	int rc = -1;

	if (status)
		*status = 0;
	if (load(err) < 0)
		return -1;
	c = cu.easy_init();
	if (c == NULL)
		return ops_err_set(err, OPS_E_FAIL, "unable to start libcurl");
	if (json_body != NULL) {
		hdr = cu.slist_append(NULL, "Content-Type: application/json");
		/* No "Expect: 100-continue" round trip for a small body. */
		h2 = hdr ? cu.slist_append(hdr, "Expect:") : NULL;
		if (h2 == NULL) {
			ops_err_sys(err, ENOMEM, "unable to build the request");
			goto out;
		}
		hdr = h2;
		cu.easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		cu.easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
		cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
	}
	cu.easy_setopt(c, CURLOPT_URL, url);
	cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	cu.easy_setopt(c, CURLOPT_USERAGENT, "dharmic-ops/" OPS_VERSION);
	cc = cu.easy_perform(c);
	if (cc != CURLE_OK) {
		ops_err_set(err, OPS_E_FAIL, "%s", cu.easy_strerror(cc));
		goto out;
	}
	cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (status)
		*status = code;
	if (code < 200 || code > 299) {
		ops_err_set(err, OPS_E_FAIL, "HTTP %ld", code);
		goto out;
	}
	rc = 0;
out:
	cu.slist_free_all(hdr);
	cu.easy_cleanup(c);
	return rc;
}

/* ---- a GET whose answer is read -------------------------------------- */

struct sink {
	const struct ops_http_get *o;
	struct ops_http_answer *a;
	size_t cap, total;
	int too_big, stopped;
};

static size_t
collect(char *p, size_t size, size_t n, void *u)
{
	struct sink *k = u;
	size_t len = size * n;
	char *nb;

	if (k->total + len > k->o->max_body) {
		k->too_big = 1;
		return 0;
	}
	k->total += len;
	if (k->o->on_data != NULL) {
		if (k->o->on_data(p, len, k->o->arg) != 0) {
			k->stopped = 1;
			return 0;
		}
		return len;
	}
	if (k->a->len + len + 1 > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;

		while (cap < k->a->len + len + 1)
			cap *= 2;
		nb = realloc(k->a->body, cap);
		if (nb == NULL)
			return 0;
		k->a->body = nb;
		k->cap = cap;
	}
	memcpy(k->a->body + k->a->len, p, len);
	k->a->len += len;
	k->a->body[k->a->len] = '\0';
	return len;
}

/* OpenSSL's X.509 reading, resolved when a certificate is first asked
 * for: libcurl has loaded libcrypto by then (its TLS), and a program that
 * links ops_http but never asks (ops-dashboard, whose server must stay
 * small) does not map it at all. */
static struct {
	int tried, ok;
	BIO *(*bio_new_mem_buf)(const void *, int);
	X509 *(*pem_read_bio_x509)(BIO *, X509 **, pem_password_cb *, void *);
	const ASN1_TIME *(*x509_get0_not_after)(const X509 *);
	int (*asn1_time_to_tm)(const ASN1_TIME *, struct tm *);
	void (*x509_free)(X509 *);
	int (*bio_free)(BIO *);
} ssl;

static int
load_ssl(void)
{
	static const char *const names[] = { "libcrypto.so.3", "libcrypto.3.dylib",
		"libcrypto.so", NULL };
	void *h = NULL;

	if (ssl.tried)
		return ssl.ok;
	ssl.tried = 1;
	for (size_t i = 0; names[i] != NULL && h == NULL; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return 0;
	*(void **)&ssl.bio_new_mem_buf = dlsym(h, "BIO_new_mem_buf");
	*(void **)&ssl.pem_read_bio_x509 = dlsym(h, "PEM_read_bio_X509");
	*(void **)&ssl.x509_get0_not_after = dlsym(h, "X509_get0_notAfter");
	*(void **)&ssl.asn1_time_to_tm = dlsym(h, "ASN1_TIME_to_tm");
	*(void **)&ssl.x509_free = dlsym(h, "X509_free");
	*(void **)&ssl.bio_free = dlsym(h, "BIO_free");
	ssl.ok = ssl.bio_new_mem_buf && ssl.pem_read_bio_x509 &&
	    ssl.x509_get0_not_after && ssl.asn1_time_to_tm && ssl.x509_free &&
	    ssl.bio_free;
	if (!ssl.ok)
		dlclose(h);
	return ssl.ok;
}

/* The leaf certificate's notAfter, from the PEM libcurl hands over
 * (CURLINFO_CERTINFO), read by OpenSSL. 0 when there is none. */
static double
leaf_not_after(CURL *c)
{
	struct curl_certinfo *ci = NULL;
	const ASN1_TIME *na;
	struct tm tm;
	double t = 0;

	if (cu.easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL ||
	    ci->num_of_certs < 1 || !load_ssl())
		return 0;
	for (struct curl_slist *l = ci->certinfo[0]; l != NULL; l = l->next) {
		BIO *b;
		X509 *x;

		if (strncmp(l->data, "Cert:", 5) != 0)
			continue;
		b = ssl.bio_new_mem_buf(l->data + 5, -1);
		x = b ? ssl.pem_read_bio_x509(b, NULL, NULL, NULL) : NULL;
		na = x ? ssl.x509_get0_not_after(x) : NULL;
		if (na != NULL && ssl.asn1_time_to_tm(na, &tm) == 1)
			t = (double)timegm(&tm);
		ssl.x509_free(x);
		if (b)
			ssl.bio_free(b);
		break;
	}
	return t;
}

int
ops_http_fetch(const char *url, double timeout, const struct ops_http_get *o,
    struct ops_http_answer *a, struct ops_err *err)
{
	struct sink k = { o, a, 0, 0, 0, 0 };
	struct timespec t0, t1;
	CURL *c = NULL;
	CURLcode cc;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (load(err) < 0)
		return -1;
	c = cu.easy_init();
	if (c == NULL)
		return ops_err_set(err, OPS_E_FAIL, "unable to start libcurl");
	cu.easy_setopt(c, CURLOPT_URL, url);
	cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	cu.easy_setopt(c, CURLOPT_WRITEDATA, &k);
	cu.easy_setopt(c, CURLOPT_USERAGENT, "dharmic-ops/" OPS_VERSION);
	if (o->user != NULL) {
		cu.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		cu.easy_setopt(c, CURLOPT_USERNAME, o->user);
		cu.easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
	}
	if (o->ca_file != NULL)
		cu.easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (o->certinfo)
		cu.easy_setopt(c, CURLOPT_CERTINFO, 1L);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = cu.easy_perform(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->elapsed = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* the status, even when the body was refused: it may say why */
	cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	if (k.too_big) {
		ops_err_set(err, OPS_E_FAIL, "answer larger than %zu bytes", o->max_body);
		goto out;
	}
	if (k.stopped) {
		ops_err_set(err, OPS_E_FAIL, "stopped by the reader");
		goto out;
	}
	if (cc != CURLE_OK) {
		ops_err_set(err, OPS_E_FAIL, "%s", cu.easy_strerror(cc));
		goto out;
	}
	if (o->certinfo)
		a->cert_not_after = leaf_not_after(c);
	rc = 0;
out:
	cu.easy_cleanup(c);
	if (rc < 0)
		ops_http_answer_release(a);
	return rc;
}

void
ops_http_answer_release(struct ops_http_answer *a)
{
	if (a == NULL)
		return;
	free(a->body);
	a->body = NULL;
	a->len = 0;
}
