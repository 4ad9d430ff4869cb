/*
 * settings: where boxtop's server is and how it authenticates, resolved the
 * way the official `boxlite` CLI does it, so a user who ran
 * `boxlite auth login` starts boxtop with no arguments.
 *
 * Each field is taken from the first of: its flag, its environment variable,
 * the profile in $BOXLITE_HOME/credentials.toml (BOXLITE_HOME only when
 * absolute, else ~/.boxlite). The profile is --profile, else
 * BOXLITE_PROFILE, else "default". The bearer is --api-key-file, else
 * BOXLITE_API_KEY, else the profile's api_key, else its access_token (an
 * expired one is an error). The CA bundle is --ca-file, else CURL_CA_BUNDLE,
 * else SSL_CERT_FILE, else the system's. No flag ever takes a key on the
 * command line, and the bearer is never logged or printed:
 * settings_bearer_source says where it came from instead. docs/settings.md
 * is the user's version.
 */
#ifndef BOXTOP_NET_SETTINGS_H
#define BOXTOP_NET_SETTINGS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "http.h"

#define SETTINGS_DEFAULT_URL     "http://localhost:8100"
#define SETTINGS_DEFAULT_PROFILE "default"
#define SETTINGS_KEY_FILE_MAX    (64u * 1024) /* a longer --api-key-file is refused */

/* The command line; NULL or false when a flag was not given. Strings are borrowed. */
struct settings_flags {
	const char *url;
	const char *profile;
	const char *path_prefix;  /* "" means explicitly none: do not ask GET /v1/me */
	const char *api_key_file; /* a path, or "-" for stdin */
	const char *ca_file;
	bool insecure;
};

/* Resolved settings; every string is owned and freed by settings_clear. */
struct settings {
	char *url;         /* scheme://host[:port][/base], no trailing '/' */
	char *path_prefix; /* no leading or trailing '/'; NULL: not set */
	/*
	 * true when a flag, BOXLITE_REST_PATH_PREFIX or the profile set the
	 * prefix ("" included): it wins over GET /v1/me. false: ask /v1/me.
	 */
	bool prefix_explicit;
	char *bearer;           /* NULL: no Authorization header. Never print it. */
	char *bearer_source;    /* "api key from BOXLITE_API_KEY", ..., or "no credentials" */
	char *profile;          /* the profile name in use */
	bool profile_found;     /* whether credentials.toml has it */
	char *credentials_path; /* the file read (or that would be); NULL without a home */
	char *ca_file;          /* NULL: the system's CAs */
	/* where ca_file came from: "--ca-file", "CURL_CA_BUNDLE" or "SSL_CERT_FILE"; static */
	const char *ca_source;
	bool insecure;
	bool key_file_regular; /* --api-key-file named a regular file, which can be read again */
	char **warnings;       /* one line each, to show on screen and on stderr */
	size_t n_warnings;
	/* What it was resolved from, for settings_reload_bearer; flags' strings are flag_copy's. */
	struct settings_flags flags;
	char *flag_copy[5];
	const char *(*getenv_fn)(const char *);
};

/*
 * Resolves f (NULL: no flags) against the environment as getenv_fn reads it
 * (settings_getenv in boxtop; a table in tests) at unix time now. Returns 0
 * and fills *out, or -1 with *out cleared and a message in err, e.g.
 * "login expired: run boxlite auth login", "/home/u/.boxlite/credentials.toml:
 * line 4: ...", "profile \"work\" not found in ...", "BOXLITE_REST_URL: ...
 * use http:// or https://". A missing credentials file is not an error;
 * reading --api-key-file "-" reads stdin to its end.
 */
int settings_resolve(const struct settings_flags *f, const char *(*getenv_fn)(const char *),
		     int64_t now, struct settings *out, char *err, size_t errlen);

/* getenv(3) with the signature settings_resolve takes. */
const char *settings_getenv(const char *name);

/* Frees every string of s and zeroes it; s may be NULL; clearing twice is fine. */
void settings_clear(struct settings *s);

/* Where the bearer came from, for the status line and --verbose; never the secret itself. */
const char *settings_bearer_source(const struct settings *s);

/*
 * The files the bearer can be read from again (credentials.toml, an
 * --api-key-file that is a regular file: not "-", a pipe or a FIFO), NULL
 * where there is none: a login renewed in another terminal (`boxlite auth
 * login`) changes one of them.
 */
const char *settings_credentials_file(const struct settings *s);
const char *settings_key_file(const struct settings *s);

/*
 * Resolves the bearer again the way s was resolved (same flags, same
 * environment) at unix time now: 0 with *bearer (owned, NULL when there is
 * none), or -1 with err ("login expired: run boxlite auth login", a line of
 * credentials.toml, ...). Also -1 when the settings now name another URL or
 * prefix (that key is not for this server), and when s had a key and there
 * is none now (logged out, or a file half written). A key read from stdin,
 * a pipe or a FIFO is not read again: 0 with s's own bearer. Safe from any
 * thread; s is only read.
 */
int settings_reload_bearer(const struct settings *s, int64_t now, char **bearer, char *err,
			   size_t errlen);

/* The prefix to give api_new and the poller: s's when set ("" included), NULL: ask GET /v1/me. */
const char *settings_prefix(const struct settings *s);

/* How to reach the server: the bearer, CA file and --insecure of s (borrowed from s). */
struct http_conf settings_http_conf(const struct settings *s);

/*
 * An API handle for the calling thread, on s's URL with its prefix (NULL
 * when the prefix is to be discovered: see api_discover_prefix). Free with
 * api_free. The URL rule (base + "/v1" + "/" + prefix + path) is api_url's.
 */
struct api *settings_api(const struct settings *s);

/*
 * settings_api, then, unless s sets the prefix, GET /v1/me to learn it
 * (its path_prefix; `prefix` is ignored). Returns the handle, or NULL with
 * err filled when /v1/me fails. The principal goes to *me when me is not
 * NULL (NULL when it was not asked for; caller frees with principal_free).
 */
struct api *settings_connect(const struct settings *s, const atomic_bool *cancel,
			     struct principal **me, struct net_error *err);

#endif
