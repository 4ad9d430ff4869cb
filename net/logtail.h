/*
 * logtail: a box's log, followed. A thread of its own attaches read-only
 * to the box's main session (GET .../boxes/{id}/attach?stdin=0: the server
 * replays its last 256 KiB, then streams) and pushes every byte to the
 * store's log feed under a session number, with its state in words
 * ("attaching", "attached", "refused: ...", "closed: ..."). It never writes
 * to the session. Attaching is use of the box (on boxlite serve it stamps
 * the idle clock and opens the session), so the dashboard follows a box
 * only while its Logs view shows it. One logtail per box at most: the
 * server allows one client per session.
 */
#ifndef BOXTOP_NET_LOGTAIL_H
#define BOXTOP_NET_LOGTAIL_H

#include <stdint.h>

#include "http.h"
#include "login.h"
#include "model/store.h"

struct logtail;

/*
 * Starts following box_id. base_url, prefix (NULL: none), conf's strings
 * and box_id are copied; login may be NULL (conf's bearer), else it and the
 * store must outlive the logtail. Returns NULL with errno set when the
 * thread cannot start.
 */
struct logtail *logtail_start(const char *base_url, const char *prefix,
			      const struct http_conf *conf, struct login *login, const char *box_id,
			      struct store *store, uint64_t session);
/* Stops the thread (the attach is closed) and frees t; t may point to NULL. */
void logtail_stop(struct logtail **t);

#endif
