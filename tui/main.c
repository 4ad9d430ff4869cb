/*
 * boxtop: entry point. Parses the command line, resolves where the server is
 * and how to authenticate (net/settings), then runs one mode: the
 * export/import commands (tui/cli), batch output, or the dashboard.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "net/http.h"
#include "net/settings.h"
#include "opts.h"

/* Settings warnings (--insecure, a key file others can read) go to stderr before anything else. */
static void print_warnings(const struct settings *s)
{
	for (size_t i = 0; i < s->n_warnings; i++)
		fprintf(stderr, "boxtop: warning: %s\n", s->warnings[i]);
}

static int run_mode(const struct opts *o, const struct settings *s)
{
	switch (o->mode) {
	case MODE_EXPORT:
	case MODE_IMPORT:
		return cli_transfer(o, s);
	default:
		fputs("boxtop: the dashboard and batch output are not built yet; "
		      "use 'boxtop export' or 'boxtop import'\n",
		      stderr);
		return 1;
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct settings s = {0};
	char err[512];
	int rc = 1;

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
	if (settings_resolve(&o.conn, settings_getenv, time(NULL), &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxtop: %s\n", err);
		return 1;
	}
	print_warnings(&s);
	if (http_global_init() < 0) {
		fputs("boxtop: libcurl cannot start\n", stderr);
		goto out;
	}
	rc = run_mode(&o, &s);
	http_global_cleanup();
out:
	settings_clear(&s);
	return rc;
}
