/*
 * login: the bearer boxtop sends, shared by the poller and the workers, and
 * read again when it may have changed, so an OIDC login that expires in the
 * middle of a session comes back after `boxlite auth login` in another
 * terminal, with no restart.
 *
 * The bearer is resolved the way it was at start (settings_reload_bearer:
 * same flags, same environment); a flag or BOXLITE_API_KEY still wins over
 * the file. login_check costs a stat(2) of the files the bearer can come
 * from (credentials.toml, --api-key-file) and resolves again only when one
 * changed; login_recheck resolves again whatever the files say (after the
 * server refused the bearer: the token may have expired in place).
 */
#ifndef BOXTOP_NET_LOGIN_H
#define BOXTOP_NET_LOGIN_H

#include <stddef.h>
#include <stdint.h>

#include "settings.h"

struct login;

/* s must outlive the login; only read, from any thread. */
struct login *login_new(const struct settings *s);
void login_free(struct login **l);

/* Bumped each time the bearer changes; a handle made at another generation is stale. */
unsigned login_generation(struct login *l);

/* A copy of the bearer (NULL: none) and its generation; free with login_bearer_free. */
char *login_bearer(struct login *l, unsigned *generation);
/* Zeroes and frees a bearer login_bearer returned; NULL is fine. */
void login_bearer_free(char *bearer);

/*
 * When a file the bearer comes from changed since the last look, or the
 * last resolve failed: resolves again at unix time now. Returns 1 when the
 * bearer is different now or usable again (the last resolve had failed),
 * 0 when nothing changed, -1 when it cannot be resolved, with err saying
 * why ("login expired: run boxlite auth login"); the bearer in use stays
 * then, and the next look resolves again.
 */
int login_check(struct login *l, int64_t now, char *err, size_t errlen);
/* login_check as if a file had changed. */
int login_recheck(struct login *l, int64_t now, char *err, size_t errlen);

#endif
