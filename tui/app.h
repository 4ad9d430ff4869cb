/*
 * app: the dashboard. Starts the poller and the worker pool, owns the
 * terminal, and runs the event loop until the user quits or a signal ends
 * it; the terminal is restored on every way out, a crash included.
 */
#ifndef BOXTOP_TUI_APP_H
#define BOXTOP_TUI_APP_H

#include "net/settings.h"
#include "opts.h"

/* Runs the dashboard against s. Returns the exit status (0, 1, or 128+N after signal N). */
int app_run(const struct opts *o, const struct settings *s);

#endif
