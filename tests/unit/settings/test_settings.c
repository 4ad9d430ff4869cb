/*
 * Unit tests for net/settings and net/login (the bearer read again). The environment is a table
 * read through the injected getenv and the clock is a fixed number, so nothing here depends on the
 * real environment; each test gets its own temporary HOME holding .boxlite/credentials.toml when it
 * needs one. Every key is an obvious fake.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/xalloc.h"
#include "net/login.h"
#include "net/settings.h"
#include "tui/config.h"

#define NOW      INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define FAKE_KEY "test-key-not-secret"

#define PROFILE_DEFAULT                                                                            \
	"[profiles.default]\n"                                                                     \
	"url = \"https://profile.example.test/\"\n"                                                \
	"access_token = \"test-token-not-secret\"\n"                                               \
	"expires_at = \"2026-06-01T00:00:00Z\"\n"

/* ---- a fake environment and a scratch HOME ---- */

static struct {
	const char *name;
	const char *value;
} env_table[16];
static size_t env_n;
static char home[256];
static char err[512];

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; i < env_n; i++)
		if (strcmp(env_table[i].name, name) == 0)
			return env_table[i].value;
	return NULL;
}

static void env_set(const char *name, const char *value)
{
	for (size_t i = 0; i < env_n; i++)
		if (strcmp(env_table[i].name, name) == 0) {
			env_table[i].value = value;
			return;
		}
	assert_true(env_n < ARRAY_LEN(env_table));
	env_table[env_n].name = name;
	env_table[env_n++].value = value;
}

/* rm -r path, without following symbolic links. */
static int rm_rf(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (lstat(path, &st) != 0)
		return -1;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *sub;

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			sub = xasprintf("%s/%s", path, e->d_name);
			rm_rf(sub);
			free(sub);
		}
		closedir(d);
	}
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	env_n = 0;
	err[0] = '\0';
	snprintf(home, sizeof(home), "/tmp/boxtop-settings-XXXXXX");
	if (mkdtemp(home) == NULL)
		return -1;
	env_set("HOME", home);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf(home);
}

/* A path under the scratch HOME; the caller frees it. */
static char *in_home(const char *rel)
{
	return xasprintf("%s/%s", home, rel);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0 || text[0] == '\0', 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/*
 * Writes ~/.boxlite/credentials.toml (dir 0700, file 0600) as a new file
 * renamed over the old, as the CLI does: a new inode, so a rewrite is seen
 * as a change however fast it follows the last.
 */
static void credentials(const char *text)
{
	char *dir = in_home(".boxlite"), *path = in_home(".boxlite/credentials.toml");
	char *tmp = in_home(".boxlite/credentials.toml.new");

	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	write_file(tmp, text, 0600);
	assert_int_equal(rename(tmp, path), 0);
	free(dir);
	free(path);
	free(tmp);
}

static void resolve_ok(const struct settings_flags *f, struct settings *s)
{
	if (settings_resolve(f, fake_getenv, NOW, s, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
}

static void resolve_fails(const struct settings_flags *f, const char *want)
{
	struct settings s;

	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(settings_resolve(f, fake_getenv, NOW, &s, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	/* cleared on failure: nothing to free, nothing left over */
	assert_null(s.url);
	assert_null(s.bearer);
	assert_null(s.profile);
	assert_null(s.warnings);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
}

/* The URL and the bearer source after resolving f. */
static void url_is(const struct settings_flags *f, const char *want)
{
	struct settings s;

	resolve_ok(f, &s);
	assert_string_equal(s.url, want);
	settings_clear(&s);
}

static void source_is(const struct settings_flags *f, const char *bearer, const char *source)
{
	struct settings s;

	resolve_ok(f, &s);
	if (bearer == NULL)
		assert_null(s.bearer);
	else
		assert_string_equal(s.bearer, bearer);
	assert_string_equal(settings_bearer_source(&s), source);
	settings_clear(&s);
}

static bool warned(const struct settings *s, const char *part)
{
	for (size_t i = 0; i < s->n_warnings; i++)
		if (strstr(s->warnings[i], part) != NULL)
			return true;
	return false;
}

/* ---- tests ---- */

static void test_clear_and_degenerate(void **state)
{
	struct settings s = {0};

	(void)state;
	settings_clear(NULL);
	settings_clear(&s);
	settings_clear(&s);
	assert_string_equal(settings_bearer_source(NULL), "no credentials");
	assert_string_equal(settings_bearer_source(&s), "no credentials");
	/* no flags struct, no getenv at all: the defaults */
	assert_int_equal(settings_resolve(NULL, NULL, NOW, &s, NULL, 0), 0);
	assert_string_equal(s.url, "http://localhost:8100");
	assert_null(s.credentials_path);
	settings_clear(&s);
	assert_null(s.url);
}

static void test_defaults(void **state)
{
	struct settings s;
	char *path = in_home(".boxlite/credentials.toml");

	(void)state;
	resolve_ok(NULL, &s);
	assert_string_equal(s.url, SETTINGS_DEFAULT_URL);
	assert_null(s.path_prefix);
	assert_false(s.prefix_explicit);
	assert_null(s.bearer);
	assert_string_equal(settings_bearer_source(&s), "no credentials");
	assert_string_equal(s.profile, "default");
	assert_false(s.profile_found);
	assert_string_equal(s.credentials_path, path);
	assert_null(s.ca_file);
	assert_false(s.insecure);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
	free(path);

	/* no HOME: no credentials file, still the defaults */
	env_set("HOME", NULL);
	resolve_ok(NULL, &s);
	assert_null(s.credentials_path);
	assert_string_equal(s.url, SETTINGS_DEFAULT_URL);
	settings_clear(&s);
	env_set("HOME", "relative/home");
	resolve_ok(NULL, &s);
	assert_null(s.credentials_path);
	settings_clear(&s);
}

/* The user who ran `boxlite auth login` and starts boxtop with no arguments. */
static void test_logged_in_no_arguments(void **state)
{
	struct settings s;

	(void)state;
	credentials("# written by boxlite auth login\n" PROFILE_DEFAULT
		    "refresh_token = \"test-refresh-not-secret\"\n"
		    "auth_method = \"oidc\"\n"
		    "path_prefix = \"us-east/team-42\"\n");
	resolve_ok(&(struct settings_flags){0}, &s);
	assert_string_equal(s.url, "https://profile.example.test");
	assert_string_equal(s.bearer, "test-token-not-secret");
	assert_string_equal(settings_bearer_source(&s), "access token of profile default");
	assert_string_equal(s.path_prefix, "us-east/team-42");
	assert_true(s.prefix_explicit);
	assert_true(s.profile_found);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
}

static void test_url_precedence(void **state)
{
	struct settings_flags f = {.url = "http://flag.example.test:1/"};

	(void)state;
	credentials(PROFILE_DEFAULT);
	env_set("BOXLITE_REST_URL", "https://env.example.test//");
	url_is(&f, "http://flag.example.test:1");
	url_is(NULL, "https://env.example.test");
	env_set("BOXLITE_REST_URL", ""); /* empty counts as unset */
	url_is(NULL, "https://profile.example.test");
	credentials("[profiles.default]\nurl = ''\n");
	url_is(NULL, SETTINGS_DEFAULT_URL);
	credentials("[profiles.other]\nurl = 'http://other.example.test'\n");
	url_is(NULL, SETTINGS_DEFAULT_URL);
	/* a base path is kept, scheme case is not a problem */
	f.url = "HTTPS://gw.example.test/api/";
	url_is(&f, "HTTPS://gw.example.test/api");
}

static void test_bad_urls(void **state)
{
	struct settings_flags f = {0};

	(void)state;
	f.url = "ftp://x.example.test";
	resolve_fails(&f, "--url: \"ftp://x.example.test\" is not an http:// or https:// URL");
	f.url = "localhost:8100";
	resolve_fails(&f, "--url: \"localhost:8100\" is not an http:// or https:// URL");
	f.url = "";
	resolve_fails(&f, "--url: \"\" is not an http:// or https:// URL");
	f.url = "http://";
	resolve_fails(&f, "--url: \"http://\" has no host");
	f.url = "https:///path";
	resolve_fails(&f, "--url: \"https:///path\" has no host");
	f.url = "http://a b";
	resolve_fails(&f, "--url: a server URL cannot hold spaces, control characters, '?' or '#'");
	f.url = "http://a/?q=1";
	resolve_fails(&f, "--url: a server URL cannot hold spaces, control characters, '?' or '#'");
	f.url = "http://a\n";
	resolve_fails(&f, "--url: a server URL cannot hold spaces, control characters, '?' or '#'");
	env_set("BOXLITE_REST_URL", "gopher://x");
	resolve_fails(NULL, "BOXLITE_REST_URL: \"gopher://x\" is not an http:// or https:// URL");
	env_set("BOXLITE_REST_URL", NULL);
	credentials("[profiles.default]\nurl = 'htp://typo'\n");
	resolve_fails(NULL,
		      "url of profile default: \"htp://typo\" is not an http:// or https:// URL");
}

static void test_prefix_precedence(void **state)
{
	struct settings_flags f = {.path_prefix = "/flag-team/"};
	struct settings s;

	(void)state;
	credentials("[profiles.default]\npath_prefix = 'profile-team'\n");
	env_set("BOXLITE_REST_PATH_PREFIX", "us-east/team-42");
	resolve_ok(&f, &s);
	assert_string_equal(s.path_prefix, "flag-team");
	assert_true(s.prefix_explicit);
	settings_clear(&s);
	resolve_ok(NULL, &s);
	assert_string_equal(s.path_prefix, "us-east/team-42");
	assert_true(s.prefix_explicit);
	settings_clear(&s);
	env_set("BOXLITE_REST_PATH_PREFIX", "");
	resolve_ok(NULL, &s);
	assert_string_equal(s.path_prefix, "profile-team");
	assert_true(s.prefix_explicit);
	settings_clear(&s);
	/* an explicit empty prefix: no segment, and no discovery either */
	f.path_prefix = "";
	resolve_ok(&f, &s);
	assert_string_equal(s.path_prefix, "");
	assert_true(s.prefix_explicit);
	settings_clear(&s);
	credentials("[profiles.default]\npath_prefix = ''\n");
	resolve_ok(NULL, &s);
	assert_string_equal(s.path_prefix, "");
	assert_true(s.prefix_explicit);
	settings_clear(&s);
	/* nothing anywhere: ask GET /v1/me */
	credentials("[profiles.default]\n");
	resolve_ok(NULL, &s);
	assert_null(s.path_prefix);
	assert_false(s.prefix_explicit);
	settings_clear(&s);
	f.path_prefix = "team\t42";
	resolve_fails(&f, "--path-prefix: a path prefix cannot hold control characters");
}

static void test_bearer_precedence(void **state)
{
	char *keyfile = in_home("key");
	struct settings_flags f = {.api_key_file = keyfile};
	char *source = xasprintf("api key from --api-key-file %s", keyfile);

	(void)state;
	write_file(keyfile, FAKE_KEY "-file\n", 0600);
	credentials(PROFILE_DEFAULT "api_key = \"test-profile-key-not-secret\"\n");
	env_set("BOXLITE_API_KEY", FAKE_KEY "-env");
	source_is(&f, FAKE_KEY "-file", source);
	source_is(NULL, FAKE_KEY "-env", "api key from BOXLITE_API_KEY");
	env_set("BOXLITE_API_KEY", "");
	source_is(NULL, "test-profile-key-not-secret", "api key of profile default");
	credentials(PROFILE_DEFAULT "api_key = ''\n");
	source_is(NULL, "test-token-not-secret", "access token of profile default");
	credentials("[profiles.default]\naccess_token = ''\n");
	source_is(NULL, NULL, "no credentials");
	free(keyfile);
	free(source);
}

static void test_expired_login(void **state)
{
	char *keyfile = in_home("key");
	struct settings_flags f = {.api_key_file = keyfile};
	struct settings s;

	(void)state;
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = '2025-12-31T23:59:59Z'\n");
	resolve_fails(NULL, "login expired: run boxlite auth login");
	/* the very second it expires counts as expired; the second before does not */
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = '2026-01-01T00:00:00Z'\n");
	resolve_fails(NULL, "login expired: run boxlite auth login");
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = '2026-01-01T00:00:01Z'\n");
	source_is(NULL, "test-token-not-secret", "access token of profile default");
	/* an offset is honoured: 01:00:00+02:00 is 23:00 the day before */
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = '2026-01-01T01:00:00+02:00'\n");
	resolve_fails(NULL, "login expired: run boxlite auth login");
	/* an expired token that would not be used is not an error */
	credentials(
		"[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		"expires_at = '2020-01-01T00:00:00Z'\napi_key = 'test-profile-key-not-secret'\n");
	source_is(NULL, "test-profile-key-not-secret", "api key of profile default");
	env_set("BOXLITE_API_KEY", FAKE_KEY);
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = '2020-01-01T00:00:00Z'\n");
	source_is(NULL, FAKE_KEY, "api key from BOXLITE_API_KEY");
	env_set("BOXLITE_API_KEY", NULL);
	write_file(keyfile, FAKE_KEY, 0600);
	resolve_ok(&f, &s);
	assert_string_equal(s.bearer, FAKE_KEY);
	settings_clear(&s);
	/* no expiry: used; a malformed one: used with a warning */
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n");
	source_is(NULL, "test-token-not-secret", "access token of profile default");
	credentials("[profiles.default]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = 'next tuesday'\n");
	resolve_ok(NULL, &s);
	assert_string_equal(s.bearer, "test-token-not-secret");
	assert_true(warned(&s, "profile default: expires_at is not an RFC 3339 time"));
	settings_clear(&s);
	free(keyfile);
}

static void test_profile_selection(void **state)
{
	struct settings_flags f = {.profile = "work"};
	struct settings s;
	char *path = in_home(".boxlite/credentials.toml");
	char *want;

	(void)state;
	credentials("[profiles.default]\nurl = 'http://default.example.test'\n"
		    "[profiles.work]\nurl = 'http://work.example.test'\n"
		    "api_key = 'test-work-key-not-secret'\n"
		    "[profiles.\"my team\"]\nurl = 'http://team.example.test'\n"
		    "[profiles.\"a.b\"]\nurl = 'http://dotted.example.test'\n");
	env_set("BOXLITE_PROFILE", "my team");
	resolve_ok(&f, &s);
	assert_string_equal(s.profile, "work");
	assert_true(s.profile_found);
	assert_string_equal(s.url, "http://work.example.test");
	assert_string_equal(settings_bearer_source(&s), "api key of profile work");
	settings_clear(&s);
	url_is(NULL, "http://team.example.test");
	env_set("BOXLITE_PROFILE", "a.b");
	url_is(NULL, "http://dotted.example.test");
	env_set("BOXLITE_PROFILE", "");
	url_is(NULL, "http://default.example.test");

	/* a named profile that does not exist is an error, by flag or by env */
	f.profile = "nope";
	want = xasprintf("profile \"nope\" not found in %s: run boxlite auth login --profile nope",
			 path);
	resolve_fails(&f, want);
	env_set("BOXLITE_PROFILE", "nope");
	resolve_fails(NULL, want);
	free(want);
	f.profile = "";
	resolve_fails(&f, "--profile: the profile name is empty");
	/* named, and no credentials file at all */
	env_set("HOME", NULL);
	resolve_fails(NULL, "profile \"nope\" not found: no home directory (set HOME or an "
			    "absolute BOXLITE_HOME)");
	env_set("HOME", "/nonexistent-boxtop-home");
	resolve_fails(NULL, "profile \"nope\" not found in "
			    "/nonexistent-boxtop-home/.boxlite/credentials.toml: run boxlite auth "
			    "login --profile nope");
	/* the default profile missing is fine */
	env_set("BOXLITE_PROFILE", NULL);
	resolve_ok(NULL, &s);
	assert_false(s.profile_found);
	assert_string_equal(s.profile, "default");
	settings_clear(&s);
	free(path);
}

static void test_boxlite_home(void **state)
{
	char *alt = in_home("alt"), *altfile = in_home("alt/credentials.toml");
	struct settings s;

	(void)state;
	credentials("[profiles.default]\nurl = 'http://home.example.test'\n");
	assert_int_equal(mkdir(alt, 0700), 0);
	write_file(altfile, "[profiles.default]\nurl = 'http://alt.example.test'\n", 0600);
	env_set("BOXLITE_HOME", alt);
	resolve_ok(NULL, &s);
	assert_string_equal(s.url, "http://alt.example.test");
	assert_string_equal(s.credentials_path, altfile);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
	/* relative: ignored, with a warning, and ~/.boxlite used */
	env_set("BOXLITE_HOME", "alt");
	resolve_ok(NULL, &s);
	assert_string_equal(s.url, "http://home.example.test");
	assert_true(warned(&s, "BOXLITE_HOME=alt is not an absolute path: ignored"));
	settings_clear(&s);
	env_set("BOXLITE_HOME", "");
	resolve_ok(NULL, &s);
	assert_string_equal(s.url, "http://home.example.test");
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
	free(alt);
	free(altfile);
}

static void test_permission_warnings(void **state)
{
	char *dir = in_home(".boxlite"), *path = in_home(".boxlite/credentials.toml");
	char *want = xasprintf("%s is readable by other users (mode 0644): run chmod 600 %s", path,
			       path);
	struct settings s;

	(void)state;
	credentials(PROFILE_DEFAULT);
	resolve_ok(NULL, &s);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);

	assert_int_equal(chmod(path, 0644), 0);
	resolve_ok(NULL, &s);
	assert_int_equal(s.n_warnings, 1);
	assert_string_equal(s.warnings[0], want);
	assert_null(strstr(s.warnings[0], "not-secret"));
	settings_clear(&s);

	assert_int_equal(chmod(path, 0620), 0);
	resolve_ok(NULL, &s);
	assert_true(warned(&s, "is accessible by other users (mode 0620)"));
	settings_clear(&s);

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	resolve_ok(NULL, &s);
	assert_int_equal(s.n_warnings, 1);
	assert_true(warned(&s, "/.boxlite is readable by other users (mode 0755): run chmod 700"));
	settings_clear(&s);
	free(want);
	free(dir);
	free(path);
}

static void test_bad_credentials_file(void **state)
{
	char *path = in_home(".boxlite/credentials.toml");
	char *want =
		xasprintf("%s: line 3: booleans are not supported: only quoted strings are", path);
	char *fifo_want = xasprintf("%s: not a regular file", path);
	char *dir_want = xasprintf("%s: Is a directory", path);

	(void)state;
	credentials("[profiles.default]\nurl = 'http://x.example.test'\nverbose = true\n");
	resolve_fails(NULL, want);
	/* malformed is an error even when every field comes from flags and env */
	env_set("BOXLITE_API_KEY", FAKE_KEY);
	resolve_fails(&(struct settings_flags){.url = "http://a.example.test"}, want);
	/* a FIFO planted there is refused, not waited on; a directory too */
	assert_int_equal(remove(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	resolve_fails(NULL, fifo_want);
	assert_int_equal(remove(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	resolve_fails(NULL, dir_want);
	free(path);
	free(want);
	free(fifo_want);
	free(dir_want);
}

static void test_api_key_file(void **state)
{
	char *keyfile = in_home("key");
	struct settings_flags f = {.api_key_file = keyfile};
	struct settings s;
	char *want;

	(void)state;
	write_file(keyfile, FAKE_KEY "\r\n", 0600);
	want = xasprintf("api key from --api-key-file %s", keyfile);
	source_is(&f, FAKE_KEY, want);
	free(want);
	write_file(keyfile, FAKE_KEY, 0600); /* no newline */
	resolve_ok(&f, &s);
	assert_string_equal(s.bearer, FAKE_KEY);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
	/* readable by others: used, with a warning that never holds the key */
	write_file(keyfile, FAKE_KEY "\n", 0644);
	resolve_ok(&f, &s);
	assert_string_equal(s.bearer, FAKE_KEY);
	assert_int_equal(s.n_warnings, 1);
	assert_non_null(strstr(s.warnings[0], "is readable by other users (mode 0644)"));
	assert_null(strstr(s.warnings[0], FAKE_KEY));
	settings_clear(&s);

	write_file(keyfile, "", 0600);
	want = xasprintf("--api-key-file %s: the key is empty", keyfile);
	resolve_fails(&f, want);
	write_file(keyfile, "\n", 0600);
	resolve_fails(&f, want);
	free(want);
	write_file(keyfile, "test-key\nnot-secret\n", 0600);
	want = xasprintf("api key from --api-key-file %s: the key holds a control character",
			 keyfile);
	resolve_fails(&f, want);
	free(want);
	f.api_key_file = "/nonexistent-boxtop/key";
	resolve_fails(&f, "--api-key-file /nonexistent-boxtop/key: No such file or directory");
	f.api_key_file = home;
	want = xasprintf("--api-key-file %s: Is a directory", home);
	resolve_fails(&f, want);
	free(want);
	free(keyfile);
}

static void test_api_key_too_large(void **state)
{
	char *keyfile = in_home("key");
	struct settings_flags f = {.api_key_file = keyfile};
	char *big = xmalloc(SETTINGS_KEY_FILE_MAX + 2);
	struct settings s;
	char *want;

	(void)state;
	memset(big, 'k', SETTINGS_KEY_FILE_MAX + 1);
	big[SETTINGS_KEY_FILE_MAX + 1] = '\0';
	write_file(keyfile, big, 0600);
	want = xasprintf("--api-key-file %s: too large for an API key", keyfile);
	resolve_fails(&f, want);
	free(want);
	big[SETTINGS_KEY_FILE_MAX] = '\0';
	write_file(keyfile, big, 0600);
	resolve_ok(&f, &s);
	assert_int_equal(strlen(s.bearer), SETTINGS_KEY_FILE_MAX);
	settings_clear(&s);
	free(big);
	free(keyfile);
}

/* --api-key-file - reads stdin: a pipe stands in for it. */
static void test_api_key_stdin(void **state)
{
	struct settings_flags f = {.api_key_file = "-"};
	int fds[2], saved = dup(STDIN_FILENO);
	struct settings s;

	(void)state;
	assert_true(saved >= 0);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], FAKE_KEY "\n", sizeof(FAKE_KEY)), (ssize_t)sizeof(FAKE_KEY));
	close(fds[1]);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	env_set("BOXLITE_API_KEY", "test-env-key-not-secret");
	resolve_ok(&f, &s);
	assert_string_equal(s.bearer, FAKE_KEY);
	assert_string_equal(settings_bearer_source(&s), "api key from stdin");
	settings_clear(&s);
	/* stdin at its end: an empty key */
	resolve_fails(&f, "--api-key-file -: the key is empty");
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

static void test_bearer_control_chars(void **state)
{
	(void)state;
	env_set("BOXLITE_API_KEY", "test-key\r\nX-Injected: 1");
	resolve_fails(NULL, "api key from BOXLITE_API_KEY: the key holds a control character");
	env_set("BOXLITE_API_KEY", NULL);
	credentials("[profiles.default]\napi_key = \"test\\u0007key\"\n");
	resolve_fails(NULL, "api key of profile default: the key holds a control character");
}

static void test_tls(void **state)
{
	char *ca = in_home("ca.pem");
	struct settings_flags f = {.insecure = true, .ca_file = ca};
	struct settings s;
	char *want;

	(void)state;
	write_file(ca, "not really a certificate\n", 0644);
	resolve_ok(&f, &s);
	assert_true(s.insecure);
	assert_string_equal(s.ca_file, ca);
	assert_int_equal(s.n_warnings, 1);
	assert_true(warned(&s, "--insecure: TLS certificates are NOT verified"));
	settings_clear(&s);
	f.insecure = false;
	resolve_ok(&f, &s);
	assert_false(s.insecure);
	assert_int_equal(s.n_warnings, 0);
	settings_clear(&s);
	assert_int_equal(remove(ca), 0);
	want = xasprintf("--ca-file %s: No such file or directory", ca);
	resolve_fails(&f, want);
	free(want);
	free(ca);
}

static void test_err_buffer(void **state)
{
	struct settings s;
	char small[8];

	(void)state;
	memset(small, 'z', sizeof(small));
	assert_int_equal(settings_resolve(&(struct settings_flags){.url = "ftp://x"}, fake_getenv,
					  NOW, &s, small, sizeof(small)),
			 -1);
	assert_string_equal(small, "--url: ");
	assert_int_equal(settings_resolve(&(struct settings_flags){.url = "ftp://x"}, fake_getenv,
					  NOW, &s, NULL, 0),
			 -1);
	/* a success clears a stale message */
	strcpy(err, "stale");
	resolve_ok(NULL, &s);
	settings_clear(&s);
}

/* The URL of path through an api handle made from s, as boxtop makes them. */
static char *url_of(const struct settings *s, bool scoped, const char *path)
{
	struct api *a = settings_api(s);
	char *u = api_url(a, scoped, path);

	api_free(&a);
	return u;
}

static void test_url_building(void **state)
{
	struct settings s = {0};
	char *u;

	(void)state;
	/* nothing resolved yet: the default base, the prefix left to GET /v1/me */
	assert_null(settings_prefix(&s));
	u = url_of(&s, true, "/boxes");
	assert_string_equal(u, "http://localhost:8100/v1/boxes");
	free(u);

	resolve_ok(&(struct settings_flags){.url = "https://gw.example.test/api/"}, &s);
	assert_null(settings_prefix(&s));
	u = url_of(&s, true, "/boxes");
	assert_string_equal(u, "https://gw.example.test/api/v1/boxes");
	free(u);
	u = url_of(&s, false, "/me");
	assert_string_equal(u, "https://gw.example.test/api/v1/me");
	free(u);
	settings_clear(&s);

	resolve_ok(&(struct settings_flags){.url = "https://gw.example.test",
					    .path_prefix = "us-east/team-42"},
		   &s);
	assert_string_equal(settings_prefix(&s), "us-east/team-42");
	u = url_of(&s, true, "/boxes/b1/snapshots");
	assert_string_equal(u, "https://gw.example.test/v1/us-east/team-42/boxes/b1/snapshots");
	free(u);
	u = url_of(&s, false, "/config");
	assert_string_equal(u, "https://gw.example.test/v1/config");
	free(u);
	settings_clear(&s);

	resolve_ok(&(struct settings_flags){.path_prefix = "team-42"}, &s);
	u = url_of(&s, true, "/metrics");
	assert_string_equal(u, "http://localhost:8100/v1/team-42/metrics");
	free(u);
	settings_clear(&s);

	/* "" is explicitly no prefix: set (so /v1/me is not asked), and no segment */
	resolve_ok(&(struct settings_flags){.path_prefix = ""}, &s);
	assert_string_equal(settings_prefix(&s), "");
	u = url_of(&s, true, "/boxes");
	assert_string_equal(u, "http://localhost:8100/v1/boxes");
	free(u);
	settings_clear(&s);
}

static void test_http_conf(void **state)
{
	struct settings s = {0};
	struct http_conf c;
	char *ca = in_home("ca.pem");

	(void)state;
	write_file(ca, "not checked here\n", 0644);
	resolve_ok(&(struct settings_flags){.ca_file = ca, .insecure = true}, &s);
	c = settings_http_conf(&s);
	assert_ptr_equal(c.ca_file, s.ca_file);
	assert_true(c.insecure);
	assert_ptr_equal(c.bearer, s.bearer);
	settings_clear(&s);
	free(ca);
}

/* ---- reading the bearer again: settings_reload_bearer and net/login ---- */

static void reload_is(const struct settings *s, const char *want)
{
	char *b;

	if (settings_reload_bearer(s, NOW, &b, err, sizeof(err)) != 0)
		fail_msg("reload refused: %s", err);
	if (want == NULL)
		assert_null(b);
	else
		assert_string_equal(b, want);
	free(b);
}

static void test_reload_bearer(void **state)
{
	char *profile = xstrdup("work");
	struct settings_flags f = {.profile = profile};
	struct settings s;
	char untouched[] = "untouched", *b = untouched;

	(void)state;
	credentials("[profiles.work]\napi_key = 'test-key-one'\n");
	resolve_ok(&f, &s);
	/* the flags are kept as copies: the caller's strings may go */
	free(profile);
	reload_is(&s, "test-key-one");
	credentials("[profiles.work]\napi_key = 'test-key-second'\n");
	reload_is(&s, "test-key-second");
	/* the environment still wins, as at start */
	env_set("BOXLITE_API_KEY", "test-env-key-not-secret");
	reload_is(&s, "test-env-key-not-secret");
	env_set("BOXLITE_API_KEY", NULL);
	/* a login that has expired since */
	credentials("[profiles.work]\naccess_token = 'test-token-not-secret'\n"
		    "expires_at = '2025-12-31T23:59:59Z'\n");
	assert_int_equal(settings_reload_bearer(&s, NOW, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "login expired: run boxlite auth login");
	assert_null(b);
	/* logged out: the profile gone is the error it would be at start */
	credentials("# empty\n");
	assert_int_equal(settings_reload_bearer(&s, NOW, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "profile \"work\" not found"));
	settings_clear(&s);
	assert_null(s.flags.profile);
}

static void test_reload_stdin_key(void **state)
{
	struct settings_flags f = {.api_key_file = "-"};
	int fds[2], saved = dup(STDIN_FILENO);
	struct settings s;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], FAKE_KEY "\n", sizeof(FAKE_KEY)), (ssize_t)sizeof(FAKE_KEY));
	close(fds[1]);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	resolve_ok(&f, &s);
	/* stdin is at its end: reading it again would give an empty key */
	reload_is(&s, FAKE_KEY);
	assert_null(settings_key_file(&s));
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	settings_clear(&s);
}

static void login_is(struct login *l, const char *want, unsigned want_gen)
{
	unsigned gen;
	char *b = login_bearer(l, &gen);

	if (want == NULL)
		assert_null(b);
	else
		assert_string_equal(b, want);
	assert_int_equal(gen, want_gen);
	assert_int_equal(login_generation(l), want_gen);
	login_bearer_free(b);
}

/* Writes the default profile as body (NULL: leaves the file), looks, and checks the outcome. */
static void login_step(struct login *l, const char *body, int want_rc, const char *want,
		       unsigned want_gen)
{
	if (body != NULL) {
		char *text = xasprintf("[profiles.default]\n%s", body);

		credentials(text);
		free(text);
	}
	assert_int_equal(login_check(l, NOW, err, sizeof(err)), want_rc);
	login_is(l, want, want_gen);
}

static void test_login(void **state)
{
	struct settings s;
	struct login *l;
	unsigned g;

	(void)state;
	credentials("[profiles.default]\napi_key = 'test-key-one'\n");
	resolve_ok(NULL, &s);
	l = login_new(&s);
	g = login_generation(l);
	login_is(l, "test-key-one", g);
	assert_int_equal(login_check(l, NOW, err, sizeof(err)), 0);
	assert_int_equal(login_recheck(l, NOW, err, sizeof(err)), 0);
	login_is(l, "test-key-one", g);
	/* `boxlite auth login` wrote a new key: one change, then quiet */
	login_step(l, "api_key = 'test-key-second'\n", 1, "test-key-second", g + 1);
	login_step(l, NULL, 0, "test-key-second", g + 1);
	/* the file written again, the key the same: no new generation */
	login_step(l, "api_key = \"test-key-second\"\n", 0, "test-key-second", g + 1);
	/* caught half written: an error, the key in use stays, tried again next time */
	login_step(l, "api_key = 'test-key-th", -1, "test-key-second", g + 1);
	assert_non_null(strstr(err, "line 2"));
	err[0] = '\0';
	login_step(l, NULL, -1, "test-key-second", g + 1);
	assert_non_null(strstr(err, "line 2"));
	/* readable again, the same key: worth trying again, no new generation */
	login_step(l, "api_key = 'test-key-second'\n", 1, "test-key-second", g + 1);
	login_step(l, NULL, 0, "test-key-second", g + 1);
	login_step(l, "api_key = 'test-key-third'\n", 1, "test-key-third", g + 2);
	/* the token expires in place: only a recheck (after a 401) resolves again */
	credentials("[profiles.default]\naccess_token = 'test-key-third'\n"
		    "expires_at = '2026-01-01T00:00:10Z'\n");
	assert_int_equal(login_check(l, NOW, err, sizeof(err)), 0);
	assert_int_equal(login_check(l, NOW + 60, err, sizeof(err)), 0);
	assert_int_equal(login_recheck(l, NOW + 60, err, sizeof(err)), -1);
	assert_string_equal(err, "login expired: run boxlite auth login");
	login_is(l, "test-key-third", g + 2);
	/* the login renewed */
	credentials("[profiles.default]\naccess_token = 'test-token-renewed'\n"
		    "expires_at = '2026-01-01T01:00:00Z'\n");
	assert_int_equal(login_check(l, NOW + 60, err, sizeof(err)), 1);
	login_is(l, "test-token-renewed", g + 3);
	/* logged out (the profile left without a key): not "no key", the key in use stays */
	login_step(l, "# logged out\n", -1, "test-token-renewed", g + 3);
	assert_non_null(strstr(err, "no key in "));
	assert_non_null(strstr(err, "credentials.toml any more: run boxlite auth login"));
	/* a login to another server: its key must not go to this one */
	login_step(l, "url = 'https://other.example.test'\napi_key = 'test-key-other'\n", -1,
		   "test-token-renewed", g + 3);
	assert_non_null(strstr(err, "now names another server (https://other.example.test): "
				    "restart boxtop to use it"));
	login_step(l, "path_prefix = 'team-2'\napi_key = 'test-key-other'\n", -1,
		   "test-token-renewed", g + 3);
	assert_non_null(strstr(err, "now names another server"));
	login_free(&l);
	assert_null(l);
	login_free(&l);
	login_free(NULL);
	settings_clear(&s);
}

/* A key file that is a pipe (`<(pass show ...)`) is read once: opening it again could block. */
static void test_login_pipe_key(void **state)
{
	int fds[2];
	char path[64];
	struct settings s;
	struct login *l;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], FAKE_KEY "\n", sizeof(FAKE_KEY)), (ssize_t)sizeof(FAKE_KEY));
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	resolve_ok(&(struct settings_flags){.api_key_file = path}, &s);
	close(fds[0]);
	assert_string_equal(s.bearer, FAKE_KEY);
	assert_null(settings_key_file(&s));
	/* the pipe is gone: a read would fail, the key stays */
	reload_is(&s, FAKE_KEY);
	l = login_new(&s);
	assert_int_equal(login_recheck(l, NOW, err, sizeof(err)), 0);
	login_is(l, FAKE_KEY, login_generation(l));
	login_free(&l);
	settings_clear(&s);
}

static void test_login_key_file(void **state)
{
	char *keyfile = in_home("key");
	struct settings_flags f = {.api_key_file = keyfile};
	struct settings s;
	struct login *l;

	(void)state;
	write_file(keyfile, "test-key-one\n", 0600);
	resolve_ok(&f, &s);
	assert_string_equal(settings_key_file(&s), keyfile);
	l = login_new(&s);
	/* credentials.toml appearing changes nothing: the flag wins */
	credentials("[profiles.default]\napi_key = 'test-key-profile'\n");
	assert_int_equal(login_check(l, NOW, err, sizeof(err)), 0);
	write_file(keyfile, "test-key-rotated\n", 0600);
	assert_int_equal(login_check(l, NOW, err, sizeof(err)), 1);
	login_is(l, "test-key-rotated", login_generation(l));
	/* the key file removed: an error naming it, the key in use stays */
	assert_int_equal(unlink(keyfile), 0);
	assert_int_equal(login_check(l, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--api-key-file"));
	login_is(l, "test-key-rotated", login_generation(l));
	login_free(&l);
	settings_clear(&s);
	free(keyfile);
}

/* ---- the CA bundle from the environment, and a prefix that needs encoding ---- */

/* Resolves with no flags but f's and checks the CA bundle and where it came from. */
static void ca_is(const struct settings_flags *f, const char *path, const char *source)
{
	struct settings s;

	resolve_ok(f, &s);
	if (path == NULL) {
		assert_null(s.ca_file);
		assert_null(s.ca_source);
	} else {
		assert_non_null(s.ca_file);
		assert_string_equal(s.ca_file, path);
		assert_string_equal(s.ca_source, source);
		assert_string_equal(settings_http_conf(&s).ca_file, path);
	}
	settings_clear(&s);
}

static void test_ca_from_env(void **state)
{
	char *corp = in_home("corp-ca.pem"), *curl = in_home("curl-ca.pem");

	(void)state;
	write_file(corp, "not checked here\n", 0644);
	write_file(curl, "not checked here\n", 0644);
	ca_is(NULL, NULL, NULL);
	env_set("SSL_CERT_FILE", corp);
	ca_is(NULL, corp, "SSL_CERT_FILE");
	/* CURL_CA_BUNDLE first, as the curl tool takes them */
	env_set("CURL_CA_BUNDLE", curl);
	ca_is(NULL, curl, "CURL_CA_BUNDLE");
	free(corp);
	free(curl);
}

static void test_ca_flag_wins(void **state)
{
	char *flag = in_home("flag-ca.pem"), *corp = in_home("corp-ca.pem");
	struct settings_flags f = {.ca_file = flag};
	char *want;

	(void)state;
	write_file(flag, "not checked here\n", 0644);
	write_file(corp, "not checked here\n", 0644);
	env_set("CURL_CA_BUNDLE", corp);
	env_set("SSL_CERT_FILE", corp);
	ca_is(&f, flag, "--ca-file");
	/* a --ca-file that cannot be read is an error, not a fall back to the variables */
	assert_int_equal(remove(flag), 0);
	want = xasprintf("--ca-file %s: No such file or directory", flag);
	resolve_fails(&f, want);
	free(want);
	free(flag);
	free(corp);
}

static void test_ca_env_empty_or_unreadable(void **state)
{
	char *corp = in_home("corp-ca.pem"), *gone = in_home("gone.pem"), *want;
	struct settings s;

	(void)state;
	write_file(corp, "not checked here\n", 0644);
	env_set("CURL_CA_BUNDLE", "");
	env_set("SSL_CERT_FILE", corp);
	ca_is(NULL, corp, "SSL_CERT_FILE");
	env_set("SSL_CERT_FILE", "");
	ca_is(NULL, NULL, NULL);
	/* a variable every program shares, left stale: a warning, and the system's CAs */
	env_set("CURL_CA_BUNDLE", gone);
	env_set("SSL_CERT_FILE", corp);
	resolve_ok(NULL, &s);
	assert_null(s.ca_file);
	assert_null(s.ca_source);
	want = xasprintf("CURL_CA_BUNDLE=%s: No such file or directory: the system's CAs are used",
			 gone);
	assert_int_equal(s.n_warnings, 1);
	assert_string_equal(s.warnings[0], want);
	settings_clear(&s);
	free(want);
	free(corp);
	free(gone);
}

/* What --print-config prints for the CA bundle (tui/config.c's config_print). */
static void test_ca_print_config(void **state)
{
	char *corp = in_home("corp-ca.pem"), *want, *buf = NULL;
	struct config c = {0};
	struct opts o = {0};
	struct settings s;
	size_t len = 0;
	FILE *mem;

	(void)state;
	write_file(corp, "not checked here\n", 0644);
	env_set("SSL_CERT_FILE", corp);
	resolve_ok(NULL, &s);
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	config_print(mem, &c, &o, &s);
	assert_int_equal(fclose(mem), 0);
	want = xasprintf("\nca file          %s (from SSL_CERT_FILE)\n", corp);
	if (strstr(buf, want) == NULL)
		fail_msg("--print-config does not show the CA bundle:\n%s", buf);
	settings_clear(&s);
	free(want);
	free(buf);
	free(corp);
}

/* A prefix pasted verbatim, characters a URL cannot carry as they are included. */
static void test_prefix_escaped(void **state)
{
	struct settings s;
	char *u;

	(void)state;
	resolve_ok(&(struct settings_flags){.url = "https://gw.example.test/api",
					    .path_prefix = "/us-east/team 42%?#\xc3\xa9/"},
		   &s);
	assert_string_equal(settings_prefix(&s), "us-east/team 42%?#\xc3\xa9");
	u = url_of(&s, true, "/boxes");
	assert_string_equal(u, "https://gw.example.test/api/v1/us-east/"
			       "team%2042%25%3F%23%C3%A9/boxes");
	free(u);
	u = url_of(&s, false, "/me");
	assert_string_equal(u, "https://gw.example.test/api/v1/me");
	free(u);
	settings_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clear_and_degenerate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logged_in_no_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bearer_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boxlite_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_credentials_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_key_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_key_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_key_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bearer_control_chars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_building, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_bearer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_stdin_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_pipe_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_key_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_from_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_flag_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_env_empty_or_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_print_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_escaped, setup, teardown),
	};

	return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
