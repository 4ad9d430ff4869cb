/* config: the config file, read with net/toml (scalars allowed), and --print-config. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/pool.h"
#include "net/toml.h"
#include "columns.h"

#define CONFIG_MAX_BYTES (256u * 1024)

static char *config_path(const char *(*getenv_fn)(const char *))
{
	const char *xdg = getenv_fn("XDG_CONFIG_HOME");
	const char *home = getenv_fn("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/boxtop/config.toml", xdg);
	if (home != NULL && home[0] != '\0')
		return xasprintf("%s/.config/boxtop/config.toml", home);
	return NULL;
}

/* The file's bytes, or NULL: *missing when it does not exist, else errno is set. */
static char *slurp(const char *path, size_t *len, bool *missing)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	*missing = fd < 0 && errno == ENOENT;
	if (fd < 0)
		return NULL;
	buf = xmalloc(CONFIG_MAX_BYTES + 1);
	n = read(fd, buf, CONFIG_MAX_BYTES + 1);
	close(fd);
	if (n < 0 || (size_t)n > CONFIG_MAX_BYTES) {
		errno = n < 0 ? errno : EFBIG;
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

static int bad(char *err, size_t errlen, const char *path, const char *key, const char *want)
{
	snprintf(err, errlen, "%s: %s: expected %s", path, key, want);
	return -1;
}

static int as_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return -1;
	*out = v[0] == 't';
	return 0;
}

/* One key of the file onto o (unless a flag set it). */
static int apply(struct config *c, struct opts *o, const char *key, const char *v,
		 const char *(*getenv_fn)(const char *), char *err, size_t errlen)
{
	bool b;
	char *end;
	double d;

	if (strcmp(key, "refresh") == 0) {
		d = strtod(v, &end);
		if (*end != '\0' || !(d >= 0.1 && d <= 3600))
			return bad(err, errlen, c->path, key, "seconds from 0.1 to 3600");
		if (o->interval_ms == 0)
			o->interval_ms = (unsigned)lround(d * 1000);
	} else if (strcmp(key, "workers") == 0) {
		long n = strtol(v, &end, 10);

		if (*end != '\0' || n < 1 || n > POOL_MAX_WORKERS)
			return bad(err, errlen, c->path, key,
				   "a number from 1 to " STRINGIFY(POOL_MAX_WORKERS));
		if (o->workers == 0)
			o->workers = (unsigned)n;
	} else if (strcmp(key, "export_dir") == 0) {
		const char *home = getenv_fn("HOME");

		free(c->export_dir);
		c->export_dir = v[0] == '~' && (v[1] == '/' || v[1] == '\0') && home != NULL
					? xasprintf("%s%s", home, v + 1)
					: xstrdup(v);
		if (o->export_dir == NULL)
			o->export_dir = c->export_dir;
	} else if (strcmp(key, "columns") == 0) {
		unsigned mask;
		char why[256];

		if (columns_parse(v, &mask, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: columns: %s", c->path, why);
			return -1;
		}
		free(c->columns);
		c->columns = xstrdup(v);
		o->columns = c->columns;
	} else if (strcmp(key, "log_lines") == 0 || strcmp(key, "log_mib") == 0) {
		bool lines = key[4] == 'l';
		long n = strtol(v, &end, 10);

		if (*end != '\0' || n < 1 || n > (lines ? 1000000 : 1024))
			return bad(err, errlen, c->path, key,
				   lines ? "a number of lines from 1 to 1000000"
					 : "a number of MiB from 1 to 1024");
		if (lines)
			o->log_lines = (size_t)n;
		else
			o->log_bytes = (size_t)n << 20;
	} else if (strcmp(key, "shell") == 0) {
		if (v[0] == '\0')
			return bad(err, errlen, c->path, key, "a command, e.g. \"/bin/bash\"");
		free(c->shell);
		c->shell = xstrdup(v);
		o->shell = c->shell;
	} else if (strcmp(key, "color") != 0 && strcmp(key, "ascii") != 0 &&
		   strcmp(key, "mouse") != 0 && strcmp(key, "readonly") != 0) {
		snprintf(err, errlen, "%s: unknown key \"%s\" (see boxtop(1))", c->path, key);
		return -1;
	} else if (as_bool(v, &b) < 0) {
		return bad(err, errlen, c->path, key, "true or false");
	} else if (strcmp(key, "color") == 0) {
		o->no_color |= !b;
	} else if (strcmp(key, "ascii") == 0) {
		o->ascii |= b;
	} else if (strcmp(key, "mouse") == 0) {
		o->no_mouse |= !b;
	} else {
		o->readonly |= b;
	}
	return 0;
}

static int apply_doc(struct config *c, struct opts *o, const struct toml_doc *d,
		     const char *(*getenv_fn)(const char *), char *err, size_t errlen)
{
	const struct toml_table *root = toml_table_at(d, 0);

	if (toml_table_count(d) > 1) {
		snprintf(err, errlen, "%s: tables are not used here: keys go at the top", c->path);
		return -1;
	}
	for (size_t i = 0; i < toml_key_count(root); i++)
		if (apply(c, o, toml_key_at(root, i), toml_value_at(root, i), getenv_fn, err,
			  errlen) < 0)
			return -1;
	return 0;
}

int config_load(struct config *c, struct opts *o, const char *(*getenv_fn)(const char *), char *err,
		size_t errlen)
{
	struct toml_doc *d = NULL;
	char perr[256];
	bool missing;
	size_t len = 0;
	char *buf;
	int rc = -1;

	*c = (struct config){.path = config_path(getenv_fn)};
	if (c->path == NULL)
		return 0;
	buf = slurp(c->path, &len, &missing);
	if (buf == NULL && missing)
		return 0;
	if (buf == NULL) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		return -1;
	}
	c->found = true;
	if (toml_parse_flags(buf, len, TOML_SCALARS, &d, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", c->path, perr);
		goto out;
	}
	rc = apply_doc(c, o, d, getenv_fn, err, errlen);
out:
	toml_free(&d);
	free(buf);
	return rc;
}

void config_clear(struct config *c)
{
	free(c->path);
	free(c->export_dir);
	free(c->columns);
	free(c->shell);
	*c = (struct config){0};
}

void config_print(FILE *out, const struct config *c, const struct opts *o, const struct settings *s)
{
	const char *prefix = settings_prefix(s);

	fprintf(out, "config file      %s (%s)\n", c->path != NULL ? c->path : "(no HOME)",
		c->found ? "read" : "not there: defaults");
	fprintf(out, "credentials      %s (profile %s%s)\n",
		s->credentials_path != NULL ? s->credentials_path : "(no HOME)", s->profile,
		s->profile_found ? "" : ", not in the file");
	fprintf(out, "url              %s\n", s->url);
	fprintf(out, "path prefix      %s\n",
		prefix == NULL ? "(asked of the server: GET /v1/me)"
		: prefix[0]    ? prefix
			       : "(none)");
	fprintf(out, "credential       %s\n", settings_bearer_source(s));
	if (s->ca_file != NULL)
		fprintf(out, "ca file          %s (from %s)\n", s->ca_file, s->ca_source);
	else
		fprintf(out, "ca file          (the system's)\n");
	fprintf(out, "tls verification %s\n", s->insecure ? "OFF (--insecure)" : "on");
	fprintf(out, "refresh          %.1f s\n",
		(o->interval_ms != 0 ? o->interval_ms : 2000) / 1000.0);
	fprintf(out, "workers          %u\n", o->workers != 0 ? o->workers : POOL_DEFAULT_WORKERS);
	fprintf(out, "export dir       %s\n", o->export_dir != NULL ? o->export_dir : ".");
	fprintf(out, "columns          %s\n", o->columns != NULL ? o->columns : "(all that fit)");
	fprintf(out, "log scrollback   %zu lines, %zu MiB\n", o->log_lines, o->log_bytes >> 20);
	fprintf(out, "shell            %s\n", o->shell);
	fprintf(out, "readonly         %s\n", o->readonly ? "yes" : "no");
	fprintf(out, "color            %s\n", o->no_color ? "no" : "yes (unless NO_COLOR is set)");
	fprintf(out, "ascii            %s\n", o->ascii ? "yes" : "when the locale is not UTF-8");
	fprintf(out, "mouse            %s\n", o->no_mouse ? "no" : "yes");
	for (size_t i = 0; i < s->n_warnings; i++)
		fprintf(out, "warning          %s\n", s->warnings[i]);
}
