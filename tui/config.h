/*
 * config: boxtop's own settings file, $XDG_CONFIG_HOME/boxtop/config.toml
 * (else ~/.config/boxtop/config.toml): what an operator wants every time
 * without typing it. Flags win over the file, with one exception kept on
 * purpose: `readonly = true` cannot be undone from the command line.
 *
 *   refresh = 2            # seconds, as -d
 *   workers = 4            # as --workers
 *   export_dir = "~/exports"
 *   color = true           # false: as --no-color
 *   ascii = false          # true: as --ascii
 *   mouse = true           # false: as --no-mouse
 *   readonly = false       # true: as --readonly
 *   columns = "name,status,image,cpu,cpu_history,mem_used,rx,tx,age"
 *   log_lines = 10000      # a Logs view's scrollback: lines ...
 *   log_mib = 8            # ... and MiB, whichever is reached first
 *   shell = "/bin/sh"      # what ! runs inside a box
 *
 * Unknown keys and bad values are errors naming the file and line or key,
 * so a typo never silently does nothing.
 */
#ifndef BOXTOP_TUI_CONFIG_H
#define BOXTOP_TUI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "net/settings.h"
#include "opts.h"

struct config {
	char *path;       /* the file looked for; NULL when there is no HOME */
	bool found;       /* whether it exists */
	char *export_dir; /* with ~ expanded */
	char *columns;
	char *shell;
};

/*
 * Reads the file into c and applies it to o where no flag decided (o's
 * strings may then point into c, which must outlive o's use). getenv_fn is
 * settings_getenv in boxtop. Returns 0, or -1 with a message in err.
 */
int config_load(struct config *c, struct opts *o, const char *(*getenv_fn)(const char *), char *err,
		size_t errlen);
void config_clear(struct config *c);

/* --print-config: every path and value in effect, never the key itself. */
void config_print(FILE *out, const struct config *c, const struct opts *o,
		  const struct settings *s);

#endif
