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
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults.h"
#include "fleet.h"
#include "images.h"
#include "model/xalloc.h"
#include "routes.h"
#include "server.h"
#include "sweeper.h"

#define MAX_KEY_BYTES 4096
#define MAX_PREFIX    128

#define MAX_FAULTS 64

struct options {
	const char *host;
	uint16_t port;
	const char *key_file;
	const char *prefix;
	size_t boxes;
	uint64_t seed;
	const char *faults[MAX_FAULTS];
	size_t n_faults;
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
	"                       (env BOXLITE_SERVE_API_KEY also sets it; a key is never\n"
	"                       taken on the command line)\n"
	"  --prefix P           serve box routes under /v1/P/ (P may contain '/')\n"
	"  --base-path PATH     serve everything under PATH, e.g. /api/v1/boxes\n"
	"  --flavor F           spec (default): the OpenAPI description;\n"
	"                       serve: 'boxlite serve' as its mainline code behaves\n"
	"                       (docs/sim.md: AutoStop, boot-on-scrape, no paging, no\n"
	"                       ETag, no Idempotency-Key, plain-text framework errors...);\n"
	"                       cloud: flat error bodies for 429/502/503/504\n"
	"  --boxes N            seed N boxes instead of the demo fleet of 24\n"
	"  --seed S             seed for everything generated (default 1)\n"
	"  --disk-size SIZE     disk content per seeded box, the size of its export\n"
	"                       (default 64M; suffixes K, M, G)\n"
	"  --rate BYTES/S       throttle exports and imports (suffixes K, M, G; 0 = off)\n"
	"  --transfer-max SIZE  largest import accepted, file_transfer_max_bytes in\n"
	"                       /v1/config (default 8G; larger uploads get 413)\n"
	"  --files-max SIZE     each box's files budget, for PUT .../files and the\n"
	"                       shell (default 64M; more is refused with 413)\n"
	"  --tick MS            how often metrics evolve and the AutoStop sweep runs\n"
	"                       (default 1000)\n"
	"  --auto-stop S        every seeded box's auto_stop, seconds (0: none; default\n"
	"                       900 or 0 at random, 0 in the serve flavor)\n"
	"  --export-delay MS    serve: the silence before an export's first byte, while\n"
	"                       the archive is built (default 0)\n"
	"  --export-chunked     serve: exports chunked from the first byte (the branch\n"
	"                       that streams), not built whole with a Content-Length\n"
	"  --disable CAPS       capabilities /v1/config says are off, e.g.\n"
	"                       snapshots,clone,export,import (the routes still work)\n"
	"  --state-dir DIR      where archives and uploads live (default: a private\n"
	"                       temporary directory, removed on exit)\n"
	"  --strict-stopped     snapshot, clone and export refuse running boxes (409)\n"
	"  --log-rate N         log lines per second each running box's main session\n"
	"                       writes (default 2; 0: none)\n"
	"  --log-line-bytes N   pad each log line to N bytes, newline included (at most\n"
	"                       65536; default 0: as made), for a flood: 1000 lines of\n"
	"                       10000 bytes a second is 10 MB/s\n"
	"  --reap-grace S       seconds an ended execution nobody is attached to is kept\n"
	"                       (default 60)\n"
	"  --no-etag            send no ETag and ignore If-None-Match, as a server\n"
	"                       without them would\n"
	"  --control            serve the /_sim/ control API (faults, key expiry, boxes)\n"
	"  --fault SPEC         a fault rule, repeatable: 'METHOD PATTERN:key=value,...'\n"
	"                       keys: status retry_after latency_ms truncate not_json\n"
	"                       pad_bytes drip_ms drop_after corrupt_at lost cut rate\n"
	"                       count skip\n"
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

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMG";
	char digits[32];
	size_t n = s != NULL ? strlen(s) : 0;
	const char *suf;
	unsigned shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof(digits))
		return -1;
	memcpy(digits, s, n + 1);
	suf = strchr(suffixes, digits[n - 1]);
	if (digits[n - 1] != '\0' && suf != NULL) {
		shift = 10 * (unsigned)(suf - suffixes + 1);
		digits[n - 1] = '\0';
	}
	if (parse_u64(digits, UINT64_MAX >> shift, &v) < 0)
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_flavor(const char *s, enum sim_flavor *f)
{
	static const char *const names[] = {
		[FLAVOR_SPEC] = "spec", [FLAVOR_SERVE] = "serve", [FLAVOR_CLOUD] = "cloud"};

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*f = (enum sim_flavor)i;
			return 0;
		}
	}
	return -1;
}

static int parse_fault(const char *val, struct options *o)
{
	if (o->n_faults == MAX_FAULTS)
		return -1;
	o->faults[o->n_faults++] = val;
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
	} else if (strcmp(opt, "--base-path") == 0) {
		o->sim.base_path = val;
		rc = 0;
	} else if (strcmp(opt, "--flavor") == 0) {
		rc = parse_flavor(val, &o->sim.flavor);
	} else if (strcmp(opt, "--boxes") == 0 && parse_u64(val, 100000, &v) == 0) {
		o->boxes = (size_t)v;
		rc = 0;
	} else if (strcmp(opt, "--seed") == 0) {
		rc = parse_u64(val, UINT64_MAX, &o->seed);
	} else if (strcmp(opt, "--disk-size") == 0) {
		rc = parse_size(val, &o->sim.disk_size);
	} else if (strcmp(opt, "--transfer-max") == 0) {
		rc = parse_size(val, &o->sim.transfer_max);
	} else if (strcmp(opt, "--files-max") == 0) {
		rc = parse_size(val, &o->sim.files_max);
	} else if (strcmp(opt, "--disable") == 0) {
		rc = routes_caps_parse(val, &o->sim.caps_off);
	} else if (strcmp(opt, "--rate") == 0) {
		rc = parse_size(val, &o->sim.rate);
	} else if (strcmp(opt, "--tick") == 0 && parse_u64(val, 3600000, &v) == 0 && v != 0) {
		o->sim.tick_ms = (unsigned)v;
		rc = 0;
	} else if (strcmp(opt, "--auto-stop") == 0 && parse_u64(val, INT32_MAX, &v) == 0) {
		o->sim.auto_stop = (int64_t)v;
		o->sim.auto_stop_given = true;
		rc = 0;
	} else if (strcmp(opt, "--export-delay") == 0 && parse_u64(val, 3600000, &v) == 0) {
		o->sim.export_delay_ms = (unsigned)v;
		rc = 0;
	} else if (strcmp(opt, "--log-rate") == 0 && parse_u64(val, 1000, &v) == 0) {
		o->sim.log_rate = (unsigned)v;
		rc = 0;
	} else if (strcmp(opt, "--log-line-bytes") == 0 && parse_u64(val, 65536, &v) == 0) {
		o->sim.log_line_len = (unsigned)v;
		rc = 0;
	} else if (strcmp(opt, "--reap-grace") == 0 && parse_u64(val, 86400, &v) == 0) {
		o->sim.reap_grace = (unsigned)v;
		rc = 0;
	} else if (strcmp(opt, "--state-dir") == 0) {
		o->sim.state_dir = val;
		rc = 0;
	} else if (strcmp(opt, "--fault") == 0) {
		rc = parse_fault(val, o);
	}
	return rc;
}

static bool takes_value(const char *opt)
{
	static const char *const valued[] = {
		"--host",           "--port",         "--api-key-file", "--prefix",
		"--base-path",      "--flavor",       "--boxes",        "--seed",
		"--disk-size",      "--rate",         "--tick",         "--state-dir",
		"--fault",          "--transfer-max", "--disable",      "--auto-stop",
		"--export-delay",   "--files-max",    "--log-rate",     "--reap-grace",
		"--log-line-bytes",
	};

	for (size_t i = 0; i < ARRAY_LEN(valued); i++)
		if (strcmp(opt, valued[i]) == 0)
			return true;
	return false;
}

static bool parse_flag(const char *opt, struct options *o)
{
	if (strcmp(opt, "--strict-stopped") == 0)
		o->sim.strict_stopped = true;
	else if (strcmp(opt, "--control") == 0)
		o->sim.control = true;
	else if (strcmp(opt, "--no-etag") == 0)
		o->sim.no_etag = true;
	else if (strcmp(opt, "--export-chunked") == 0)
		o->sim.export_chunked = true;
	else
		return false;
	return true;
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
		if (parse_flag(argv[i], o))
			continue;
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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The state directory: the one given, else a private one made now (*made set). */
static char *state_dir(const struct options *o, bool *made)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	*made = false;
	if (o->sim.state_dir != NULL) {
		if (mkdir(o->sim.state_dir, 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, "boxlite-sim: --state-dir %s: %s\n", o->sim.state_dir,
				strerror(errno));
			return NULL;
		}
		return xstrdup(o->sim.state_dir);
	}
	dir = xasprintf("%s/boxlite-sim-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "boxlite-sim: cannot make a state directory: %s\n",
			strerror(errno));
		free(dir);
		return NULL;
	}
	*made = true;
	return dir;
}

static struct faults *load_faults(const struct options *o)
{
	struct faults *f = faults_new(o->seed);
	char err[256];

	for (size_t i = 0; i < o->n_faults; i++) {
		if (faults_add_spec(f, o->faults[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "boxlite-sim: --fault '%s': %s\n", o->faults[i], err);
			faults_free(&f);
			break;
		}
	}
	return f;
}

static int serve(struct options *o, const char *key, const sigset_t *set)
{
	struct server_opts so = {
		.host = o->host, .port = o->port, .api_key = key, .prefix = o->prefix};
	struct fleet *fleet = NULL;
	struct images *images = NULL;
	struct faults *faults = load_faults(o);
	struct effects *effects = effects_new();
	struct sweeper *sweeper = NULL;
	struct server *srv;
	bool made = false;
	char *dir = faults != NULL ? state_dir(o, &made) : NULL;
	uint16_t port = 0;
	int rc = 2;

	if (dir == NULL)
		goto out;
	o->sim.state_dir = dir;
	fleet = fleet_new(o->seed, o->boxes);
	fleet_set_opts(fleet, &o->sim);
	fleet_set_effects(fleet, effects);
	images = images_new(o->seed, fleet);
	so.images = images;
	so.faults = faults;
	so.effects = effects;
	so.sim = &o->sim;
	rc = 1;
	sweeper = sweeper_start(fleet, o->sim.tick_ms);
	srv = sweeper != NULL ? server_start(&so, fleet, &port) : NULL;
	if (srv == NULL)
		goto out;
	printf("listening on http://%s:%u\n", o->host, port);
	fflush(stdout);
	wait_for_signal(set);
	server_stop(&srv);
	rc = 0;
out:
	sweeper_stop(&sweeper);
	images_free(&images);
	fleet_free(&fleet);
	faults_free(&faults);
	effects_free(&effects);
	if (made)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {.host = "127.0.0.1", .port = 8100, .seed = 1};

	o.sim.disk_size = 64u << 20;
	o.sim.tick_ms = 1000;
	o.sim.log_rate = 2;
	o.sim.reap_grace = 60;
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
