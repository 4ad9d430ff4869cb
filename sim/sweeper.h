/*
 * sweeper: the thread that runs the fleet's AutoStop and AutoDelete sweep
 * every tick, as boxlite serve's reaper loop does on its own timer (30 s
 * upstream; --tick here, so tests need not wait). It is started after the
 * signals are blocked, so it never takes one.
 */
#ifndef BOXTOP_SIM_SWEEPER_H
#define BOXTOP_SIM_SWEEPER_H

#include "fleet.h"

struct sweeper;

/* Sweeps fleet (borrowed: it must outlive the sweeper) every tick_ms. NULL when no thread. */
struct sweeper *sweeper_start(struct fleet *fleet, unsigned tick_ms);
/* Stops the thread at once and frees s; accepts NULL. */
void sweeper_stop(struct sweeper **s);

#endif
