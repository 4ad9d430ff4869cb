/*
 * fleet_files: each box's files (sim/ftree.h), made on first use with a
 * few seeded files, copied by a clone, freed with the box. The tree is
 * made lazily so the budget comes from the run's options (--files-max),
 * which are set after the seeded fleet is.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fleet_impl.h"
#include "ftree.h"

#define FILES_MAX_DEFAULT (64ull << 20)

static void seed_file(struct ftree *t, const char *path, unsigned mode, const char *text)
{
	ftree_put(t, path, FTREE_FILE, mode, (int64_t)time(NULL),
		  ftree_blob_new(text, strlen(text)), NULL);
}

/* What a fresh box holds: its hostname, an OS, a shell profile, a log. */
static struct ftree *seed_tree(const struct fleet *f, const struct sim_box *x)
{
	uint64_t max =
		f->opts != NULL && f->opts->files_max != 0 ? f->opts->files_max : FILES_MAX_DEFAULT;
	struct ftree *t = ftree_new(max);
	char line[256];

	snprintf(line, sizeof(line), "%s\n", x->b.name != NULL ? x->b.name : x->b.id);
	seed_file(t, "/etc/hostname", 0644, line);
	seed_file(t, "/etc/os-release", 0644,
		  "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n"
		  "PRETTY_NAME=\"Alpine Linux v3.20\"\nHOME_URL=\"https://alpinelinux.org/\"\n");
	seed_file(t, "/root/.profile", 0644,
		  "export PS1='\\h:\\w\\$ '\nexport PATH=/usr/local/bin:/usr/bin:/bin\n");
	seed_file(t, "/root/README", 0644,
		  "This box is simulated by boxlite-sim: its files live in memory.\n");
	ftree_mkdir(t, "/tmp", 01777);
	seed_file(t, "/var/log/app.log", 0644,
		  "2026-11-30T09:00:00Z INFO app: starting\n"
		  "2026-11-30T09:00:01Z INFO app: listening on :8080\n"
		  "2026-11-30T09:05:12Z WARN app: slow request GET /health (1204 ms)\n");
	return t;
}

struct ftree *fleet_box_files(struct fleet *f, struct sim_box *x)
{
	if (x->files == NULL)
		x->files = seed_tree(f, x);
	return x->files;
}

void fleet_files_clone(struct fleet *f, struct sim_box *clone, struct sim_box *src)
{
	ftree_free(&clone->files);
	clone->files = ftree_copy(fleet_box_files(f, src));
}

struct files_req {
	bool boot;
	const struct effect_cause *cause;
	struct ftree *out;
};

static enum fleet_rc files_of(struct fleet *f, struct sim_box *x, void *arg)
{
	struct files_req *r = arg;

	if (x->b.status != BOX_RUNNING) {
		/* serve's copy_in/copy_out bring the box up first (live_state) */
		if (!r->boot || x->b.status == BOX_PAUSED || x->b.status == BOX_STOPPING)
			return FLEET_INVALID_STATE;
		fleet_do_start(f, x);
		fleet_seed_gauges(&f->rng, x);
		fleet_effect(f, EFFECT_RESUME, x, r->cause);
	}
	r->out = ftree_ref(fleet_box_files(f, x));
	return FLEET_OK;
}

enum fleet_rc fleet_files(struct fleet *f, const char *id_or_name, bool boot,
			  const struct effect_cause *cause, struct ftree **out)
{
	struct files_req r = {.boot = boot, .cause = cause};
	enum fleet_rc rc = fleet_with(f, id_or_name, files_of, &r);

	*out = r.out;
	return rc;
}
