/*
 * routes: the REST API's route table and the two routes that stand outside
 * it. server.c calls these; they answer through call.h.
 */
#ifndef BOXTOP_SIM_ROUTES_H
#define BOXTOP_SIM_ROUTES_H

#include <microhttpd.h>

struct call;

/* Routes the call through the API's table: c->segs are the path after /v1[/prefix]. */
enum MHD_Result routes_dispatch(struct call *c);
/* GET /v1/config and GET /v1/me, which never take the prefix. */
enum MHD_Result routes_config(struct call *c);
enum MHD_Result routes_me(struct call *c);
/*
 * Adds the capabilities named in list ("snapshots,clone"; the /v1/config
 * flags without "_enabled") to *mask (bit i: the i-th flag). -1 on an
 * unknown name.
 */
int routes_caps_parse(const char *list, unsigned *mask);

#endif
