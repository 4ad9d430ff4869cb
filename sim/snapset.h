/*
 * snapset: one box's snapshots, in creation order. Not locked: the fleet
 * calls it with its own lock held.
 */
#ifndef BOXTOP_SIM_SNAPSET_H
#define BOXTOP_SIM_SNAPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

/* A box's disk content: a file (imported) or generated from seed. */
struct sim_disk {
	char *file; /* NULL: generated */
	uint64_t seed;
	uint64_t size;
};

struct snapset {
	struct snapshot *items;
	uint64_t *seeds; /* per snapshot: the generated disk's seed when it was taken */
	size_t n;
	char *disk_base; /* id of the snapshot the current disk was restored from, or NULL */
};

/* A snapshot name is 1-128 of [A-Za-z0-9._-], not starting with '.'. */
bool snapset_name_valid(const char *name);
/* The snapshot called name, or NULL. Valid until the set next changes. */
const struct snapshot *snapset_find(const struct snapset *s, const char *name);
/*
 * Adds a snapshot of box_id called name (which must be valid and not yet
 * used) of disk, with an 8-character id drawn from rng. Returns it, valid
 * until the set next changes.
 */
const struct snapshot *snapset_add(struct snapset *s, const char *box_id, const char *name,
				   uint64_t rng, const struct sim_disk *disk);
/* Whether the current disk depends on the snapshot called name. */
bool snapset_in_use(const struct snapset *s, const char *name);
/* Removes the snapshot called name; false when there is none. */
bool snapset_remove(struct snapset *s, const char *name);
/*
 * Makes the snapshot called name the current disk's base and sets *seed to
 * the disk seed it was taken with; false when there is none.
 */
bool snapset_restore(struct snapset *s, const char *name, uint64_t *seed);
/* Frees everything s holds and empties it. */
void snapset_clear(struct snapset *s);

#endif
