/*
 * tally: how many API requests the simulator answered, by method and route
 * (GET of the route that takes one box), for the benchmark that counts what a client
 * asks per refresh (GET /_sim/requests; DELETE starts the count again). The
 * control API is not counted. Thread-safe: its own mutex.
 */
#ifndef BOXTOP_SIM_TALLY_H
#define BOXTOP_SIM_TALLY_H

#include <cjson/cJSON.h>

struct tally;

struct tally *tally_new(void);
void tally_free(struct tally **t);

/* Counts one request; route is a route pattern (a "*" for each id) or NULL (no route). */
void tally_add(struct tally *t, const char *method, const char *route);
void tally_clear(struct tally *t);
/* {"total": N, "routes": [{"method", "route", "count"}, ...]} in first-seen order. */
cJSON *tally_to_json(struct tally *t);

#endif
