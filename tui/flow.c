/*
 * flow: an action asked for step by step, from its row in net/actions'
 * table alone: the box (or image) of the shown view, then a snapshot
 * picked, a file, a name (each with its default), the confirmation its row
 * asks for (y, or the name typed out), and the job queued. Mutating actions
 * never act on a key alone.
 *
 * A snapshot pick waits for the box's snapshots, asked when the key was
 * pressed (asking is using the box on boxlite serve, so it is asked when
 * looked at, never kept fresh): it opens once a list asked since arrives,
 * and is given up after PICK_WAIT_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/xfer.h"
#include "ui.h"

#define PICK_WAIT_MS 30000 /* a look that has not answered by then is given up */

struct flow {
	const struct action_def *def;
	char *box_id, *box_name; /* ACT_BOX */
	bool running;            /* the box ran (or was paused) when it began */
	char *image;             /* ACT_IMAGE */
	char *snapshot;          /* ACT_SNAPSHOT, once picked */
	char *path;              /* ACT_FILE, ACT_DEST, ACT_LOCAL, once typed */
	char *box_path;          /* ACT_BOX_PATH, once typed */
	char *name;              /* ACT_NAME, once typed (NULL: let the server pick) */
	bool named, confirmed;
	int64_t pick_since_ms; /* a snapshot pick waits for a list asked then; 0: none */
};

static void flow_free(struct flow *f)
{
	if (f == NULL)
		return;
	free(f->box_id);
	free(f->box_name);
	free(f->image);
	free(f->snapshot);
	free(f->path);
	free(f->box_path);
	free(f->name);
	free(f);
}

bool flow_forget(struct ui *ui)
{
	bool was = ui->flow != NULL;

	flow_free(ui->flow);
	ui->flow = NULL;
	return was;
}

/* A row's text with the flow's box, snapshot and image filled in. Caller frees. */
static char *fill(const struct flow *f, const char *tmpl)
{
	return action_text(tmpl, f->box_name, f->snapshot, f->image);
}

/* What the job is about, for the messages: the box, else the file, else the image. */
static const char *who(const struct flow *f)
{
	if (f->box_name != NULL)
		return f->box_name;
	if (f->path != NULL)
		return f->path;
	return f->image != NULL ? f->image : "";
}

static size_t jobs_key(void)
{
	for (size_t i = 0; i < view_count(); i++)
		if (view_class_at(i) == &view_jobs)
			return i + 1;
	return 0;
}

/* Queues one job of kind k with what the flow gathered. Returns its id, or 0. */
static uint64_t submit(struct ui *ui, const struct flow *f, enum job_kind k)
{
	const struct action_def *d = action_def(k);
	struct action act = {.kind = k,
			     .box_id = f->box_id,
			     .box_name = f->box_name,
			     .name = f->snapshot != NULL ? f->snapshot
				     : f->image != NULL  ? f->image
							 : f->name,
			     .path = f->path,
			     .box_path = f->box_path};
	struct net_error err;
	uint64_t id;

	if (k == JOB_STOP)
		act.name = NULL;
	id = actions_submit(ui->actions, &act, store_view_config(&ui->view), &err);
	if (id == 0) {
		ui_flash(ui, true, "%s", err.message);
		eventlog_add(&ui->events, time(NULL), EVENT_ERROR, "%s %s refused: %s",
			     job_kind_name(d->kind), who(f), err.message);
		return 0;
	}
	jobs_select(ui, id);
	ui_flash(ui, false, "%s %s queued (%zu shows the jobs)", job_kind_name(k), who(f),
		 jobs_key());
	eventlog_add(&ui->events, time(NULL), EVENT_INFO, "%s %s%s%s queued", job_kind_name(k),
		     who(f), act.name != NULL && act.name != f->image ? " " : "",
		     act.name != NULL && act.name != f->image ? act.name : "");
	return id;
}

static void step(struct ui *ui);

static void picked(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)m;
	(void)choice;
	if (ui->flow == NULL)
		return;
	ui->flow->snapshot = xstrdup(text);
	step(ui);
}

/*
 * The flow a typed path goes on with, or NULL when there is none or the
 * path is empty (then the flow ends, saying it needed what).
 */
static struct flow *path_flow(struct ui *ui, const char *text, const char *needed)
{
	struct flow *f = ui->flow;

	if (f == NULL)
		return NULL;
	if (text[0] == '\0') {
		ui_flash(ui, true, "%s needs %s", job_kind_name(f->def->kind), needed);
		flow_forget(ui);
		return NULL;
	}
	return f;
}

static void path_typed(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	struct flow *f = ui->flow;

	(void)m;
	(void)choice;
	f = path_flow(ui, text,
		      f != NULL && (f->def->needs & ACT_FILE) ? "a .boxlite file" : "a file name");
	if (f == NULL)
		return;
	f->path = xstrdup(text);
	step(ui);
}

static void box_path_typed(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	struct flow *f = path_flow(ui, text, "a path in the box");

	(void)m;
	(void)choice;
	if (f == NULL)
		return;
	f->box_path = xstrdup(text);
	step(ui);
}

static void name_typed(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	struct flow *f = ui->flow;

	(void)m;
	(void)choice;
	if (f == NULL)
		return;
	if (text[0] == '\0' && !f->def->name_optional) {
		ui_flash(ui, true, "%s needs a name", job_kind_name(f->def->kind));
		flow_forget(ui);
		return;
	}
	f->named = true;
	f->name = text[0] != '\0' ? xstrdup(text) : NULL;
	step(ui);
}

static void confirmed(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)m;
	(void)text;
	if (ui->flow == NULL)
		return;
	if (choice != 'y') {
		flow_forget(ui);
		return;
	}
	ui->flow->confirmed = true;
	step(ui);
}

/* Asks for the box's snapshots; the pick opens in flow_poll when they come. */
static void ask_snapshots(struct ui *ui, struct flow *f)
{
	f->pick_since_ms = time_mono_ms();
	poller_look_snapshots(ui->poller, f->box_id);
	ui_flash(ui, false, "asking the server for %s's snapshots...", f->box_name);
}

static void ask_path(struct ui *ui, struct flow *f)
{
	const char *dir = ui->opts->export_dir != NULL ? ui->opts->export_dir : ".";
	char *title = fill(f, f->def->ask_path);
	char *def = f->def->needs & ACT_DEST     ? xfer_default_name(dir, f->box_name, time(NULL))
		    : f->def->kind == JOB_CP_OUT ? xstrdup(dir)
						 : xstrdup("");

	modal_prompt(ui, title, def, true, path_typed);
	free(def);
	free(title);
}

static void ask_box_path(struct ui *ui, struct flow *f)
{
	char *title = fill(f, f->def->ask_box_path);

	modal_prompt(ui, title, "/", true, box_path_typed);
	free(title);
}

static void ask_name(struct ui *ui, struct flow *f)
{
	char *title = fill(f, f->def->ask_name);
	char *def = action_default_name(f->def, f->box_name, time(NULL));

	modal_prompt(ui, title, def != NULL ? def : "", false, name_typed);
	free(def);
	free(title);
}

static void ask_confirm(struct ui *ui, struct flow *f)
{
	const struct action_def *d = f->def;
	char *title = fill(f, d->ask_confirm);
	const char *warning =
		f->running && d->warning_running != NULL ? d->warning_running : d->warning;
	const char *target = d->needs & ACT_SNAPSHOT ? f->snapshot
			     : d->needs & ACT_IMAGE  ? f->image
						     : f->box_name;

	modal_confirm(ui, title, warning, d->confirm == CONFIRM_TYPE ? target : NULL, confirmed);
	free(title);
}

/* The next thing the action needs, or the job queued once it has everything. */
static void step(struct ui *ui)
{
	struct flow *f = ui->flow;
	const struct action_def *d = f->def;

	if ((d->needs & ACT_SNAPSHOT) && f->snapshot == NULL) {
		ask_snapshots(ui, f);
	} else if ((d->needs & ACT_BOX_PATH) && f->box_path == NULL &&
		   !(d->kind == JOB_CP_IN && f->path == NULL)) {
		ask_box_path(ui, f); /* copy-to asks its source first */
	} else if ((d->needs & (ACT_FILE | ACT_DEST | ACT_LOCAL)) && f->path == NULL) {
		ask_path(ui, f);
	} else if ((d->needs & ACT_NAME) && !f->named) {
		ask_name(ui, f);
	} else if (d->confirm != CONFIRM_NONE && !f->confirmed) {
		ask_confirm(ui, f);
	} else {
		/* jobs on one box run in submission order: the stop ends before the action starts
		 */
		if (!(d->stop_first && f->running) || submit(ui, f, JOB_STOP) != 0)
			submit(ui, f, d->kind);
		flow_forget(ui);
	}
	ui->react |= REDRAW_ALL;
}

unsigned flow_begin(struct ui *ui, const struct action_def *d)
{
	const struct box *b = d->needs & ACT_BOX ? ui_box(ui) : NULL;
	const struct image_info *im = d->needs & ACT_IMAGE ? ui_image(ui) : NULL;
	const char *no = action_box_refusal(d, b);
	struct flow *f;

	if (no != NULL) {
		ui_flash(ui, true, "%s %s: %s", job_kind_name(d->kind), box_display_name(b), no);
		return REDRAW_FOOT;
	}
	f = xcalloc(1, sizeof(*f));
	flow_forget(ui);
	f->def = d;
	if (b != NULL) {
		f->box_id = xstrdup(b->id);
		f->box_name = xstrdup(box_display_name(b));
		/* paused is a running box frozen a moment (a snapshot): it must stop too */
		f->running = box_is_live(b);
	}
	if (im != NULL)
		f->image = xstrdup(im->repository);
	ui->flow = f;
	step(ui);
	return REDRAW_ALL;
}

/* The names in sl, for a pick; NULL (and a message why) when there are none. */
static char **snapshot_names(struct ui *ui, const struct flow *f, const struct snapshot_list *sl,
			     size_t *n)
{
	char **items;

	*n = sl->n;
	if (sl->error != NULL) {
		ui_flash(ui, true, "the snapshots of %s could not be read: %s", f->box_name,
			 sl->error);
		return NULL;
	}
	if (*n == 0) {
		ui_flash(ui, true, "%s has no snapshots", f->box_name);
		return NULL;
	}
	items = xcalloc(*n, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		items[i] = xstrdup(sl->items[i].name);
	return items;
}

unsigned flow_poll(struct ui *ui)
{
	struct flow *f = ui->flow;
	const struct snapshot_list *sl;
	char **items;
	char *title;
	size_t n;

	if (f == NULL || f->pick_since_ms == 0 || ui->modal.kind != MODAL_NONE)
		return 0;
	sl = store_view_snapshots(&ui->view, f->box_id);
	if (sl == NULL || sl->asked_ms < f->pick_since_ms) {
		if (time_mono_ms() - f->pick_since_ms <= PICK_WAIT_MS)
			return 0;
		ui_flash(ui, true, "no answer from the server about %s's snapshots", f->box_name);
		flow_forget(ui);
		return REDRAW_FOOT;
	}
	f->pick_since_ms = 0;
	items = snapshot_names(ui, f, sl, &n);
	if (items == NULL) {
		flow_forget(ui);
		return REDRAW_FOOT;
	}
	title = fill(f, f->def->ask_pick);
	modal_pick(ui, title, items, n, picked);
	free(title);
	return REDRAW_ALL;
}

bool flow_waits_for_pick(const struct ui *ui)
{
	return ui->flow != NULL && ui->flow->pick_since_ms != 0;
}
