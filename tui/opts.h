/*
 * opts: boxtop's command line, parsed once in main and read by every mode
 * (dashboard, batch, an action's command, images, keys, --demo). The
 * action commands and their arguments come from net/actions' table.
 *
 * No option takes a secret: the key comes from --api-key-file, the
 * environment or credentials.toml (net/settings.h). Options a mode does not
 * use are refused in that mode rather than ignored (`-o` without `export`).
 */
#ifndef BOXTOP_TUI_OPTS_H
#define BOXTOP_TUI_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "net/actions.h"
#include "net/settings.h"

#define OPTS_ENV_MAX 64 /* -e given more often is refused */

enum opts_mode {
	MODE_DASHBOARD,
	MODE_BATCH,  /* -b or --json */
	MODE_ACTION, /* boxtop COMMAND ...: one of net/actions' table (action says which) */
	MODE_IMAGES, /* boxtop images [--json]: json says which */
	MODE_KEYS,   /* boxtop keys: every key of the dashboard */
	MODE_EXEC,   /* boxtop exec BOX ... -- CMD [ARGS]; boxtop shell BOX (tui/execcmd) */
	MODE_LOGS,   /* boxtop logs BOX [-f] */
	MODE_HELP,
	MODE_VERSION,
};

struct opts {
	enum opts_mode mode;
	struct settings_flags conn; /* --url, --profile, ... (strings borrowed from argv) */
	unsigned interval_ms;       /* -d SECS; 0: the default (2 s) */
	unsigned workers;           /* --workers N; 0: the default */
	bool demo;                  /* --demo: start boxlite-sim and use it */
	/* batch */
	bool batch;      /* -b: text (--json alone also means batch) */
	long iterations; /* -n N; 0: forever (batch), 1 with --json's first document */
	bool json;
	const char *filter; /* --filter QUERY (model/query) */
	/* dashboard */
	bool readonly;
	bool no_color;
	bool ascii;
	bool no_mouse;
	const char *export_dir; /* --export-dir; NULL: the config's, else "." */
	const char *columns;    /* the config's column list; NULL: all that fit */
	size_t log_lines;       /* a Logs view's scrollback: lines ... */
	size_t log_bytes;       /* ... and bytes (the config's log_lines, log_mib) */
	const char *shell;      /* what ! runs in a box (the config's shell) */
	bool print_config;      /* --print-config */
	/* an action */
	const struct action_def *action;
	const char *target; /* its first argument: BOX, IMAGE or FILE */
	const char *second; /* its second: SNAPSHOT */
	const char *output; /* -o PATH */
	const char *name;   /* --name NAME */
	bool force;
	bool no_verify;
	bool yes; /* --yes: no question before an action that asks one */
	/* exec, shell, logs (target is the box) */
	bool tty;                      /* -t */
	bool interactive;              /* -i: stdin goes to the command */
	bool follow;                   /* logs -f */
	const char *env[OPTS_ENV_MAX]; /* -e K=V */
	size_t n_env;
	const char *workdir; /* -w DIR */
	char **argv;         /* the command and its arguments ... */
	int argc;            /* ... (shell: none, the configured shell) */
};

#define OPTS_LOG_LINES 10000
#define OPTS_LOG_MIB   8
#define OPTS_SHELL     "/bin/sh"

/*
 * Parses argv into *o (zeroed first, then the defaults above). Returns 0, or -1 with a one-line
 * message in err ("--workers: expected a number from 1 to 64").
 */
int opts_parse(int argc, char **argv, struct opts *o, char *err, size_t errlen);

/* The --help text. */
void opts_usage(FILE *out);

#endif
