/*
 * cli: `boxtop export BOX` and `boxtop import FILE`, for scripts and for
 * operators who want one transfer without the dashboard.
 *
 * Both run the same job the dashboard's `e` and `i` keys queue (net/actions:
 * capability check, worker pool, streamed transfer, verification), watched
 * from the main thread: a progress line on stderr when it is a terminal, the
 * result alone on stdout (the saved path, the new box's id) and a sentence on
 * stderr ("saved PATH", "made NAME (ID)"), errors on stderr.
 * SIGINT, SIGTERM and SIGHUP cancel the transfer; its .part file is removed
 * before boxtop exits with 128 + the signal's number.
 */
#ifndef BOXTOP_TUI_CLI_H
#define BOXTOP_TUI_CLI_H

#include "net/settings.h"
#include "opts.h"

/* Runs o's export or import against s. Returns the exit status (0, 1, 128+N). */
int cli_transfer(const struct opts *o, const struct settings *s);

#endif
