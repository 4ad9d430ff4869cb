/*
 * keys: every key binding is one row of one table: the keys, the label and
 * text the hint bar and the `?` overlay show, the views it works in, what
 * it needs (a box, write access, a server capability), and its handler.
 * The hint bar and the help are generated from the rows, so they cannot
 * drift from what the keys do (htop's Action.c).
 *
 * Mutating actions never act on a key alone: each asks first (a name with a
 * default, a pick, a confirmation that defaults to Cancel, and for deletes
 * the name typed out), then queues a job through net/actions, which checks
 * the server's capabilities again before anything is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/format.h"
#include "model/xalloc.h"
#include "model/timeutil.h"
#include "net/api.h"
#include "net/xfer.h"
#include "keys.h"
#include "ui.h"

/* ---- navigation ---- */

static size_t page(struct ui *ui)
{
	size_t h = draw_table_rows(ui);

	return h > 1 ? h - 1 : 1;
}

static void nav(struct ui *ui, long delta, bool absolute)
{
	if (ui->current == VIEW_BOXES)
		boxes_move(ui, delta, absolute);
	else if (ui->current == VIEW_DETAIL)
		ui->detail_scroll = 0;
	else
		lists_move(ui, delta, absolute);
}

static void k_down(struct ui *ui, const struct binding *b)
{
	(void)b;
	nav(ui, 1, false);
}

static void k_up(struct ui *ui, const struct binding *b)
{
	(void)b;
	nav(ui, -1, false);
}

static void k_pgdn(struct ui *ui, const struct binding *b)
{
	(void)b;
	nav(ui, (long)page(ui), false);
}

static void k_pgup(struct ui *ui, const struct binding *b)
{
	(void)b;
	nav(ui, -(long)page(ui), false);
}

static void k_home(struct ui *ui, const struct binding *b)
{
	(void)b;
	nav(ui, 0, true);
}

static void k_end(struct ui *ui, const struct binding *b)
{
	(void)b;
	nav(ui, 1L << 40, true);
}

static void k_enter(struct ui *ui, const struct binding *b)
{
	(void)b;
	if (ui->current == VIEW_BOXES && ui_selected_box(ui) != NULL)
		ui_show(ui, VIEW_DETAIL);
}

static void k_back(struct ui *ui, const struct binding *b)
{
	(void)b;
	if (ui->pick.box_id != NULL) {
		keys_pick_forget(ui);
		ui_flash(ui, false, "snapshot pick abandoned");
		return;
	}
	if (ui->current != VIEW_BOXES) {
		ui->current = VIEW_BOXES;
		return;
	}
	if (ui->filter_text != NULL) {
		free(ui->filter_text);
		ui->filter_text = NULL;
		query_free(&ui->query);
		ui->rows_boxes.dirty = true;
		ui_flash(ui, false, "filter cleared");
	}
}

static void k_view(struct ui *ui, const struct binding *b)
{
	(void)b;
	(void)ui;
}

static void k_next_view(struct ui *ui, const struct binding *b)
{
	(void)b;
	ui_show(ui, (enum view_id)((ui->current + 1) % VIEW_COUNT));
}

static void k_prev_view(struct ui *ui, const struct binding *b)
{
	(void)b;
	ui_show(ui, (enum view_id)((ui->current + VIEW_COUNT - 1) % VIEW_COUNT));
}

/* ---- filter, sort, pause, redraw, help, quit ---- */

static void apply_filter(struct ui *ui)
{
	const char *text = lineedit_text(&ui->filter_edit);

	free(ui->filter_text);
	ui->filter_text = text[0] != '\0' ? xstrdup(text) : NULL;
	query_free(&ui->query);
	if (ui->filter_text != NULL)
		ui->query = query_parse(ui->filter_text);
	ui->rows_boxes.dirty = true;
}

static void k_filter(struct ui *ui, const struct binding *b)
{
	(void)b;
	ui->current = VIEW_BOXES;
	ui->filtering = true;
	lineedit_clear(&ui->filter_edit);
	lineedit_init(&ui->filter_edit, ui->filter_text, 256);
}

/* Keys while the filter line is open: it filters as it is typed. */
static void filter_key(struct ui *ui, int key)
{
	if (key == '\r' || key == '\n' || key == (KEY_ENTER | KEY_FLAG)) {
		ui->filtering = false;
		return;
	}
	if (key == KEY_ESC) {
		ui->filtering = false;
		lineedit_clear(&ui->filter_edit);
		lineedit_init(&ui->filter_edit, NULL, 256);
		apply_filter(ui);
		return;
	}
	if (prompt_edit_key(&ui->filter_edit, key))
		apply_filter(ui);
}

static const enum sort_key sort_cycle[] = {
	SORT_NAME,        SORT_STATUS,  SORT_IMAGE,   SORT_CPUS,    SORT_MEMORY, SORT_CPU_PERCENT,
	SORT_MEMORY_USED, SORT_RX_RATE, SORT_TX_RATE, SORT_CREATED, SORT_ID};
static void cycle_sort(struct ui *ui, int step)
{
	size_t i = 0;

	while (i < ARRAY_LEN(sort_cycle) && sort_cycle[i] != ui->sort)
		i++;
	i = (i + ARRAY_LEN(sort_cycle) + (size_t)(step + (int)ARRAY_LEN(sort_cycle))) %
	    ARRAY_LEN(sort_cycle);
	ui->sort_desc = !ui->sort_desc; /* boxes_set_sort flips it back for the same key */
	ui->sort = SORT_KEY_COUNT;
	boxes_set_sort(ui, sort_cycle[i]);
}

static void k_sort_next(struct ui *ui, const struct binding *b)
{
	(void)b;
	cycle_sort(ui, 1);
}

static void k_sort_prev(struct ui *ui, const struct binding *b)
{
	(void)b;
	cycle_sort(ui, -1);
}

static void k_reverse(struct ui *ui, const struct binding *b)
{
	(void)b;
	boxes_set_sort(ui, ui->sort);
}

static void k_pause(struct ui *ui, const struct binding *b)
{
	(void)b;
	ui->paused = !ui->paused;
	ui_flash(ui, false, ui->paused ? "updates paused (p resumes)" : "updates resumed");
}

static void k_redraw(struct ui *ui, const struct binding *b)
{
	(void)b;
	clearok(curscr, TRUE);
	poller_kick(ui->poller);
}

/* Everything now, and in the detail view the box's snapshots: an explicit look. */
static void k_look(struct ui *ui, const struct binding *b)
{
	const struct box *box = ui_selected_box(ui);

	(void)b;
	if (ui->current == VIEW_DETAIL && box != NULL) {
		poller_look_snapshots(ui->poller, box->id);
		ui_flash(ui, false, "asking again, %s's snapshots too", box_display_name(box));
		return;
	}
	poller_kick(ui->poller);
	ui_flash(ui, false, "asking again");
}

static void k_help(struct ui *ui, const struct binding *b)
{
	(void)b;
	ui->modal.kind = MODAL_HELP;
}

static void quit_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)m;
	(void)text;
	if (choice == 'w') {
		ui->quit_when_idle = true;
		ui_flash(ui, false, "quitting when the jobs are done (q again to choose again)");
	} else if (choice == 'c') {
		ui->quit = true;
	}
}

static void k_quit(struct ui *ui, const struct binding *b)
{
	size_t n = ui_active_jobs(ui);
	char msg[128];

	(void)b;
	if (n == 0) {
		ui->quit = true;
		return;
	}
	snprintf(msg, sizeof(msg), "%zu job%s still queued or running.", n,
		 n == 1 ? " is" : "s are");
	modal_confirm(ui, "Quit boxtop?", msg, NULL, quit_answer);
	ui->modal.kind = MODAL_QUIT;
}

/* ---- actions ---- */

/* What an action is about, for its messages: the box, else the file, else the name. */
static const char *action_who(const struct action *act)
{
	if (act->box_name != NULL)
		return act->box_name;
	if (act->path != NULL)
		return act->path;
	return act->name != NULL ? act->name : "";
}

/* The name an action gives (a snapshot's, a clone's), when it is not what it is about. */
static const char *action_name(const struct action *act)
{
	return act->name != NULL && act->name != action_who(act) ? act->name : "";
}

static void submit(struct ui *ui, const struct action *act)
{
	struct net_error err;
	uint64_t id = actions_submit(ui->actions, act, store_view_config(&ui->view), &err);

	if (id == 0) {
		ui_flash(ui, true, "%s", err.message);
		eventlog_add(&ui->events, time(NULL), EVENT_ERROR, "%s %s refused: %s",
			     job_kind_name(act->kind), action_who(act), err.message);
		return;
	}
	ui->job_sel = id;
	ui_flash(ui, false, "%s %s queued (4 shows the jobs)", job_kind_name(act->kind),
		 action_who(act));
	eventlog_add(&ui->events, time(NULL), EVENT_INFO, "%s %s%s%s queued",
		     job_kind_name(act->kind), action_who(act), action_name(act)[0] ? " " : "",
		     action_name(act));
}

/* An action on the modal's box: kind, name (snapshot, clone) and path. */
static void submit_on(struct ui *ui, const struct modal *m, enum job_kind kind, const char *name,
		      const char *path, bool force)
{
	struct action act = {.kind = kind,
			     .box_id = m->box_id,
			     .box_name = m->box_name,
			     .name = name,
			     .path = path,
			     .force = force};

	submit(ui, &act);
}

/* Makes the open modal about a box (id and name copied) and an argument. */
static void about_ids(struct ui *ui, const char *id, const char *name, const char *arg)
{
	ui->modal.box_id = xstrdup(id);
	ui->modal.box_name = xstrdup(name);
	ui->modal.arg = xstrdup(arg);
}

static void about(struct ui *ui, const struct box *b, const char *arg)
{
	about_ids(ui, b->id, box_display_name(b), arg);
}

static char *utc_stamp(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
	return xstrdup(buf);
}

static void snapshot_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)choice;
	if (text[0] == '\0') {
		ui_flash(ui, true, "a snapshot needs a name");
		return;
	}
	submit_on(ui, m, JOB_SNAPSHOT_CREATE, text, NULL, false);
}

static void k_snapshot(struct ui *ui, const struct binding *b)
{
	const struct box *box = ui_selected_box(ui);
	char *stamp = utc_stamp(), *def = xasprintf("snap-%s", stamp), *title;

	(void)b;
	title = xasprintf("Snapshot %s: name", box_display_name(box));
	modal_prompt(ui, title, def, false, snapshot_answer);
	about(ui, box, NULL);
	free(title);
	free(def);
	free(stamp);
}

static void clone_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)choice;
	submit_on(ui, m, JOB_CLONE, text[0] != '\0' ? text : NULL, NULL, false);
}

static void k_clone(struct ui *ui, const struct binding *b)
{
	const struct box *box = ui_selected_box(ui);
	char *def = xasprintf("%s-clone", box_display_name(box)), *title;

	(void)b;
	title = xasprintf("Clone %s: name of the new box (empty: the server picks)",
			  box_display_name(box));
	modal_prompt(ui, title, def, false, clone_answer);
	about(ui, box, NULL);
	free(title);
	free(def);
}

static void export_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)choice;
	if (text[0] == '\0') {
		ui_flash(ui, true, "an export needs a file name");
		return;
	}
	submit_on(ui, m, JOB_EXPORT, NULL, text, false);
}

static void k_export(struct ui *ui, const struct binding *b)
{
	const struct box *box = ui_selected_box(ui);
	const char *dir = ui->opts->export_dir != NULL ? ui->opts->export_dir : ".";
	char *def = xfer_default_name(dir, box_display_name(box), time(NULL)), *title;

	(void)b;
	title = xasprintf("Export %s to", box_display_name(box));
	modal_prompt(ui, title, def, true, export_answer);
	about(ui, box, NULL);
	free(title);
	free(def);
}

static void import_name_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	struct action act = {.kind = JOB_IMPORT, .path = m->arg, .name = text[0] ? text : NULL};

	(void)choice;
	submit(ui, &act);
}

static void import_path_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)m;
	(void)choice;
	if (text[0] == '\0') {
		ui_flash(ui, true, "an import needs a .boxlite file");
		return;
	}
	modal_prompt(ui, "Import: name of the new box (empty: the archive's)", "", false,
		     import_name_answer);
	ui->modal.arg = xstrdup(text);
}

static void k_import(struct ui *ui, const struct binding *b)
{
	(void)b;
	modal_prompt(ui, "Import a .boxlite archive from", "", true, import_path_answer);
}

static void stop_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)text;
	if (choice == 'y')
		submit_on(ui, m, JOB_STOP, NULL, NULL, false);
}

static void k_start_stop(struct ui *ui, const struct binding *b)
{
	const struct box *box = ui_selected_box(ui);
	char *title;

	(void)b;
	if (box->status != BOX_RUNNING) {
		struct action act = {
			.kind = JOB_START, .box_id = box->id, .box_name = box_display_name(box)};

		submit(ui, &act);
		return;
	}
	title = xasprintf("Stop %s?", box_display_name(box));
	modal_confirm(ui, title, "Its processes are ended.", NULL, stop_answer);
	about(ui, box, NULL);
	free(title);
}

static void delete_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)text;
	(void)choice;
	submit_on(ui, m, JOB_DELETE_BOX, NULL, NULL, true);
}

static void k_delete_box(struct ui *ui, const struct binding *b)
{
	const struct box *box = ui_selected_box(ui);
	char *title = xasprintf("Delete box %s?", box_display_name(box));

	(void)b;
	modal_confirm(ui, title,
		      box->status == BOX_RUNNING ? "It is running: it is stopped and deleted, with "
						   "its disk and snapshots."
						 : "Its disk and snapshots are deleted.",
		      box_display_name(box), delete_answer);
	about(ui, box, NULL);
	free(title);
}

static void image_delete_answer(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	struct action act = {.kind = JOB_IMAGE_DELETE, .name = m->arg};

	(void)text;
	(void)choice;
	submit(ui, &act);
}

static void k_delete_image(struct ui *ui, const struct binding *b)
{
	const struct image_info *im = images_selected(ui);
	char *title;

	(void)b;
	if (im == NULL) {
		ui_flash(ui, true, "no image selected");
		return;
	}
	title = xasprintf("Delete image %s?", im->repository);
	modal_confirm(ui, title, "Every tag of it leaves the cache (refused while a box runs it).",
		      im->repository, image_delete_answer);
	ui->modal.arg = xstrdup(im->repository);
	free(title);
}

#define PICK_WAIT_MS 30000 /* a look that has not answered by then is given up */

void keys_pick_forget(struct ui *ui)
{
	free(ui->pick.box_id);
	free(ui->pick.box_name);
	memset(&ui->pick, 0, sizeof(ui->pick));
}

/* The names in sl, for a pick; NULL (and a message why) when there are none. */
static char **snapshot_names(struct ui *ui, const struct snapshot_list *sl, size_t *n)
{
	char **items;

	*n = sl->n;
	if (sl->error != NULL) {
		ui_flash(ui, true, "the snapshots of %s could not be read: %s", ui->pick.box_name,
			 sl->error);
		return NULL;
	}
	if (*n == 0) {
		ui_flash(ui, true, "%s has no snapshots", ui->pick.box_name);
		return NULL;
	}
	items = xcalloc(*n, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		items[i] = xstrdup(sl->items[i].name);
	return items;
}

void keys_pick_ready(struct ui *ui)
{
	const struct snapshot_list *sl;
	size_t n;
	char **items;
	char *title;

	if (ui->pick.box_id == NULL || ui->modal.kind != MODAL_NONE)
		return;
	sl = store_view_snapshots(&ui->view, ui->pick.box_id);
	if (sl == NULL || sl->asked_ms < ui->pick.since_ms) {
		if (time_mono_ms() - ui->pick.since_ms > PICK_WAIT_MS) {
			ui_flash(ui, true, "no answer from the server about %s's snapshots",
				 ui->pick.box_name);
			keys_pick_forget(ui);
		}
		return;
	}
	items = snapshot_names(ui, sl, &n);
	if (items != NULL) {
		title = xasprintf("%s which snapshot of %s?", ui->pick.verb, ui->pick.box_name);
		modal_pick(ui, title, items, n, ui->pick.done);
		about_ids(ui, ui->pick.box_id, ui->pick.box_name, NULL);
		free(title);
	}
	keys_pick_forget(ui);
}

static void restore_confirmed(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)text;
	if (choice == 'y')
		submit_on(ui, m, JOB_SNAPSHOT_RESTORE, m->arg, NULL, false);
}

static void restore_running(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)text;
	if (choice != 'y')
		return;
	/* jobs on one box run in submission order: the stop ends before the restore starts */
	submit_on(ui, m, JOB_STOP, NULL, NULL, false);
	submit_on(ui, m, JOB_SNAPSHOT_RESTORE, m->arg, NULL, false);
}

static void restore_picked(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	const struct box *box = ui_selected_box(ui);
	char *title = xasprintf("Restore %s to %s?", m->box_name, text);
	/* paused is a running box frozen a moment (a snapshot): it must stop too */
	bool running = box != NULL && strcmp(box->id, m->box_id) == 0 &&
		       (box->status == BOX_RUNNING || box->status == BOX_PAUSED);

	(void)choice;
	modal_confirm(ui, title,
		      running ? "It is running: stop it first, then restore (its disk is replaced)"
			      : "Its disk is replaced by the snapshot's.",
		      NULL, running ? restore_running : restore_confirmed);
	about_ids(ui, m->box_id, m->box_name, text);
	free(title);
}

/*
 * A pick of the selected box's snapshots, "<verb> which snapshot of
 * <box>?": they are asked now (a look) and the pick opens when they come.
 */
static void pick_snapshot(struct ui *ui, const char *verb, modal_fn done)
{
	const struct box *box = ui_selected_box(ui);

	keys_pick_forget(ui);
	ui->pick.box_id = xstrdup(box->id);
	ui->pick.box_name = xstrdup(box_display_name(box));
	ui->pick.verb = verb;
	ui->pick.done = done;
	ui->pick.since_ms = time_mono_ms();
	poller_look_snapshots(ui->poller, box->id);
	ui_flash(ui, false, "asking the server for %s's snapshots...", ui->pick.box_name);
}

static void k_restore(struct ui *ui, const struct binding *b)
{
	(void)b;
	pick_snapshot(ui, "Restore", restore_picked);
}

static void snapdel_confirmed(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	(void)text;
	(void)choice;
	submit_on(ui, m, JOB_SNAPSHOT_DELETE, m->arg, NULL, false);
}

static void snapdel_picked(struct ui *ui, const struct modal *m, const char *text, int choice)
{
	char *title = xasprintf("Delete snapshot %s of %s?", text, m->box_name);

	(void)choice;
	modal_confirm(ui, title, "It cannot be brought back.", text, snapdel_confirmed);
	about_ids(ui, m->box_id, m->box_name, text);
	free(title);
}

static void k_delete_snapshot(struct ui *ui, const struct binding *b)
{
	(void)b;
	pick_snapshot(ui, "Delete", snapdel_picked);
}

static void k_cancel_job(struct ui *ui, const struct binding *b)
{
	const struct job *j = jobs_selected(ui);

	(void)b;
	if (j == NULL || job_is_finished(j) || pool_cancel(ui->pool, j->id) < 0) {
		ui_flash(ui, true, "no running or queued job selected");
		return;
	}
	ui_flash(ui, false, "cancelling %s %s", job_kind_name(j->kind),
		 j->box_name ? j->box_name : "");
}

static void k_retry_job(struct ui *ui, const struct binding *b)
{
	const struct job *j = jobs_selected(ui);
	uint64_t id = j != NULL ? pool_retry(ui->pool, j->id) : 0;

	(void)b;
	if (id == 0) {
		ui_flash(ui, true, "only a failed or cancelled job can be retried (once)");
		return;
	}
	ui->job_sel = id;
	ui_flash(ui, false, "retrying %s %s", job_kind_name(j->kind),
		 j->box_name ? j->box_name : "");
}

/* ---- the table ---- */

static const struct binding bindings[] = {
	{{'j', KEYCODE(KEY_DOWN)}, "j/k", "move down / up", V_ALL, IN_HINTS, -1, k_down},
	{{'k', KEYCODE(KEY_UP)}, "", "", V_ALL, 0, -1, k_up},
	{{KEYCODE(KEY_NPAGE), CTRL_KEY('f'), ' '}, "PgDn", "page down", V_ALL, 0, -1, k_pgdn},
	{{KEYCODE(KEY_PPAGE), CTRL_KEY('b')}, "PgUp", "page up", V_ALL, 0, -1, k_pgup},
	{{'g', KEYCODE(KEY_HOME)}, "g/G", "first / last", V_ALL, 0, -1, k_home},
	{{'G', KEYCODE(KEY_END)}, "", "", V_ALL, 0, -1, k_end},
	{{'\r', '\n', KEYCODE(KEY_ENTER)},
	 "Enter",
	 "box detail",
	 V_BOXES,
	 IN_HINTS | NEEDS_BOX,
	 -1,
	 k_enter},
	{{KEY_ESC, KEYCODE(KEY_BACKSPACE)}, "Esc", "back / clear the filter", V_ALL, 0, -1, k_back},
	{{'1', '2', '3', '4'}, "1-5", "Boxes, Detail, Images, Jobs, Events", V_ALL, 0, -1, k_view},
	{{'5'}, "", "", V_ALL, 0, -1, k_view},
	{{'\t'}, "Tab", "next view (Shift-Tab previous)", V_ALL, 0, -1, k_next_view},
	{{KEYCODE(KEY_BTAB)}, "", "", V_ALL, 0, -1, k_prev_view},
	{{'/'},
	 "/",
	 "filter: text, status:running, image:x, label:k=v, !neg",
	 V_BOX,
	 IN_HINTS,
	 -1,
	 k_filter},
	{{'>'}, "</>", "sort by the next / previous column", V_BOX, IN_HINTS, -1, k_sort_next},
	{{'<'}, "", "", V_BOX, 0, -1, k_sort_prev},
	{{'r'}, "r", "reverse the sort", V_BOX, 0, -1, k_reverse},
	{{'S'},
	 "S",
	 "snapshot the box",
	 V_BOX,
	 IN_HINTS | NEEDS_BOX | MUTATES,
	 CAP_SNAPSHOTS,
	 k_snapshot},
	{{'R'},
	 "R",
	 "restore a snapshot",
	 V_BOX,
	 IN_HINTS | NEEDS_BOX | MUTATES,
	 CAP_SNAPSHOTS,
	 k_restore},
	{{'d'},
	 "d",
	 "delete a snapshot",
	 V_BOX,
	 NEEDS_BOX | MUTATES,
	 CAP_SNAPSHOTS,
	 k_delete_snapshot},
	{{'c'}, "c", "clone the box", V_BOX, IN_HINTS | NEEDS_BOX | MUTATES, CAP_CLONE, k_clone},
	{{'e'},
	 "e",
	 "export to a .boxlite file",
	 V_BOX,
	 IN_HINTS | NEEDS_BOX | MUTATES,
	 CAP_EXPORT,
	 k_export},
	{{'i'}, "i", "import a .boxlite file", V_ALL, IN_HINTS | MUTATES, CAP_IMPORT, k_import},
	{{'s'},
	 "s",
	 "start / stop the box",
	 V_BOX,
	 IN_HINTS | NEEDS_BOX | MUTATES,
	 -1,
	 k_start_stop},
	{{'D'}, "D", "delete the box", V_BOX, NEEDS_BOX | MUTATES, -1, k_delete_box},
	{{'D'}, "D", "delete the image", V_IMAGES, IN_HINTS | MUTATES, -1, k_delete_image},
	{{'x'}, "x", "cancel the job", V_JOBS, IN_HINTS | MUTATES, -1, k_cancel_job},
	{{'t'}, "t", "retry the job", V_JOBS, IN_HINTS | MUTATES, -1, k_retry_job},
	{{'p'}, "p", "pause / resume updates", V_ALL, 0, -1, k_pause},
	{{CTRL_KEY('l')}, "^L", "redraw the screen", V_ALL, 0, -1, k_redraw},
	{{CTRL_KEY('r'), KEYCODE(KEY_F(5))},
	 "^R",
	 "ask again now (in Detail, the box's snapshots too)",
	 V_ALL,
	 0,
	 -1,
	 k_look},
	{{'?', KEYCODE(KEY_F(1))}, "?", "help", V_ALL, IN_HINTS | ALWAYS, -1, k_help},
	{{'q', KEYCODE(KEY_F(10))}, "q", "quit", V_ALL, IN_HINTS | ALWAYS, -1, k_quit},
};
size_t keys_table(const struct binding **rows)
{
	*rows = bindings;
	return ARRAY_LEN(bindings);
}

/* Why b cannot run now, or NULL when it can. */
static const char *refusal(struct ui *ui, const struct binding *b, char *buf, size_t size)
{
	struct net_error err;

	if ((b->flags & MUTATES) && ui->opts->readonly)
		return "read-only mode (--readonly)";
	if ((b->flags & NEEDS_BOX) && ui_selected_box(ui) == NULL)
		return "no box selected";
	if (b->cap >= 0 &&
	    api_require(store_view_config(&ui->view), (enum capability)b->cap, &err) < 0) {
		snprintf(buf, size, "%.200s", err.message);
		return buf;
	}
	return NULL;
}

static const struct binding *find(int key, enum view_id view)
{
	for (size_t i = 0; i < ARRAY_LEN(bindings); i++)
		for (int k = 0; k < 4 && bindings[i].keys[k] != 0; k++)
			if (bindings[i].keys[k] == key && (bindings[i].views & (1u << view)))
				return &bindings[i];
	return NULL;
}

void keys_handle(struct ui *ui, int key)
{
	const struct binding *b;
	char why[256];
	const char *no;

	if (ui->filtering) {
		filter_key(ui, key);
		return;
	}
	if (key >= '1' && key <= '5') {
		ui_show(ui, (enum view_id)(key - '1'));
		return;
	}
	b = find(key, ui->current);
	if (b == NULL)
		return;
	no = refusal(ui, b, why, sizeof(why));
	if (no != NULL) {
		ui_flash(ui, true, "%s: %s", b->help, no);
		return;
	}
	b->fn(ui, b);
}

void keys_mouse(struct ui *ui, int y, int x, int button)
{
	if (ui->modal.kind != MODAL_NONE)
		return;
	if (button == 4 || button == 5) {
		nav(ui, button == 4 ? -3 : 3, false);
		return;
	}
	if (y == 2) {
		int tab = draw_tab_at(x);

		if (tab >= 0)
			ui_show(ui, (enum view_id)tab);
		return;
	}
	if (y < 3 || y >= 3 + getmaxy(ui->body))
		return;
	if (ui->current == VIEW_BOXES) {
		boxes_click(ui, y - 3, x);
		if (button == 2 && y > 3)
			ui_show(ui, VIEW_DETAIL);
	} else {
		lists_click(ui, y - 3);
	}
}

/* "S snapshot": the label and the first word of the help, for the hint bar. */
static int hint_text(const struct binding *b, char *buf, size_t size)
{
	int len = snprintf(buf, size, "%s %s", b->label, b->help);

	if (len > 18) /* the hint bar has room for the first words only */
		len = snprintf(buf, size, "%s %.*s", b->label, (int)strcspn(b->help, " /:"),
			       b->help);
	return len;
}

static void draw_hint(struct ui *ui, WINDOW *w, int y, int x, const struct binding *b)
{
	char hint[64], why[256];
	int len = hint_text(b, hint, sizeof(hint));
	bool off = refusal(ui, b, why, sizeof(why)) != NULL;

	draw_text(w, y, x, hint, len, ui->attr[C_HEADER] | (off ? A_DIM : A_BOLD));
}

/*
 * The hint bar: the rows marked for it, in table order, as many as fit;
 * the ALWAYS ones (help, quit) are kept at the right end whatever the width.
 */
void keys_hints(struct ui *ui, WINDOW *w, int y, int width)
{
	char hint[64];
	int x = 0, right = width;

	wattrset(w, ui->attr[C_HEADER]);
	mvwhline(w, y, 0, ' ', width);
	for (size_t i = ARRAY_LEN(bindings); i-- > 0;) {
		const struct binding *b = &bindings[i];
		int len = hint_text(b, hint, sizeof(hint));

		if ((b->flags & ALWAYS) && (b->views & (1u << ui->current)) &&
		    right - len - 1 >= 0) {
			right -= len + 2;
			draw_hint(ui, w, y, right + 1, b);
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(bindings); i++) {
		const struct binding *b = &bindings[i];
		int len = hint_text(b, hint, sizeof(hint));

		if (!(b->flags & IN_HINTS) || (b->flags & ALWAYS) ||
		    !(b->views & (1u << ui->current)))
			continue;
		if (x + len + 1 > right)
			break;
		draw_hint(ui, w, y, x, b);
		x += len + 2;
	}
}

size_t keys_help_lines(struct ui *ui, char ***lines)
{
	size_t n = 0;
	char why[256];

	*lines = xcalloc(ARRAY_LEN(bindings), sizeof(char *));
	for (size_t i = 0; i < ARRAY_LEN(bindings); i++) {
		const struct binding *b = &bindings[i];
		const char *no;

		if (b->label[0] == '\0')
			continue;
		no = refusal(ui, b, why, sizeof(why));
		(*lines)[n++] = xasprintf("%-6s %s%s%s", b->label, b->help,
					  no != NULL && (b->flags & (MUTATES)) ? "  [off: " : "",
					  no != NULL && (b->flags & (MUTATES)) ? no : "");
		if (no != NULL && (b->flags & MUTATES)) {
			char *t = xasprintf("%s]", (*lines)[n - 1]);

			free((*lines)[n - 1]);
			(*lines)[n - 1] = t;
		}
	}
	return n;
}
