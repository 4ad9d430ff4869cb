/*
 * tally: how many API requests the simulator answered, by method and route
 * (GET of the route that takes one box), and how many of them with 304 Not
 * Modified, for the benchmark that counts what a client asks per refresh (GET /_sim/requests;
 * DELETE starts the count again). The control API is not counted. Thread-safe: its own mutex.
 */
#ifndef BOXTOP_SIM_TALLY_H
#define BOXTOP_SIM_TALLY_H

#include <cjson/cJSON.h>
#include <stdbool.h>

struct tally;

struct tally *tally_new(void);
void tally_free(struct tally **t);

/*
 * Counts one request; route is a route pattern (a "*" for each id) or NULL
 * (no route); not_modified when it was answered 304.
 */
void tally_add(struct tally *t, const char *method, const char *route, bool not_modified);
void tally_clear(struct tally *t);
/*
 * {"total": N, "not_modified": N, "routes": [{"method", "route", "count",
 * "not_modified"}, ...]} in first-seen order.
 */
cJSON *tally_to_json(struct tally *t);

#endif
