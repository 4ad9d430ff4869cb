/*
 * login: one mutex over the bearer, its generation and what the files
 * looked like when it was last resolved. The resolve runs under the mutex
 * (two small local files), so two threads never race to install different
 * bearers.
 */
#include "login.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/xalloc.h"

/* What stat(2) said of a file; a file that is not there is all zeroes. */
struct look {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool exists;
};

struct login {
	pthread_mutex_t lock;
	const struct settings *s;
	char *bearer;
	atomic_uint generation; /* changed under lock, read without */
	struct look looks[2];   /* credentials.toml, --api-key-file */
	bool stale;             /* the last resolve failed: try again at the next look */
};

static struct look look_at(const char *path)
{
	struct look k = {0};
	struct stat st;

	if (path != NULL && stat(path, &st) == 0)
		k = (struct look){st.st_dev, st.st_ino, st.st_size, st.st_mtim, true};
	return k;
}

static bool same_look(const struct look *a, const struct look *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Looks at both files again; true when either differs from the last look. Lock held. */
static bool files_changed(struct login *l)
{
	const char *paths[2] = {settings_credentials_file(l->s), settings_key_file(l->s)};
	bool changed = false;

	for (size_t i = 0; i < 2; i++) {
		struct look k = look_at(paths[i]);

		changed |= !same_look(&k, &l->looks[i]);
		l->looks[i] = k;
	}
	return changed;
}

struct login *login_new(const struct settings *s)
{
	struct login *l = xcalloc(1, sizeof(*l));

	pthread_mutex_init(&l->lock, NULL);
	l->s = s;
	l->bearer = xstrdup(s->bearer);
	files_changed(l);
	return l;
}

void login_free(struct login **l)
{
	if (l == NULL || *l == NULL)
		return;
	login_bearer_free((*l)->bearer);
	pthread_mutex_destroy(&(*l)->lock);
	free(*l);
	*l = NULL;
}

unsigned login_generation(struct login *l)
{
	return atomic_load(&l->generation);
}

char *login_bearer(struct login *l, unsigned *generation)
{
	char *b;

	pthread_mutex_lock(&l->lock);
	b = xstrdup(l->bearer);
	if (generation != NULL)
		*generation = l->generation;
	pthread_mutex_unlock(&l->lock);
	return b;
}

void login_bearer_free(char *bearer)
{
	if (bearer != NULL)
		explicit_bzero(bearer, strlen(bearer));
	free(bearer);
}

static int check(struct login *l, bool force, int64_t now, char *err, size_t errlen)
{
	char *bearer;
	bool was_stale;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	was_stale = l->stale;
	if (!files_changed(l) && !force && !was_stale)
		goto out;
	/* a file caught half written fails, and is read again at the next look */
	l->stale = settings_reload_bearer(l->s, now, &bearer, err, errlen) < 0;
	if (l->stale) {
		rc = -1;
		goto out;
	}
	rc = was_stale;
	if (!xstreq(bearer, l->bearer)) {
		login_bearer_free(l->bearer);
		l->bearer = bearer;
		bearer = NULL;
		l->generation++;
		rc = 1;
	}
	login_bearer_free(bearer);
out:
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int login_check(struct login *l, int64_t now, char *err, size_t errlen)
{
	return check(l, false, now, err, errlen);
}

int login_recheck(struct login *l, int64_t now, char *err, size_t errlen)
{
	return check(l, true, now, err, errlen);
}
