/*
 * boxlite-sim: entry point. Parses the options, seeds the fleet, starts the
 * server and waits for SIGINT or SIGTERM with sigwait(): the signals are
 * blocked before any thread exists, so MHD's threads inherit the mask and
 * only this thread ever receives them. Then everything is stopped and freed.
 *
 * The API key is never taken as a command-line value (argv is visible to
 * every user through ps): it comes from --api-key-file or the environment.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "images.h"
#include "model/xalloc.h"
#include "server.h"

#define MAX_KEY_BYTES 4096
#define MAX_PREFIX    128

struct options {
	const char *host;
	uint16_t port;
	const char *key_file;
	const char *prefix;
	size_t boxes;
	uint64_t seed;
	struct sim_opts sim;
	bool done; /* --help or --version answered */
};

static const char usage[] =
	"usage: boxlite-sim [options]\n"
	"\n"
	"The BoxLite REST API simulator: serves a seeded in-memory fleet.\n"
	"\n"
	"  --host ADDR          IPv4 address to bind (default 127.0.0.1)\n"
	"  --port N             port, 0 picks a free one (default 8100)\n"
	"  --api-key-file PATH  require 'Authorization: Bearer KEY', KEY read from PATH\n"
	"                       (env BOXLITE_SERVE_API_KEY also sets it)\n"
	"  --prefix P           serve box routes under /v1/P/ (P may contain '/')\n"
	"  --boxes N            seed N boxes instead of the demo fleet of 24\n"
	"  --seed S             seed for everything generated (default 1)\n"
	"  --help, --version\n"
	"\n"
	"When ready it prints 'listening on http://HOST:PORT'. SIGINT/SIGTERM stop it.\n";

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Options taking a value; returns -1 on a bad one. */
static int parse_valued(const char *opt, const char *val, struct options *o)
{
	uint64_t v = 0;
	int rc = -1;

	if (strcmp(opt, "--host") == 0) {
		o->host = val;
		rc = 0;
	} else if (strcmp(opt, "--port") == 0 && parse_u64(val, 65535, &v) == 0) {
		o->port = (uint16_t)v;
		rc = 0;
	} else if (strcmp(opt, "--api-key-file") == 0) {
		o->key_file = val;
		rc = 0;
	} else if (strcmp(opt, "--prefix") == 0) {
		o->prefix = val;
		rc = 0;
	} else if (strcmp(opt, "--boxes") == 0 && parse_u64(val, 100000, &v) == 0) {
		o->boxes = (size_t)v;
		rc = 0;
	} else if (strcmp(opt, "--seed") == 0 && parse_u64(val, UINT64_MAX, &o->seed) == 0) {
		rc = 0;
	}
	return rc;
}

static bool takes_value(const char *opt)
{
	static const char *const valued[] = {"--host",   "--port",  "--api-key-file",
					     "--prefix", "--boxes", "--seed"};

	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (strcmp(opt, valued[i]) == 0)
			return true;
	return false;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			o->done = true;
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("boxlite-sim %s\n", BOXTOP_VERSION);
			o->done = true;
			return 0;
		}
		if (strcmp(argv[i], "--api-key") == 0) {
			fputs("boxlite-sim: --api-key is refused: a key on the command line is "
			      "visible to every user; use --api-key-file or "
			      "BOXLITE_SERVE_API_KEY\n",
			      stderr);
			return -1;
		}
		if (!takes_value(argv[i]) || i + 1 == argc) {
			fprintf(stderr, "boxlite-sim: bad option '%s' (try --help)\n", argv[i]);
			return -1;
		}
		if (parse_valued(argv[i], argv[i + 1], o) < 0) {
			fprintf(stderr, "boxlite-sim: bad value for %s: '%s'\n", argv[i],
				argv[i + 1]);
			return -1;
		}
		i++;
	}
	return 0;
}

/* Reads the key from path, trailing newline dropped. NULL after a message. */
static char *read_key_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *key = xcalloc(1, MAX_KEY_BYTES + 1);
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "boxlite-sim: %s: %s\n", path, strerror(errno));
		free(key);
		return NULL;
	}
	n = fread(key, 1, MAX_KEY_BYTES, fp);
	fclose(fp);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		key[--n] = '\0';
	if (n == 0 || strlen(key) != n) {
		fprintf(stderr, "boxlite-sim: %s: empty or binary key\n", path);
		free(key);
		return NULL;
	}
	return key;
}

static int load_key(const struct options *o, char **key)
{
	const char *env = getenv("BOXLITE_SERVE_API_KEY");

	*key = NULL;
	if (o->key_file != NULL) {
		*key = read_key_file(o->key_file);
		return *key != NULL ? 0 : -1;
	}
	if (env != NULL && env[0] != '\0')
		*key = xstrdup(env);
	return 0;
}

static int check_prefix(const char *p)
{
	if (p == NULL ||
	    (p[0] != '\0' && strlen(p) <= MAX_PREFIX && p[0] != '/' && p[strlen(p) - 1] != '/' &&
	     strstr(p, "//") == NULL && strstr(p, "..") == NULL))
		return 0;
	fprintf(stderr, "boxlite-sim: --prefix: 1-%d chars, no leading, trailing or double '/'\n",
		MAX_PREFIX);
	return -1;
}

static void wait_for_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
}

static int serve(const struct options *o, const char *key, const sigset_t *set)
{
	struct server_opts so = {
		.host = o->host, .port = o->port, .api_key = key, .prefix = o->prefix};
	struct fleet *fleet = fleet_new(o->seed, o->boxes);
	struct images *images = images_new(o->seed, fleet);
	struct server *srv;
	uint16_t port = 0;
	int rc = 1;

	so.images = images;
	so.sim = &o->sim;
	srv = server_start(&so, fleet, &port);
	if (srv == NULL)
		goto out;
	printf("listening on http://%s:%u\n", o->host, port);
	fflush(stdout);
	wait_for_signal(set);
	server_stop(&srv);
	rc = 0;
out:
	images_free(&images);
	fleet_free(&fleet);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {.host = "127.0.0.1", .port = 8100, .seed = 1};
	char *key = NULL;
	sigset_t set;
	int rc = 2;

	if (parse_args(argc, argv, &o) < 0 || check_prefix(o.prefix) < 0)
		goto out;
	rc = 0;
	if (o.done)
		goto out;
	rc = 2;
	if (load_key(&o, &key) < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rc = serve(&o, key, &set);
out:
	free(key);
	return rc;
}
