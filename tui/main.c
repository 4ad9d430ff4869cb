/*
 * boxtop: entry point. Parses the command line, resolves where the server is
 * and how to authenticate (net/settings), then runs one mode: an action's
 * command (tui/cli), the images command (tui/imagecmd), exec, shell and
 * logs (tui/execcmd), batch output, or
 * the dashboard; `boxtop keys` needs no server.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "app.h"
#include "batch.h"
#include "cli.h"
#include "config.h"
#include "demo.h"
#include "execcmd.h"
#include "imagecmd.h"
#include "net/http.h"
#include "net/settings.h"
#include "opts.h"
#include "ui.h"

/* Settings warnings (--insecure, a key file others can read) go to stderr before anything else. */
static void print_warnings(const struct settings *s)
{
	for (size_t i = 0; i < s->n_warnings; i++)
		fprintf(stderr, "boxtop: warning: %s\n", s->warnings[i]);
}

/* The demo reads no environment: the user's stored key must not go to the simulator. */
static const char *no_env(const char *name)
{
	(void)name;
	return NULL;
}

static int run_mode(const struct opts *o, const struct settings *s)
{
	switch (o->mode) {
	case MODE_ACTION:
		return cli_action(o, s);
	case MODE_BATCH:
		return batch_run(o, s);
	case MODE_IMAGES:
		return imagecmd_run(o, s);
	case MODE_EXEC:
		return execcmd_run(o, s);
	case MODE_LOGS:
		return logscmd_run(o, s);
	default:
		return app_run(o, s);
	}
}

/* Everything after the command line: config file, --demo, settings, the mode. */
static int run(struct opts *o, const char *argv0)
{
	struct settings s = {0};
	struct demo *demo = NULL;
	struct config cfg = {0};
	char err[512];
	int rc = 1;

	if (config_load(&cfg, o, settings_getenv, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxtop: %s\n", err);
		goto out;
	}
	if (o->demo) {
		/* the simulator needs no key and has no prefix; nothing else is asked */
		demo = demo_start(argv0, err, sizeof(err));
		if (demo == NULL) {
			fprintf(stderr, "boxtop: --demo: %s\n", err);
			goto out;
		}
		o->conn = (struct settings_flags){.url = demo_url(demo), .path_prefix = ""};
	}
	if (settings_resolve(&o->conn, demo != NULL ? no_env : settings_getenv, time(NULL), &s, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "boxtop: %s\n", err);
		goto out;
	}
	if (o->print_config) {
		config_print(stdout, &cfg, o, &s);
		rc = 0;
		goto out;
	}
	print_warnings(&s);
	rc = run_mode(o, &s);
out:
	settings_clear(&s);
	demo_stop(&demo);
	config_clear(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	char err[512];
	int rc;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	if (opts_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxtop: %s\n", err);
		return 2;
	}
	if (o.mode == MODE_HELP) {
		opts_usage(stdout);
		return 0;
	}
	if (o.mode == MODE_VERSION) {
		printf("boxtop %s\n", BOXTOP_VERSION);
		return 0;
	}
	if (o.mode == MODE_KEYS) {
		keys_print(stdout);
		return 0;
	}
	/* before any thread, and before --demo's first request */
	if (http_global_init() < 0) {
		fputs("boxtop: libcurl cannot start\n", stderr);
		return 1;
	}
	rc = run(&o, argv[0]);
	http_global_cleanup();
	return rc;
}
