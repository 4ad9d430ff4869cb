/*
 * control: the simulator's own API under /_sim/ (only with --control), for
 * tests to switch faults on and off, expire the key, and change the fleet
 * behind the server's back.
 */
#ifndef BOXTOP_SIM_CONTROL_H
#define BOXTOP_SIM_CONTROL_H

#include <microhttpd.h>

struct call;

/* Answers a control call: c->segs are the path after /_sim/. */
enum MHD_Result control_dispatch(struct call *c);

#endif
