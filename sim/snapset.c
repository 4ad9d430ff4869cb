/*
 * snapset: a plain array; snapshots per box are few, so lookups are linear.
 * The "current disk depends on it" rule is modelled with one pointer: the
 * snapshot last restored is the base of the disk and cannot be deleted.
 */
#include "snapset.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/xalloc.h"

#define SNAPSET_NAME_MAX 128

bool snapset_name_valid(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	return n >= 1 && n <= SNAPSET_NAME_MAX && name[0] != '.' &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
		       n;
}

static size_t index_of(const struct snapset *s, const char *name)
{
	size_t i = 0;

	while (i < s->n && strcmp(s->items[i].name, name) != 0)
		i++;
	return i;
}

const struct snapshot *snapset_find(const struct snapset *s, const char *name)
{
	size_t i = index_of(s, name);

	return i < s->n ? &s->items[i] : NULL;
}

const struct snapshot *snapset_add(struct snapset *s, const char *box_id, const char *name,
				   uint64_t rng, const struct sim_disk *disk)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	struct snapshot *snap;
	char id[9];

	for (int i = 0; i < 8; i++, rng /= 36)
		id[i] = digits[rng % 36];
	id[8] = '\0';
	s->items = xreallocarray(s->items, s->n + 1, sizeof(*s->items));
	s->seeds = xreallocarray(s->seeds, s->n + 1, sizeof(*s->seeds));
	s->seeds[s->n] = disk->seed;
	snap = &s->items[s->n++];
	memset(snap, 0, sizeof(*snap));
	snap->id = xstrdup(id);
	snap->box_id = xstrdup(box_id);
	snap->name = xstrdup(name);
	snap->created_at = time(NULL);
	snap->container_disk_bytes = (int64_t)disk->size;
	snap->size_bytes = (int64_t)(disk->size / 3 + rng % 4096);
	snap->guest_disk_bytes = (struct opt_i64){OPT_SET, snap->container_disk_bytes};
	return snap;
}

bool snapset_in_use(const struct snapset *s, const char *name)
{
	const struct snapshot *snap = snapset_find(s, name);

	return snap != NULL && s->disk_base != NULL && strcmp(snap->id, s->disk_base) == 0;
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

	if (i == s->n)
		return false;
	snapshot_free_fields(&s->items[i]);
	memmove(&s->items[i], &s->items[i + 1], (s->n - i - 1) * sizeof(*s->items));
	memmove(&s->seeds[i], &s->seeds[i + 1], (s->n - i - 1) * sizeof(*s->seeds));
	s->n--;
	return true;
}

bool snapset_restore(struct snapset *s, const char *name, uint64_t *seed)
{
	const struct snapshot *snap = snapset_find(s, name);

	if (snap == NULL)
		return false;
	*seed = s->seeds[snap - s->items];
	free(s->disk_base);
	s->disk_base = xstrdup(snap->id);
	return true;
}

void snapset_clear(struct snapset *s)
{
	for (size_t i = 0; i < s->n; i++)
		snapshot_free_fields(&s->items[i]);
	free(s->items);
	free(s->seeds);
	free(s->disk_base);
	memset(s, 0, sizeof(*s));
}
