/*
 * execcmd: `boxtop exec`, `boxtop shell` and `boxtop logs`.
 *
 * exec BOX [-t] [-i] [-e K=V] [-w DIR] -- CMD [ARGS] runs CMD in the box
 * like `docker exec`: stdin piped to it with -i, stdout and stderr kept
 * apart, -t a terminal (tui/session), its exit status boxtop's (255 when
 * the end was not learnt: connection lost, closed without a status,
 * detached with ~.). shell BOX is exec -it BOX with the configured shell.
 *
 * logs BOX [-f] reads the box's main session read-only: what the server
 * kept (its last 256 KiB) and, with -f, what comes until Ctrl-C. Written as
 * sent to a pipe or file; to a terminal as safe lines (model/logbuf: no
 * escape sequence of the box reaches it).
 *
 * Neither starts a stopped box: that would change what is looked at, and
 * on boxlite serve an exec boots one. The box is looked up first (a bare
 * GET, which serve does not count as use) and refused when not running.
 */
#ifndef BOXTOP_TUI_EXECCMD_H
#define BOXTOP_TUI_EXECCMD_H

#include "net/settings.h"
#include "opts.h"

#define EXEC_UNKNOWN_STATUS 255

int execcmd_run(const struct opts *o, const struct settings *s);
int logscmd_run(const struct opts *o, const struct settings *s);

#endif
