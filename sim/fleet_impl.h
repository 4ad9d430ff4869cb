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
#include "effects.h"
#include "rng.h"
#include "snapset.h"

/* What of a box changes after it is made (see box_text in fleet.c). */
struct box_sig {
	enum box_status status;
	int64_t updated_at;
	struct opt_i64 pid, exit_code, last_activity_at;
};

/* A box and the metrics the simulator keeps for it. */
struct sim_box {
	struct box b;
	struct box_metrics m;
	struct snapset snaps;
	size_t seq; /* 1, 2, ... in the order boxes were added: page tokens use it */
	struct sim_disk disk;
	uint64_t disk_gen; /* bumped whenever the disk content changes */
	char *export_path; /* the cached archive of this disk_gen, or NULL */
	char *dep_box;     /* a clone: the box and the id of the snapshot its disk is based on */
	char *dep_snap;
	int64_t idle_ms; /* monotonic ms of its last use: the AutoStop idle clock */
	char *json;      /* the Box as JSON text, valid while sig matches the box */
	size_t json_len;
	struct box_sig sig;
	struct ftree *files; /* its files (fleet_files.c); NULL until first used */
};

struct fleet {
	/*
	 * Lock order: the image cache's lock (images.c), then this one, then
	 * the effects log's (fleet_effect). Nothing under this lock calls back
	 * into the cache; export_lock is never held with it.
	 */
	pthread_mutex_t lock;
	uint64_t seed;
	uint64_t rng;
	struct sim_box *boxes;
	size_t n;
	const struct sim_opts *opts; /* NULL: defaults */
	struct effects *effects;     /* NULL: effects are not recorded */
	int64_t (*clock)(void);      /* the idle clocks' time; NULL: time_mono_ms */
	pthread_mutex_t export_lock; /* one archive built at a time */
	uint64_t next_file;          /* names disk and archive files */
	size_t next_seq;
	int64_t last_tick; /* monotonic milliseconds metrics were last advanced to */
	int64_t created, failed, stopped, commands, exec_errors; /* runtime counters */
	fleet_stop_hook on_stop; /* exec.c: a box stopped or went away */
	void *on_stop_arg;
};

typedef enum fleet_rc (*fleet_box_fn)(struct fleet *f, struct sim_box *x, void *arg);
/* Runs fn on the box id_or_name with the lock taken; FLEET_NOT_FOUND when there is none. */
enum fleet_rc fleet_with(struct fleet *f, const char *id_or_name, fleet_box_fn fn, void *arg);
/* The gauges a box only has while it runs: drawn when running, null otherwise. */
void fleet_seed_gauges(uint64_t *s, struct sim_box *x);
/*
 * The index of the box with this id, else this name, else (in the serve
 * flavor) the one box whose id starts with it; f->n when none.
 */
size_t fleet_find(const struct fleet *f, const char *id_or_name);
/* The serve flavor: boxlite serve's rules. */
bool fleet_serve(const struct fleet *f);
/* Records an effect on box x (cause may be NULL). */
void fleet_effect(struct fleet *f, enum effect_kind kind, const struct sim_box *x,
		  const struct effect_cause *cause);
/*
 * A metrics read of box x, as the flavor has it (fleet_life.c): FLEET_OK
 * to answer (a box serve boots for it is running by then), or
 * FLEET_CONFLICT with why.
 */
enum fleet_rc fleet_scrape(struct fleet *f, struct sim_box *x, const struct effect_cause *cause,
			   char *why, size_t why_len);
/* Sets a box running / stopped as the runtime does (idempotent). */
void fleet_do_start(struct fleet *f, struct sim_box *x);
void fleet_do_stop(struct fleet *f, struct sim_box *x);
/* --strict-stopped and the box runs: snapshot, clone and export are refused. */
bool fleet_refuses_running(const struct fleet *f, const struct sim_box *x);
/* Whether some box has this name. */
bool fleet_name_taken(const struct fleet *f, const char *name);
/* Appends a box (its fields taken) with fresh metrics; returns it. */
struct sim_box *fleet_append(struct fleet *f, struct box *b, const struct sim_disk *disk);
/* A fresh ULID for a box created now. */
char *fleet_new_id(struct fleet *f);
/* Removes the box at index i, its files with it. */
void fleet_remove_at(struct fleet *f, size_t i);
/* Frees what x owns, its files on disk among them. */
void fleet_box_clear(struct sim_box *x);
/* The disk changed: drops the cached archive. */
void fleet_disk_changed(struct sim_box *x);
/* The box's files, made (seeded) on first use (fleet_files.c). */
struct ftree *fleet_box_files(struct fleet *f, struct sim_box *x);
/* clone gets a copy of src's files. */
void fleet_files_clone(struct fleet *f, struct sim_box *clone, struct sim_box *src);
/* The run's state directory, disk size and metric tick (defaults without opts). */
const char *fleet_state_dir(const struct fleet *f);
uint64_t fleet_disk_size(const struct fleet *f);

#endif
