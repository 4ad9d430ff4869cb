/*
 * snapset: one box's snapshots, in creation order, and the backing chains
 * of its disks. Not locked: the fleet calls it with its own lock held.
 *
 * The runtime's rule (litebox snapshot_mgr.rs, `remove`): a snapshot cannot
 * be removed while any disk's backing chain holds it. Each snapshot's disk
 * is backed by the snapshot the live disk was backed by when it was taken
 * (its parent). A snapshot of a box that is not running forks the disk:
 * the live disk becomes a copy-on-write child of the new snapshot. One of a
 * running box copies it: the live disk keeps its backing. Restoring makes
 * the live disk a child of the restored snapshot. So right after `create
 * s1` of a stopped box `remove s1` is refused, and after `create s2`,
 * `restore s1`, `remove s2` works.
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
	char **parents;  /* per snapshot: the id of the snapshot backing its disk, or NULL */
	size_t n;
	char *live_base; /* the id of the snapshot backing the live disk, or NULL */
};

/*
 * Why name cannot be a snapshot name, or NULL when it can. The spec's rule
 * is 1-128 of [A-Za-z0-9._-] not starting with '.'; boxlite serve's
 * (serve true) 1-255 bytes, not starting with '.', without '/' or '\'.
 */
const char *snapset_name_problem(const char *name, bool serve);
/* The snapshot called name, or NULL. Valid until the set next changes. */
const struct snapshot *snapset_find(const struct snapset *s, const char *name);
/*
 * Adds a snapshot of box_id called name (which must be valid and not yet
 * used) of disk, with an 8-character id drawn from rng; fork says the live
 * disk becomes its child (the box is not running). Returns it, valid until
 * the set next changes.
 */
struct snapshot *snapset_add(struct snapset *s, const char *box_id, const char *name, uint64_t rng,
			     const struct sim_disk *disk, bool fork);

enum snapset_dep {
	SNAPSET_FREE,     /* nothing depends on it: it may go */
	SNAPSET_LIVE,     /* the live disk's backing chain holds it */
	SNAPSET_SNAPSHOT, /* another snapshot's disk is built on it (*other: its name) */
};

/* What depends on the snapshot called name (which must exist). */
enum snapset_dep snapset_dependency(const struct snapset *s, const char *name, const char **other);
/* Whether the chain from the snapshot with id from (NULL: empty) holds the one with id id. */
bool snapset_chain_has(const struct snapset *s, const char *from, const char *id);
/* Removes the snapshot called name; false when there is none. */
bool snapset_remove(struct snapset *s, const char *name);
/*
 * Makes the live disk a child of the snapshot called name and sets *seed to
 * the disk seed it was taken with; false when there is none.
 */
bool snapset_restore(struct snapset *s, const char *name, uint64_t *seed);
/*
 * The snapshots as a SnapshotList ({"snapshots": [...]}), oldest first or
 * newest first. Caller frees with cJSON_Delete.
 */
struct cJSON *snapset_to_json(const struct snapset *s, bool newest_first);
/* Frees everything s holds and empties it. */
void snapset_clear(struct snapset *s);

#endif
