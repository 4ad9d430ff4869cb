/*
 * fleet_impl: the fleet's insides, shared by the files that make up the
 * fleet (fleet.c, fleet_ops.c, ...) and no one else. Every function here
 * expects the fleet's lock to be held.
 */
#ifndef BOXTOP_SIM_FLEET_IMPL_H
#define BOXTOP_SIM_FLEET_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "fleet.h"
#include "model/box.h"
#include "model/metrics.h"
#include "snapset.h"

/* A box and the metrics the simulator keeps for it. */
struct sim_box {
	struct box b;
	struct box_metrics m;
	struct snapset snaps;
};

struct fleet {
	pthread_mutex_t lock;
	uint64_t seed;
	uint64_t rng;
	struct sim_box *boxes;
	size_t n;
	int64_t last_tick; /* monotonic seconds metrics were last advanced to */
	int64_t created, failed, stopped, commands, exec_errors; /* runtime counters */
};

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* The index of the box with this id, else this name; f->n when none. */
size_t fleet_find(const struct fleet *f, const char *id_or_name);

#endif
