/*
 * snapset: plain arrays; snapshots per box are few, so lookups are linear
 * and a chain is walked parent by parent. Only a snapshot nothing depends
 * on can be removed, so no parent ever names a removed snapshot.
 */
#include "snapset.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "model/encode.h"
#include "model/xalloc.h"

#define SPEC_NAME_MAX  128
#define SERVE_NAME_MAX 255

const char *snapset_name_problem(const char *name, bool serve)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (!serve)
		return n >= 1 && n <= SPEC_NAME_MAX && name[0] != '.' &&
				       strspn(name,
					      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					      "0123456789._-") == n
			       ? NULL
			       : "snapshot name must be 1-128 of [A-Za-z0-9._-], not starting with "
				 "'.'";
	/* boxlite's validate_snapshot_name, in its order and words */
	if (n == 0)
		return "Snapshot name cannot be empty";
	if (n > SERVE_NAME_MAX)
		return "Snapshot name too long (max 255)";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "Snapshot name is not allowed";
	if (name[0] == '.')
		return "Snapshot name cannot start with '.'";
	if (strpbrk(name, "/\\") != NULL)
		return "Snapshot name contains invalid characters (/, \\, or null byte)";
	return NULL;
}

static size_t index_of(const struct snapset *s, const char *name)
{
	size_t i = 0;

	while (i < s->n && strcmp(s->items[i].name, name) != 0)
		i++;
	return i;
}

static size_t index_of_id(const struct snapset *s, const char *id)
{
	size_t i = 0;

	while (id != NULL && i < s->n && strcmp(s->items[i].id, id) != 0)
		i++;
	return id != NULL ? i : s->n;
}

const struct snapshot *snapset_find(const struct snapset *s, const char *name)
{
	size_t i = index_of(s, name);

	return i < s->n ? &s->items[i] : NULL;
}

struct snapshot *snapset_add(struct snapset *s, const char *box_id, const char *name, uint64_t rng,
			     const struct sim_disk *disk, bool fork)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	struct snapshot *snap;
	char id[9];

	for (int i = 0; i < 8; i++, rng /= 36)
		id[i] = digits[rng % 36];
	id[8] = '\0';
	s->items = xreallocarray(s->items, s->n + 1, sizeof(*s->items));
	s->seeds = xreallocarray(s->seeds, s->n + 1, sizeof(*s->seeds));
	s->parents = xreallocarray(s->parents, s->n + 1, sizeof(*s->parents));
	s->seeds[s->n] = disk->seed;
	s->parents[s->n] = xstrdup(s->live_base);
	snap = &s->items[s->n++];
	memset(snap, 0, sizeof(*snap));
	snap->id = xstrdup(id);
	snap->box_id = xstrdup(box_id);
	snap->name = xstrdup(name);
	snap->created_at = time(NULL);
	snap->container_disk_bytes = (int64_t)disk->size;
	snap->size_bytes = (int64_t)(disk->size / 3 + rng % 4096);
	snap->guest_disk_bytes = (struct opt_i64){OPT_SET, snap->container_disk_bytes};
	if (fork) {
		free(s->live_base);
		s->live_base = xstrdup(snap->id);
	}
	return snap;
}

bool snapset_chain_has(const struct snapset *s, const char *from, const char *id)
{
	/* at most n steps: a chain never loops, but a bound costs nothing */
	for (size_t i = index_of_id(s, from), steps = 0; i < s->n && steps <= s->n; steps++) {
		if (strcmp(s->items[i].id, id) == 0)
			return true;
		i = index_of_id(s, s->parents[i]);
	}
	return false;
}

enum snapset_dep snapset_dependency(const struct snapset *s, const char *name, const char **other)
{
	size_t k = index_of(s, name);

	if (k == s->n)
		return SNAPSET_FREE;
	if (snapset_chain_has(s, s->live_base, s->items[k].id))
		return SNAPSET_LIVE;
	for (size_t i = 0; i < s->n; i++) {
		if (i != k && snapset_chain_has(s, s->parents[i], s->items[k].id)) {
			*other = s->items[i].name;
			return SNAPSET_SNAPSHOT;
		}
	}
	return SNAPSET_FREE;
}

static void snapshot_free_fields(struct snapshot *snap)
{
	free(snap->id);
	free(snap->box_id);
	free(snap->name);
}

bool snapset_remove(struct snapset *s, const char *name)
{
	size_t i = index_of(s, name);
	size_t after = s->n - i - 1;

	if (i == s->n)
		return false;
	snapshot_free_fields(&s->items[i]);
	free(s->parents[i]);
	memmove(&s->items[i], &s->items[i + 1], after * sizeof(*s->items));
	memmove(&s->seeds[i], &s->seeds[i + 1], after * sizeof(*s->seeds));
	memmove(&s->parents[i], &s->parents[i + 1], after * sizeof(*s->parents));
	s->n--;
	return true;
}

bool snapset_restore(struct snapset *s, const char *name, uint64_t *seed)
{
	const struct snapshot *snap = snapset_find(s, name);

	if (snap == NULL)
		return false;
	*seed = s->seeds[snap - s->items];
	free(s->live_base);
	s->live_base = xstrdup(snap->id);
	return true;
}

cJSON *snapset_to_json(const struct snapset *s, bool newest_first)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(doc, "snapshots");

	for (size_t i = 0; i < s->n; i++)
		cJSON_AddItemToArray(list,
				     snapshot_to_json(&s->items[newest_first ? s->n - 1 - i : i]));
	return doc;
}

void snapset_clear(struct snapset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		snapshot_free_fields(&s->items[i]);
		free(s->parents[i]);
	}
	free(s->items);
	free(s->seeds);
	free(s->parents);
	free(s->live_base);
	memset(s, 0, sizeof(*s));
}
