#include "ops_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

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
