/*
 * cli: `boxtop COMMAND ARGS`, one action of net/actions' table (snapshot,
 * restore, delete-snapshot, clone, export, import, start, stop, delete,
 * delete-image), for scripts and for operators who want one action without
 * the dashboard.
 *
 * Each runs the same job the dashboard's key queues (capability check,
 * worker pool, for a transfer the streamed, verified file), watched from the
 * main thread: a progress line on stderr when it is a terminal, the result
 * alone on stdout (the snapshot's name, the saved path, the new box's id;
 * with --json the whole job as one JSON object) and a sentence on stderr
 * ("saved PATH", "made NAME (ID)"), errors on stderr. An action whose row
 * asks first asks on the terminal (y, or the name typed out) unless --yes;
 * with no terminal it needs --yes. SIGINT, SIGTERM and SIGHUP cancel the
 * job (a transfer's .part file is removed) and boxtop exits with 128 + the
 * signal's number.
 */
#ifndef BOXTOP_TUI_CLI_H
#define BOXTOP_TUI_CLI_H

#include "net/settings.h"
#include "opts.h"

/* Runs o's action against s. Returns the exit status (0, 1, 2 unasked, 128+N). */
int cli_action(const struct opts *o, const struct settings *s);

#endif
