/*
 * fleet: the simulator's boxes, in memory, behind one mutex.
 *
 * Every function locks the fleet for its whole run (save fleet_export and
 * fleet_import, which let go of it while they write or read an archive) and
 * hands back JSON built from the boxes under the lock, so callers never hold
 * a pointer into it.
 */
#ifndef BOXTOP_SIM_FLEET_H
#define BOXTOP_SIM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "effects.h"
#include "model/box.h"
#include "opts.h"

enum fleet_rc {
	FLEET_OK,
	FLEET_NOT_FOUND,     /* no box with that id or name */
	FLEET_INVALID_STATE, /* the box's status forbids the action */
	FLEET_BAD_TOKEN,     /* a page token this fleet did not issue */
	FLEET_NO_SNAPSHOT,   /* the box has no snapshot of that name */
	FLEET_EXISTS,        /* a snapshot of that name exists already */
	FLEET_IN_USE,        /* the current disk depends on the snapshot */
	FLEET_BAD_NAME,      /* not a valid snapshot name */
	FLEET_MUST_STOP,     /* --strict-stopped: the box must be stopped first */
	FLEET_CLONE_DEPENDS, /* a clone's disk depends on the snapshot */
	FLEET_NAME_TAKEN,    /* a box of that name exists already */
	FLEET_BAD_ARCHIVE,   /* an import that is not a valid archive */
	FLEET_IO,            /* the state directory failed (disk full, ...) */
	FLEET_OK_UNLINK,     /* export: done, but remove the file once it is sent */
	FLEET_CONFLICT,      /* serve: metrics of a box that is not running, with AutoStop on */
	FLEET_SNAP_DEPENDS,  /* another snapshot's disk is built on the snapshot */
};

struct fleet;

/*
 * n_boxes boxes, or the demo fleet when n_boxes is 0; everything but
 * updated_at after a change is derived from seed. Caller frees with fleet_free.
 */
struct fleet *fleet_new(uint64_t seed, size_t n_boxes);
void fleet_free(struct fleet **f);
/*
 * The run's options (borrowed: they must outlive the fleet): disk sizes,
 * metric tick, state rules and where disks and archives are kept. Without
 * them the fleet uses 64 MiB disks, 1 s ticks and /tmp.
 */
void fleet_set_opts(struct fleet *f, const struct sim_opts *opts);
/* Where effects are recorded (borrowed: it must outlive the fleet); NULL: nowhere. */
void fleet_set_effects(struct fleet *f, struct effects *e);
/*
 * Called with the fleet's lock held whenever box box_id stops or is
 * removed (exec.c ends its executions then); it must not call the fleet.
 * NULL: none.
 */
typedef void (*fleet_stop_hook)(void *arg, const char *box_id);
void fleet_set_stop_hook(struct fleet *f, fleet_stop_hook fn, void *arg);
/* The seed the fleet was made from (the main sessions' logs derive from it). */
uint64_t fleet_seed(struct fleet *f);
/*
 * A box about to be used by an exec: FLEET_OK with its id in id (id_len
 * bytes) when it runs, or was stopped and auto_resume let it boot
 * (EFFECT_RESUME with cause); FLEET_INVALID_STATE when it does not run and
 * may not be booted; FLEET_NOT_FOUND. counts: an exec started (counters).
 */
enum fleet_rc fleet_use_box(struct fleet *f, const char *id_or_name, bool boot, bool counts,
			    const struct effect_cause *cause, char *id, size_t id_len);

/*
 * One page of boxes with status `status` (all when has_status is false)
 * starting at token (NULL for the first page), at most page_size. On
 * FLEET_OK *out is the ListBoxesResponse as JSON text of *len bytes, which
 * the caller frees.
 */
enum fleet_rc fleet_list(struct fleet *f, const char *token, size_t page_size, bool has_status,
			 enum box_status status, char **out, size_t *len);

/* The box by id, else by name; on FLEET_OK *out (may be NULL: no JSON wanted) is the Box. */
enum fleet_rc fleet_get(struct fleet *f, const char *id_or_name, cJSON **out);
/*
 * Whether any box runs image reference (exactly as boxes carry it). images.c
 * calls it with the cache's lock held: the order is cache, then fleet.
 */
bool fleet_image_in_use(struct fleet *f, const char *reference);
/* Removes the box; a running or paused box needs force. */
enum fleet_rc fleet_delete(struct fleet *f, const char *id_or_name, bool force);
/* Starts (or stops) the box; idempotent. *out is the Box afterwards. */
enum fleet_rc fleet_start(struct fleet *f, const char *id_or_name, cJSON **out);
enum fleet_rc fleet_stop(struct fleet *f, const char *id_or_name, cJSON **out);

/* RuntimeMetrics of the whole fleet; metrics advance one tick per second. */
enum fleet_rc fleet_runtime_metrics(struct fleet *f, cJSON **out);
/*
 * BoxMetrics of one box: gauges are null while it is not running. In the
 * serve flavor, as boxlite serve: a box that is not running is booted by
 * the read (EFFECT_BOOT, with cause) when it has no AutoStop deadline, and
 * refused with FLEET_CONFLICT and why when it has one.
 */
enum fleet_rc fleet_box_metrics(struct fleet *f, const char *id_or_name,
				const struct effect_cause *cause, cJSON **out, char *why,
				size_t why_len);

/*
 * The AutoStop idle clock (fleet_life.c), kept as boxlite serve keeps it:
 * fleet_touch starts the clock of the box id_or_name names again
 * (EFFECT_STAMP with cause; nothing when it names none), and fleet_sweep
 * stops every running box idle for its auto_stop seconds and removes every
 * stopped or failed one at rest for its auto_delete seconds (0 disables
 * either). Returns how many boxes it changed.
 */
void fleet_touch(struct fleet *f, const char *id_or_name, const struct effect_cause *cause);
size_t fleet_sweep(struct fleet *f, int64_t now_ms);
/* The clock of the idle clocks and of fleet_sweep's now_ms (monotonic milliseconds). */
int64_t fleet_now(const struct fleet *f);
/* Replaces that clock (tests); NULL: the monotonic clock again. */
void fleet_set_clock(struct fleet *f, int64_t (*clock)(void));
/* Sets a box's deadlines in seconds (negative: left as they are); *out is the Box. */
enum fleet_rc fleet_set_lifecycle(struct fleet *f, const char *id_or_name, int64_t auto_stop,
				  int64_t auto_delete, cJSON **out);

/*
 * Snapshots of the box id_or_name. On FLEET_OK *out (when the call has one)
 * is the Snapshot or {"snapshots": [...]} (oldest first; newest first in
 * the serve flavor); caller frees with cJSON_Delete. Restore refuses a
 * running box (FLEET_INVALID_STATE), in the serve flavor any active one.
 */
enum fleet_rc fleet_snapshot_create(struct fleet *f, const char *id_or_name, const char *name,
				    cJSON **out);
enum fleet_rc fleet_snapshot_list(struct fleet *f, const char *id_or_name, cJSON **out);
enum fleet_rc fleet_snapshot_get(struct fleet *f, const char *id_or_name, const char *name,
				 cJSON **out);
/*
 * Refused while a disk depends on the snapshot: the live disk's backing
 * chain (FLEET_IN_USE), another snapshot built on it (FLEET_SNAP_DEPENDS,
 * its name in other), a clone's base (FLEET_CLONE_DEPENDS, the clone's name
 * in other).
 */
enum fleet_rc fleet_snapshot_delete(struct fleet *f, const char *id_or_name, const char *name,
				    char *other, size_t other_len);
enum fleet_rc fleet_snapshot_restore(struct fleet *f, const char *id_or_name, const char *name);

struct ftree;
/*
 * The files of the box id_or_name (fleet_files.c): on FLEET_OK *out is a
 * reference the caller drops with ftree_free. A box that is not running is
 * FLEET_INVALID_STATE, unless boot is set (serve's copy_in and copy_out
 * bring it up): then a stopped box is started (EFFECT_RESUME with cause).
 */
enum fleet_rc fleet_files(struct fleet *f, const char *id_or_name, bool boot,
			  const struct effect_cause *cause, struct ftree **out);

/* Whether a CreateBoxRequest may carry the field (it is refused otherwise). */
bool fleet_create_field_known(const char *key);

/* A box name: 1-128 of [a-zA-Z0-9._-], starting alphanumeric. */
bool fleet_name_valid(const char *name);

/*
 * Creates a box from a CreateBoxRequest (unknown fields refused): status
 * configured. On FLEET_BAD_NAME err says what is wrong with the request.
 */
enum fleet_rc fleet_create(struct fleet *f, const cJSON *req, cJSON **out, char *err,
			   size_t errlen);
/*
 * A stopped copy of the box, carrying its disk, called name (NULL: made up
 * from the source's). A clone of a box restored from a snapshot depends on
 * that snapshot.
 */
enum fleet_rc fleet_clone(struct fleet *f, const char *id_or_name, const char *name, cJSON **out);

/*
 * The brief pause of a running box for a snapshot, clone or export:
 * *paused says whether it was running and is now paused; fleet_resume sets
 * it running again if it is still paused. FLEET_MUST_STOP with
 * --strict-stopped when it runs.
 */
enum fleet_rc fleet_pause(struct fleet *f, const char *id_or_name, bool *paused);
void fleet_resume(struct fleet *f, const char *id_or_name);

/*
 * The box's .boxlite archive, built on first use and cached until its disk
 * changes: *path (caller frees) and *size. FLEET_IO with err when it cannot
 * be written; FLEET_OK_UNLINK when the caller must remove it once sent.
 */
enum fleet_rc fleet_export(struct fleet *f, const char *id_or_name, char **path, uint64_t *size,
			   char *err, size_t errlen);
/*
 * Verifies the archive at upload and adds a stopped box with its disk,
 * called name (NULL: the archive's, made unique). FLEET_BAD_ARCHIVE or
 * FLEET_BAD_NAME with err for a 400, FLEET_IO for a 500.
 */
enum fleet_rc fleet_import(struct fleet *f, const char *upload, const char *name, cJSON **out,
			   char *err, size_t errlen);

#endif
