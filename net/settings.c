/*
 * settings: one pass that fills a struct settings field by field, each with
 * the same ladder (flag, environment, profile, default). The credentials
 * file is read first, once, through an fd so the mode we warn about is the
 * mode of the file we read. Every error is returned as a message; nothing
 * here prints, and the bearer is never copied into a message or warning.
 *
 * Empty environment variables count as unset (a shell's `X= boxtop` should
 * not switch things off); an empty --path-prefix or profile path_prefix is a
 * deliberate "no prefix" and stops discovery through GET /v1/me.
 */
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/toml.h"

#define CREDENTIALS_FILE "credentials.toml"

struct resolve {
	const struct settings_flags *f;
	const char *(*env)(const char *);
	int64_t now;
	struct settings *s;
	bool profile_named; /* --profile or BOXLITE_PROFILE: a missing profile is an error */
	const struct toml_table *prof;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct resolve *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err != NULL && r->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

__attribute__((format(printf, 2, 3))) static void warn(struct settings *s, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->warnings = xreallocarray(s->warnings, s->n_warnings + 1, sizeof(*s->warnings));
	s->warnings[s->n_warnings++] = xstrdup(buf);
}

const char *settings_getenv(const char *name)
{
	return getenv(name);
}

/* An environment variable, NULL when unset or empty. */
static const char *env(const struct resolve *r, const char *name)
{
	const char *v = r->env != NULL ? r->env(name) : NULL;

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A string of the profile, NULL when absent or empty. */
static const char *prof(const struct resolve *r, const char *key)
{
	const char *v = toml_table_get(r->prof, key);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

void settings_clear(struct settings *s)
{
	if (s == NULL)
		return;
	free(s->url);
	free(s->path_prefix);
	if (s->bearer != NULL)
		explicit_bzero(s->bearer, strlen(s->bearer));
	free(s->bearer);
	free(s->bearer_source);
	free(s->profile);
	free(s->credentials_path);
	free(s->ca_file);
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	for (size_t i = 0; i < ARRAY_LEN(s->flag_copy); i++)
		free(s->flag_copy[i]);
	*s = (struct settings){0};
}

const char *settings_credentials_file(const struct settings *s)
{
	return s != NULL ? s->credentials_path : NULL;
}

const char *settings_key_file(const struct settings *s)
{
	return s != NULL && s->key_file_regular ? s->flags.api_key_file : NULL;
}

int settings_reload_bearer(const struct settings *s, int64_t now, char **bearer, char *err,
			   size_t errlen)
{
	struct settings t;
	int rc = -1;

	*bearer = NULL;
	if (s->flags.api_key_file != NULL && !s->key_file_regular) {
		/* stdin, a pipe or a FIFO: read once, and opening it again could block */
		*bearer = xstrdup(s->bearer);
		return 0;
	}
	if (settings_resolve(&s->flags, s->getenv_fn, now, &t, err, errlen) < 0)
		return -1;
	/* a key meant for another server must not go to this one */
	if (!xstreq(t.url, s->url) || !xstreq(settings_prefix(&t), settings_prefix(s)))
		snprintf(err, errlen, "%s now names another server (%s): restart boxtop to use it",
			 t.credentials_path != NULL ? t.credentials_path : "the profile", t.url);
	else if (t.bearer == NULL && s->bearer != NULL)
		snprintf(err, errlen, "no key in %s any more: run boxlite auth login",
			 t.credentials_path != NULL ? t.credentials_path : "the settings");
	else
		rc = 0;
	if (rc == 0) {
		*bearer = t.bearer;
		t.bearer = NULL;
	}
	settings_clear(&t);
	return rc;
}

const char *settings_bearer_source(const struct settings *s)
{
	return s != NULL && s->bearer_source != NULL ? s->bearer_source : "no credentials";
}

const char *settings_prefix(const struct settings *s)
{
	if (s == NULL || !s->prefix_explicit)
		return NULL;
	return s->path_prefix != NULL ? s->path_prefix : "";
}

struct http_conf settings_http_conf(const struct settings *s)
{
	return (struct http_conf){
		.bearer = s->bearer,
		.ca_file = s->ca_file,
		.insecure = s->insecure,
	};
}

struct api *settings_api(const struct settings *s)
{
	struct http_conf conf = settings_http_conf(s);

	return api_new(s->url != NULL ? s->url : SETTINGS_DEFAULT_URL, settings_prefix(s), &conf);
}

struct api *settings_connect(const struct settings *s, const atomic_bool *cancel,
			     struct principal **me, struct net_error *err)
{
	struct api *a = settings_api(s);
	struct principal *p = NULL;

	if (me != NULL)
		*me = NULL;
	if (s->prefix_explicit)
		return a;
	if (api_me(a, cancel, &p, err) < 0) {
		api_free(&a);
		return NULL;
	}
	api_set_prefix(a, p->path_prefix);
	if (me != NULL)
		*me = p;
	else
		principal_free(&p);
	return a;
}

/* ---- files ---- */

/*
 * Reads fd to its end into a NUL-terminated buffer the caller frees. Returns
 * 0, or -1 with errno set (EFBIG past max bytes).
 */
static int read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	ssize_t got = 1;

	while (got != 0 && n <= max) {
		if (n == cap - 1) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno != EINTR) {
			free(buf);
			return -1;
		}
		n += got > 0 ? (size_t)got : 0;
	}
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void warn_mode(struct settings *s, const char *path, mode_t mode, bool dir)
{
	if ((mode & 077) == 0)
		return;
	warn(s, "%s is %s by other users (mode %04o): run chmod %s %s", path,
	     (mode & 044) != 0 ? "readable" : "accessible", (unsigned)(mode & 07777),
	     dir ? "700" : "600", path);
}

/*
 * Opens path for reading. A directory is refused, and so is anything but a
 * regular file unless pipes are allowed (--api-key-file <(pass show x));
 * O_NONBLOCK keeps a FIFO planted as credentials.toml from hanging us.
 * Returns the fd, or -1 with errno (ENOENT for a missing file).
 */
static int open_file(const char *path, bool pipes, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (pipes ? 0 : O_NONBLOCK));
	int e;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (S_ISREG(st->st_mode) || (pipes && S_ISFIFO(st->st_mode)))
		return fd;
	close(fd);
	errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
	return -1;
}

/* errno after open_file or read_all, as words. */
static const char *file_error(int e)
{
	if (e == EINVAL)
		return "not a regular file";
	if (e == EFBIG)
		return "too large";
	return strerror(e);
}

/* $BOXLITE_HOME when absolute, else $HOME/.boxlite; NULL when neither is usable. */
static char *boxlite_home(struct resolve *r)
{
	const char *home = env(r, "BOXLITE_HOME");

	if (home != NULL && home[0] == '/')
		return xstrdup(home);
	if (home != NULL)
		warn(r->s, "BOXLITE_HOME=%s is not an absolute path: ignored", home);
	home = env(r, "HOME");
	if (home == NULL || home[0] != '/')
		return NULL;
	return xasprintf("%s/.boxlite", home);
}

/* Reads and parses the credentials file into *doc; a missing file leaves *doc NULL. */
static int load_credentials(struct resolve *r, const char *dir, struct toml_doc **doc)
{
	const char *path = r->s->credentials_path;
	char *buf = NULL, msg[256];
	struct stat st;
	size_t len;
	int fd, rc = -1;

	fd = open_file(path, false, &st);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return fail(r, "%s: %s", path, file_error(errno));
	if (read_all(fd, TOML_MAX_BYTES, &buf, &len) != 0) {
		fail(r, "%s: %s", path, errno == EFBIG ? "larger than 1 MiB" : file_error(errno));
		goto out;
	}
	if (toml_parse(buf, len, doc, msg, sizeof(msg)) != 0) {
		fail(r, "%s: %s", path, msg);
		goto out;
	}
	warn_mode(r->s, path, st.st_mode, false);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		warn_mode(r->s, dir, st.st_mode, true);
	rc = 0;
out:
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
	close(fd);
	return rc;
}

/* Picks the profile name and finds its table in doc (which may be NULL). */
static int find_profile(struct resolve *r, const struct toml_doc *doc)
{
	const char *name = r->f->profile;
	const char *parts[2] = {"profiles", NULL};

	if (name != NULL && name[0] == '\0')
		return fail(r, "--profile: the profile name is empty");
	if (name == NULL)
		name = env(r, "BOXLITE_PROFILE");
	r->profile_named = name != NULL;
	if (name == NULL)
		name = SETTINGS_DEFAULT_PROFILE;
	r->s->profile = xstrdup(name);
	parts[1] = name;
	r->prof = toml_table_find(doc, parts, 2);
	r->s->profile_found = r->prof != NULL;
	if (r->prof != NULL || !r->profile_named)
		return 0;
	if (r->s->credentials_path == NULL)
		return fail(r,
			    "profile \"%s\" not found: no home directory (set HOME or an "
			    "absolute BOXLITE_HOME)",
			    name);
	return fail(r, "profile \"%s\" not found in %s: run boxlite auth login --profile %s", name,
		    r->s->credentials_path, name);
}

/* ---- fields ---- */

static bool has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int set_url(struct resolve *r)
{
	const char *url = r->f->url, *from = "--url", *host;
	char pfrom[256];
	size_t n;

	if (url == NULL && (url = env(r, "BOXLITE_REST_URL")) != NULL)
		from = "BOXLITE_REST_URL";
	if (url == NULL && (url = prof(r, "url")) != NULL) {
		snprintf(pfrom, sizeof(pfrom), "url of profile %s", r->s->profile);
		from = pfrom;
	}
	if (url == NULL)
		url = SETTINGS_DEFAULT_URL;
	if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return fail(r, "%s: \"%s\" is not an http:// or https:// URL", from, url);
	if (host[0] == '\0' || host[0] == '/')
		return fail(r, "%s: \"%s\" has no host", from, url);
	if (has_control(url) || strpbrk(url, " ?#") != NULL)
		return fail(r,
			    "%s: a server URL cannot hold spaces, control characters, '?' or '#'",
			    from);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	r->s->url = xstrndup(url, n);
	return 0;
}

static int set_prefix(struct resolve *r)
{
	const char *p = r->f->path_prefix, *from = "--path-prefix";
	char pfrom[256];
	size_t n;

	if (p == NULL && (p = env(r, "BOXLITE_REST_PATH_PREFIX")) != NULL)
		from = "BOXLITE_REST_PATH_PREFIX";
	if (p == NULL && (p = toml_table_get(r->prof, "path_prefix")) != NULL) {
		snprintf(pfrom, sizeof(pfrom), "path_prefix of profile %s", r->s->profile);
		from = pfrom;
	}
	if (p == NULL)
		return 0;
	/* pasted verbatim: api_url percent-encodes it, so only control characters are refused */
	if (has_control(p))
		return fail(r, "%s: a path prefix cannot hold control characters", from);
	while (*p == '/')
		p++;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	r->s->path_prefix = xstrndup(p, n);
	r->s->prefix_explicit = true;
	return 0;
}

/* The key in --api-key-file: one line, its line end dropped. */
static int key_from_file(struct resolve *r, const char *path)
{
	bool std_in = strcmp(path, "-") == 0;
	struct stat st;
	size_t len;
	char *key;
	int fd = std_in ? STDIN_FILENO : open_file(path, true, &st);

	if (fd < 0)
		return fail(r, "--api-key-file %s: %s", path, file_error(errno));
	if (read_all(fd, SETTINGS_KEY_FILE_MAX, &key, &len) != 0) {
		int e = errno;

		if (!std_in)
			close(fd);
		return fail(r, "--api-key-file %s: %s", path,
			    e == EFBIG ? "too large for an API key" : file_error(e));
	}
	if (!std_in && S_ISREG(st.st_mode)) {
		warn_mode(r->s, path, st.st_mode, false);
		r->s->key_file_regular = true;
	}
	if (!std_in)
		close(fd);
	while (len > 0 && (key[len - 1] == '\n' || key[len - 1] == '\r'))
		key[--len] = '\0';
	r->s->bearer = key;
	r->s->bearer_source = std_in ? xstrdup("api key from stdin")
				     : xasprintf("api key from --api-key-file %s", path);
	if (len == 0)
		return fail(r, "--api-key-file %s: the key is empty", path);
	return 0;
}

/* Whether the profile's access token may be used at r->now. */
static int check_expiry(struct resolve *r)
{
	const char *at = prof(r, "expires_at");
	int64_t t;

	if (at == NULL)
		return 0;
	if (time_parse_rfc3339(at, &t) != 0) {
		warn(r->s,
		     "profile %s: expires_at is not an RFC 3339 time: the token is used as is",
		     r->s->profile);
		return 0;
	}
	if (t <= r->now)
		return fail(r, "login expired: run boxlite auth login");
	return 0;
}

static int set_bearer(struct resolve *r)
{
	const char *v;

	if (r->f->api_key_file != NULL) {
		if (key_from_file(r, r->f->api_key_file) != 0)
			return -1;
	} else if ((v = env(r, "BOXLITE_API_KEY")) != NULL) {
		r->s->bearer = xstrdup(v);
		r->s->bearer_source = xstrdup("api key from BOXLITE_API_KEY");
	} else if ((v = prof(r, "api_key")) != NULL) {
		r->s->bearer = xstrdup(v);
		r->s->bearer_source = xasprintf("api key of profile %s", r->s->profile);
	} else if ((v = prof(r, "access_token")) != NULL) {
		if (check_expiry(r) != 0)
			return -1;
		r->s->bearer = xstrdup(v);
		r->s->bearer_source = xasprintf("access token of profile %s", r->s->profile);
	}
	/* a line break in a header value would end the header: refuse it from any source */
	if (r->s->bearer != NULL && has_control(r->s->bearer))
		return fail(r, "%s: the key holds a control character", r->s->bearer_source);
	return 0;
}

/*
 * The CA bundle: --ca-file, else CURL_CA_BUNDLE, else SSL_CERT_FILE, else
 * the system's. libcurl reads neither variable (it has a built-in default),
 * the curl tool and the official CLI do; the curl tool's order is kept: the
 * curl-only variable is the more deliberate choice. These variables are
 * shared with every program on the machine, so an unreadable one is a
 * warning and the system's CAs are used; an unreadable --ca-file is an error.
 */
static int set_ca(struct resolve *r)
{
	static const char *const vars[] = {"CURL_CA_BUNDLE", "SSL_CERT_FILE"};
	const char *ca = r->f->ca_file, *from = "--ca-file";

	for (size_t i = 0; ca == NULL && i < ARRAY_LEN(vars); i++) {
		ca = env(r, vars[i]);
		from = vars[i];
	}
	if (ca == NULL)
		return 0;
	if (access(ca, R_OK) == 0) {
		r->s->ca_file = xstrdup(ca);
		r->s->ca_source = from;
		return 0;
	}
	if (r->f->ca_file != NULL)
		return fail(r, "--ca-file %s: %s", ca, strerror(errno));
	warn(r->s, "%s=%s: %s: the system's CAs are used", from, ca, strerror(errno));
	return 0;
}

static int set_tls(struct resolve *r)
{
	r->s->insecure = r->f->insecure;
	if (r->f->insecure)
		warn(r->s, "--insecure: TLS certificates are NOT verified; anyone on the network "
			   "path can impersonate the server and read the API key");
	return set_ca(r);
}

/* Copies f into s->flags, its strings owned by s->flag_copy. */
static void keep_flags(struct settings *s, const struct settings_flags *f)
{
	const char *const from[] = {f->url, f->profile, f->path_prefix, f->api_key_file,
				    f->ca_file};

	for (size_t i = 0; i < ARRAY_LEN(from); i++)
		s->flag_copy[i] = xstrdup(from[i]);
	s->flags = (struct settings_flags){
		.url = s->flag_copy[0],
		.profile = s->flag_copy[1],
		.path_prefix = s->flag_copy[2],
		.api_key_file = s->flag_copy[3],
		.ca_file = s->flag_copy[4],
		.insecure = f->insecure,
	};
}

int settings_resolve(const struct settings_flags *f, const char *(*getenv_fn)(const char *),
		     int64_t now, struct settings *out, char *err, size_t errlen)
{
	static const struct settings_flags none = {0};
	struct resolve r = {f != NULL ? f : &none, getenv_fn, now, out, false, NULL, err, errlen};
	struct toml_doc *doc = NULL;
	char *dir;
	int rc = -1;

	*out = (struct settings){0};
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	dir = boxlite_home(&r);
	if (dir != NULL)
		out->credentials_path = xasprintf("%s/%s", dir, CREDENTIALS_FILE);
	if (dir != NULL && load_credentials(&r, dir, &doc) != 0)
		goto out;
	if (find_profile(&r, doc) != 0 || set_url(&r) != 0 || set_prefix(&r) != 0 ||
	    set_bearer(&r) != 0 || set_tls(&r) != 0)
		goto out;
	keep_flags(out, r.f);
	out->getenv_fn = getenv_fn;
	rc = 0;
out:
	toml_free(&doc);
	free(dir);
	if (rc != 0)
		settings_clear(out);
	return rc;
}
