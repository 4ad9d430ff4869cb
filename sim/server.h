/*
 * server: boxlite-sim's HTTP side. libmicrohttpd's internal thread accepts
 * connections (poll), and each connection gets a thread of its own that
 * runs its requests' handlers one after another.
 */
#ifndef BOXTOP_SIM_SERVER_H
#define BOXTOP_SIM_SERVER_H

#include <stdint.h>

#include "effects.h"
#include "fleet.h"
#include "images.h"
#include "opts.h"

struct server_opts {
	const char *host;           /* an IPv4 address or "localhost" */
	uint16_t port;              /* 0 picks a free one */
	const char *api_key;        /* NULL or "": anyone is accepted */
	const char *prefix;         /* NULL or "": routes have no prefix */
	struct images *images;      /* borrowed: must outlive the server */
	struct faults *faults;      /* borrowed: must outlive the server */
	struct effects *effects;    /* borrowed: must outlive the server */
	const struct sim_opts *sim; /* borrowed: must outlive the server */
};

struct server;

/*
 * Starts serving fleet (borrowed: it must outlive the server) on opts' host
 * and port; the strings in opts are copied. Returns the server with the
 * bound port in *port, or NULL after printing why to stderr. Caller stops
 * it with server_stop.
 */
struct server *server_start(const struct server_opts *opts, struct fleet *fleet, uint16_t *port);
/* Stops serving, waits for requests in flight, frees s; accepts NULL. */
void server_stop(struct server **s);

#endif
