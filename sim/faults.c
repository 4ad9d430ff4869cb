/*
 * faults: an ordered, bounded list of rules behind one mutex.
 *
 * A rule is a method ("*" for any), a glob over the raw path ('*' matches
 * any run of characters, '/' included; nothing else is special), a rate, an
 * optional count and the plan it gives. Both ways in (the --fault spec
 * string and the control API's JSON object) end in the same setters, so the
 * two accept exactly the same keys and ranges and say the same things about
 * bad ones.
 *
 * The rate is drawn from a splitmix64 stream seeded at creation, and only
 * for rates strictly between 0 and 1, so a seed plus a sequence of requests
 * always fires the same way. A rule that matches but does not fire (rate
 * missed, count used up) lets the next rule try.
 */
#include "faults.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "model/xalloc.h"

#define FAULTS_MAX      64
#define METHOD_MAX      16
#define PATTERN_MAX     512
#define COUNT_UNLIMITED (-1)

enum key {
	K_STATUS,
	K_RETRY_AFTER,
	K_LATENCY_MS,
	K_TRUNCATE,
	K_NOT_JSON,
	K_PAD_BYTES,
	K_DRIP_MS,
	K_DROP_AFTER,
	K_CORRUPT_AT,
	K_LOST,
	K_CUT,
	K_HANGUP,
	K_COUNT,
	K_SKIP,
	K_RATE, /* the only one that is not an integer */
	K_N,
};

/* Integer keys take min..max; the flags are 0/1 (JSON: also false/true). */
static const struct {
	const char *name;
	uint64_t min, max;
} keys[K_N] = {
	[K_STATUS] = {"status", 400, 599},
	[K_RETRY_AFTER] = {"retry_after", 0, 86400},
	[K_LATENCY_MS] = {"latency_ms", 0, 600000},
	[K_TRUNCATE] = {"truncate", 0, 1},
	[K_NOT_JSON] = {"not_json", 0, 1},
	[K_PAD_BYTES] = {"pad_bytes", 0, 1ULL << 32},
	[K_DRIP_MS] = {"drip_ms", 0, 60000},
	[K_DROP_AFTER] = {"drop_after", 0, 1ULL << 40},
	[K_CORRUPT_AT] = {"corrupt_at", 0, 1ULL << 40},
	[K_LOST] = {"lost", 0, 1},
	[K_CUT] = {"cut", 0, 1},
	[K_HANGUP] = {"hangup", 0, 1},
	[K_COUNT] = {"count", 1, 1000000000},
	[K_SKIP] = {"skip", 0, 1000000000},
	[K_RATE] = {"rate", 0, 1},
};

struct rule {
	char method[METHOD_MAX];
	char *pattern;
	double rate;
	int64_t count; /* COUNT_UNLIMITED or how many times it may fire */
	uint64_t skip; /* matching requests let through before it may fire */
	uint64_t fired, matched;
	unsigned seen; /* bit k: key k was given (duplicates are refused) */
	struct fault_plan plan;
};

struct faults {
	pthread_mutex_t lock;
	uint64_t rng;
	struct rule rules[FAULTS_MAX];
	size_t n;
	bool expired;
};

struct faults *faults_new(uint64_t seed)
{
	struct faults *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->lock, NULL);
	f->rng = seed;
	return f;
}

static void clear_locked(struct faults *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->rules[i].pattern);
	f->n = 0;
}

void faults_free(struct faults **f)
{
	if (f == NULL || *f == NULL)
		return;
	clear_locked(*f);
	pthread_mutex_destroy(&(*f)->lock);
	free(*f);
	*f = NULL;
}

static void rule_init(struct rule *r)
{
	memset(r, 0, sizeof(*r));
	r->rate = 1.0;
	r->count = COUNT_UNLIMITED;
	r->plan.drop_after = -1;
	r->plan.corrupt_at = -1;
}

static enum key key_find(const char *name, size_t len)
{
	for (int k = 0; k < K_N; k++)
		if (strlen(keys[k].name) == len && strncmp(keys[k].name, name, len) == 0)
			return (enum key)k;
	return K_N;
}

/* Records that k was given; -1 when it was given before. */
static int mark_seen(struct rule *r, enum key k, char *err, size_t errlen)
{
	if ((r->seen & (1u << k)) != 0) {
		snprintf(err, errlen, "%s given twice", keys[k].name);
		return -1;
	}
	r->seen |= 1u << k;
	return 0;
}

static void set_field(struct rule *r, enum key k, uint64_t v)
{
	switch (k) {
	case K_STATUS:
		r->plan.status = (unsigned)v;
		break;
	case K_RETRY_AFTER:
		r->plan.retry_after = (unsigned)v;
		break;
	case K_LATENCY_MS:
		r->plan.latency_ms = (unsigned)v;
		break;
	case K_TRUNCATE:
		r->plan.truncate = v != 0;
		break;
	case K_NOT_JSON:
		r->plan.not_json = v != 0;
		break;
	case K_PAD_BYTES:
		r->plan.pad_bytes = v;
		break;
	case K_DRIP_MS:
		r->plan.drip_ms = (unsigned)v;
		break;
	case K_DROP_AFTER:
		r->plan.drop_after = (int64_t)v;
		break;
	case K_CORRUPT_AT:
		r->plan.corrupt_at = (int64_t)v;
		break;
	case K_LOST:
		r->plan.lost = v != 0;
		break;
	case K_CUT:
		r->plan.cut = v != 0;
		break;
	case K_HANGUP:
		r->plan.hangup = v != 0;
		break;
	case K_COUNT:
		r->count = (int64_t)v;
		break;
	case K_SKIP:
		r->skip = v;
		break;
	default:
		break;
	}
}

static int range_error(enum key k, char *err, size_t errlen)
{
	if (k == K_STATUS)
		snprintf(err, errlen, "status must be an HTTP error status, 400-599");
	else if (keys[k].max == 1)
		snprintf(err, errlen, "%s must be 0 or 1", keys[k].name);
	else
		snprintf(err, errlen, "%s must be an integer from %" PRIu64 " to %" PRIu64,
			 keys[k].name, keys[k].min, keys[k].max);
	return -1;
}

static int set_uint(struct rule *r, enum key k, uint64_t v, char *err, size_t errlen)
{
	if (mark_seen(r, k, err, errlen) < 0)
		return -1;
	if (v < keys[k].min || v > keys[k].max)
		return range_error(k, err, errlen);
	set_field(r, k, v);
	return 0;
}

static int set_rate(struct rule *r, double v, char *err, size_t errlen)
{
	if (mark_seen(r, K_RATE, err, errlen) < 0)
		return -1;
	if (!isfinite(v) || v < 0.0 || v > 1.0) {
		snprintf(err, errlen, "rate must be a number from 0 to 1");
		return -1;
	}
	r->rate = v;
	return 0;
}

/* Checks that hold whichever way the rule came in. */
static int rule_check(const struct rule *r, char *err, size_t errlen)
{
	if ((r->seen & (1u << K_RETRY_AFTER)) != 0 && r->plan.status == 0) {
		snprintf(err, errlen, "retry_after needs a status");
		return -1;
	}
	if (r->plan.truncate && r->plan.not_json) {
		snprintf(err, errlen, "truncate and not_json exclude each other");
		return -1;
	}
	return 0;
}

/* "GET", "*", or letters (upper-cased here); -1 otherwise. */
static int set_method(struct rule *r, const char *s, size_t len, char *err, size_t errlen)
{
	bool ok = len == 1 && s[0] == '*';

	if (!ok && len > 0 && len < METHOD_MAX) {
		ok = true;
		for (size_t i = 0; i < len && ok; i++)
			ok = isalpha((unsigned char)s[i]) != 0;
	}
	if (!ok) {
		snprintf(err, errlen, "method must be an HTTP method or '*'");
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		r->method[i] = (char)toupper((unsigned char)s[i]);
	r->method[len] = '\0';
	return 0;
}

/* A path pattern: starts with '/' or '*', printable, no spaces. */
static int set_pattern(struct rule *r, const char *s, size_t len, char *err, size_t errlen)
{
	bool ok = len > 0 && len <= PATTERN_MAX && (s[0] == '/' || s[0] == '*');

	for (size_t i = 0; i < len && ok; i++)
		ok = s[i] > ' ' && s[i] < 0x7f;
	if (!ok) {
		snprintf(err, errlen,
			 "path pattern must start with '/' or '*' and be at most %d printable "
			 "characters without spaces",
			 PATTERN_MAX);
		return -1;
	}
	r->pattern = xstrndup(s, len);
	return 0;
}

/* Appends a copy of r (which the caller then forgets); -1 when the list is full. */
static int add_rule(struct faults *f, struct rule *r, char *err, size_t errlen)
{
	int rc = -1;

	pthread_mutex_lock(&f->lock);
	if (f->n == FAULTS_MAX) {
		snprintf(err, errlen, "too many fault rules (at most %d)", FAULTS_MAX);
		goto out;
	}
	f->rules[f->n++] = *r;
	r->pattern = NULL;
	rc = 0;
out:
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* --- the spec string ------------------------------------------------------ */

/* Decimal digits only: no sign, no spaces, no trailing junk. */
static int parse_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* A rate: "0", "1", "0.25", ".5", "1.0"; digits and at most one '.'. */
static int parse_rate(const char *s, size_t len, double *out)
{
	char buf[32];
	char *end = NULL;

	if (len == 0 || len >= sizeof(buf) || strspn(s, "0123456789.") < len)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	return errno != 0 || end != buf + len ? -1 : 0;
}

static int spec_pair(struct rule *r, const char *s, size_t len, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq != NULL ? (size_t)(eq - s) : len;
	const char *v = eq != NULL ? eq + 1 : s + len;
	size_t vlen = len - klen - (eq != NULL);
	enum key k = key_find(s, klen);
	uint64_t n = 0;
	double d = 0;

	if (k == K_N) {
		snprintf(err, errlen,
			 "unknown key '%.*s' (status, retry_after, latency_ms, "
			 "truncate, not_json, pad_bytes, drip_ms, drop_after, corrupt_at, lost, "
			 "cut, hangup, rate, count, skip)",
			 (int)(klen > 40 ? 40 : klen), s);
		return -1;
	}
	if (eq == NULL) {
		snprintf(err, errlen, "%s needs a value: %s=N", keys[k].name, keys[k].name);
		return -1;
	}
	if (k == K_RATE) {
		if (parse_rate(v, vlen, &d) < 0) {
			snprintf(err, errlen, "rate: '%.*s' is not a number",
				 (int)(vlen > 40 ? 40 : vlen), v);
			return -1;
		}
		return set_rate(r, d, err, errlen);
	}
	if (parse_digits(v, vlen, &n) < 0) {
		snprintf(err, errlen, "%s: '%.*s' is not a non-negative integer", keys[k].name,
			 (int)(vlen > 40 ? 40 : vlen), v);
		return -1;
	}
	return set_uint(r, k, n, err, errlen);
}

/* "key=value,key=value": at least one pair, no empty ones. */
static int spec_options(struct rule *r, const char *s, char *err, size_t errlen)
{
	if (*s == '\0') {
		snprintf(err, errlen, "no key=value after ':'");
		return -1;
	}
	for (;;) {
		size_t n = strcspn(s, ",");

		if (n == 0) {
			snprintf(err, errlen, "empty key=value pair");
			return -1;
		}
		if (spec_pair(r, s, n, err, errlen) < 0)
			return -1;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

/*
 * The pattern ends at the last ':' so that an image reference in the path
 * ("/v1/images/alpine:3.20") needs no escaping: values never hold one.
 */
static int spec_parse(struct rule *r, const char *spec, char *err, size_t errlen)
{
	const char *sp = strchr(spec, ' ');
	const char *colon = strrchr(spec, ':');

	if (sp == NULL || colon == NULL || colon < sp) {
		snprintf(err, errlen, "expected \"METHOD PATTERN:key=value,...\"");
		return -1;
	}
	if (set_method(r, spec, (size_t)(sp - spec), err, errlen) < 0)
		return -1;
	if (set_pattern(r, sp + 1, (size_t)(colon - sp - 1), err, errlen) < 0)
		return -1;
	if (spec_options(r, colon + 1, err, errlen) < 0)
		return -1;
	return rule_check(r, err, errlen);
}

int faults_add_spec(struct faults *f, const char *spec, char *err, size_t errlen)
{
	struct rule r;
	int rc = -1;

	rule_init(&r);
	if (spec == NULL) {
		snprintf(err, errlen, "no fault spec");
		goto out;
	}
	if (spec_parse(&r, spec, err, errlen) < 0)
		goto out;
	rc = add_rule(f, &r, err, errlen);
out:
	free(r.pattern);
	return rc;
}

/* --- the JSON object ------------------------------------------------------ */

static int json_string(const cJSON *obj, const char *name, const char **out, char *err,
		       size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsString(it)) {
		snprintf(err, errlen, "%s must be a string", name);
		return -1;
	}
	*out = it->valuestring;
	return 0;
}

static int json_value(struct rule *r, const cJSON *it, enum key k, char *err, size_t errlen)
{
	double d = it->valuedouble;

	if (k == K_RATE) {
		if (!cJSON_IsNumber(it)) {
			snprintf(err, errlen, "rate must be a number from 0 to 1");
			return -1;
		}
		return set_rate(r, d, err, errlen);
	}
	/* a 0-or-1 key is a flag: faults_to_json lists it as a boolean */
	if (keys[k].min == 0 && keys[k].max == 1 && cJSON_IsBool(it))
		return set_uint(r, k, cJSON_IsTrue(it) ? 1 : 0, err, errlen);
	if (!cJSON_IsNumber(it) || !isfinite(d) || d < 0 || d > (double)keys[k].max ||
	    d != floor(d)) {
		if (mark_seen(r, k, err, errlen) < 0)
			return -1;
		return range_error(k, err, errlen);
	}
	return set_uint(r, k, (uint64_t)d, err, errlen);
}

/* Every member but method and path is a key; "fired" (from a listing) is ignored. */
static int json_keys(struct rule *r, const cJSON *obj, char *err, size_t errlen)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		enum key k = key_find(it->string, strlen(it->string));

		if (strcmp(it->string, "method") == 0 || strcmp(it->string, "path") == 0 ||
		    strcmp(it->string, "fired") == 0)
			continue;
		if (k == K_N) {
			snprintf(err, errlen, "unknown field '%.40s'", it->string);
			return -1;
		}
		if (json_value(r, it, k, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int json_parse(struct rule *r, const cJSON *obj, char *err, size_t errlen)
{
	const char *method = "*";
	const char *path = NULL;

	if (!cJSON_IsObject(obj)) {
		snprintf(err, errlen, "a fault rule must be a JSON object");
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, "method") != NULL &&
	    json_string(obj, "method", &method, err, errlen) < 0)
		return -1;
	if (json_string(obj, "path", &path, err, errlen) < 0)
		return -1;
	if (set_method(r, method, strlen(method), err, errlen) < 0 ||
	    set_pattern(r, path, strlen(path), err, errlen) < 0)
		return -1;
	if (json_keys(r, obj, err, errlen) < 0)
		return -1;
	return rule_check(r, err, errlen);
}

int faults_add_json(struct faults *f, const cJSON *rule, char *err, size_t errlen)
{
	struct rule r;
	int rc = -1;

	rule_init(&r);
	if (json_parse(&r, rule, err, errlen) < 0)
		goto out;
	rc = add_rule(f, &r, err, errlen);
out:
	free(r.pattern);
	return rc;
}

static cJSON *rule_json(const struct rule *r)
{
	const struct fault_plan *p = &r->plan;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "method", r->method);
	cJSON_AddStringToObject(o, "path", r->pattern);
	cJSON_AddNumberToObject(o, "rate", r->rate);
	if (r->count != COUNT_UNLIMITED)
		cJSON_AddNumberToObject(o, "count", (double)r->count);
	if (r->skip != 0)
		cJSON_AddNumberToObject(o, "skip", (double)r->skip);
	cJSON_AddNumberToObject(o, "fired", (double)r->fired);
	if (p->status != 0)
		cJSON_AddNumberToObject(o, "status", p->status);
	if (p->retry_after != 0)
		cJSON_AddNumberToObject(o, "retry_after", p->retry_after);
	if (p->latency_ms != 0)
		cJSON_AddNumberToObject(o, "latency_ms", p->latency_ms);
	if (p->truncate)
		cJSON_AddBoolToObject(o, "truncate", 1);
	if (p->not_json)
		cJSON_AddBoolToObject(o, "not_json", 1);
	if (p->pad_bytes != 0)
		cJSON_AddNumberToObject(o, "pad_bytes", (double)p->pad_bytes);
	if (p->drip_ms != 0)
		cJSON_AddNumberToObject(o, "drip_ms", p->drip_ms);
	if (p->drop_after >= 0)
		cJSON_AddNumberToObject(o, "drop_after", (double)p->drop_after);
	if (p->corrupt_at >= 0)
		cJSON_AddNumberToObject(o, "corrupt_at", (double)p->corrupt_at);
	if (p->lost)
		cJSON_AddBoolToObject(o, "lost", 1);
	if (p->cut)
		cJSON_AddBoolToObject(o, "cut", 1);
	if (p->hangup)
		cJSON_AddBoolToObject(o, "hangup", 1);
	return o;
}

cJSON *faults_to_json(struct faults *f)
{
	cJSON *arr = cJSON_CreateArray();

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n; i++)
		cJSON_AddItemToArray(arr, rule_json(&f->rules[i]));
	pthread_mutex_unlock(&f->lock);
	return arr;
}

void faults_clear(struct faults *f)
{
	pthread_mutex_lock(&f->lock);
	clear_locked(f);
	pthread_mutex_unlock(&f->lock);
}

/* --- matching ------------------------------------------------------------- */

/*
 * '*' matches any run. Greedy with one backtrack point (the last star): a
 * later star subsumes an earlier one, so this is linear-ish, never
 * exponential, whatever the pattern.
 */
static bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL;
	const char *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool rule_matches(const struct rule *r, const char *method, const char *path)
{
	if (strcmp(r->method, "*") != 0 && strcmp(r->method, method) != 0)
		return false;
	return glob_match(r->pattern, path);
}

/* Whether r fires now (the caller has checked it matches); lock held. */
static bool rule_fires(struct faults *f, const struct rule *r)
{
	if (r->count != COUNT_UNLIMITED && r->fired >= (uint64_t)r->count)
		return false;
	if (r->rate >= 1.0)
		return true;
	if (r->rate <= 0.0)
		return false;
	return (double)(rng_next(&f->rng) >> 11) * 0x1p-53 < r->rate;
}

void faults_plan(struct faults *f, const char *method, const char *path, struct fault_plan *out)
{
	*out = (struct fault_plan){.drop_after = -1, .corrupt_at = -1};
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n; i++) {
		struct rule *r = &f->rules[i];

		if (!rule_matches(r, method, path) || r->matched++ < r->skip || !rule_fires(f, r))
			continue;
		r->fired++;
		*out = r->plan;
		break;
	}
	pthread_mutex_unlock(&f->lock);
}

void faults_set_key_expired(struct faults *f, bool expired)
{
	pthread_mutex_lock(&f->lock);
	f->expired = expired;
	pthread_mutex_unlock(&f->lock);
}

bool faults_key_expired(struct faults *f)
{
	bool expired;

	pthread_mutex_lock(&f->lock);
	expired = f->expired;
	pthread_mutex_unlock(&f->lock);
	return expired;
}
