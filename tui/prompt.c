/*
 * prompt: the modal boxes: a line to type (shell-like editing, Tab completes
 * file names), a confirmation (Cancel unless the user says yes, or types the
 * name), a pick from a list, the help overlay and the quit question. A
 * modal takes every key until it is answered or dismissed; its callback
 * runs after it is closed, so the callback may open the next one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "model/xalloc.h"
#include "ui.h"

static void modal_free(struct modal *m);

static void open_modal(struct ui *ui, enum modal_kind kind, const char *title, modal_fn done)
{
	modal_free(&ui->modal);
	ui->react |= REDRAW_ALL;
	ui->modal.kind = kind;
	ui->modal.title = xstrdup(title);
	ui->modal.done = done;
}

void modal_prompt(struct ui *ui, const char *title, const char *initial, bool paths, modal_fn done)
{
	open_modal(ui, MODAL_PROMPT, title, done);
	ui->modal.completes_paths = paths;
	lineedit_init(&ui->modal.edit, initial, 4096);
}

void modal_confirm(struct ui *ui, const char *title, const char *message, const char *must_type,
		   modal_fn done)
{
	open_modal(ui, MODAL_CONFIRM, title, done);
	ui->modal.message = xstrdup(message);
	ui->modal.must_type = xstrdup(must_type);
	lineedit_init(&ui->modal.edit, NULL, 4096);
	if (must_type != NULL)
		ui->modal.hint = xasprintf("type %s and Enter to confirm; Esc cancels", must_type);
}

void modal_pick(struct ui *ui, const char *title, char **items, size_t n, modal_fn done)
{
	open_modal(ui, MODAL_PICK, title, done);
	ui->modal.items = items;
	ui->modal.n_items = n;
}

static void modal_free(struct modal *m)
{
	free(m->title);
	free(m->message);
	free(m->must_type);
	free(m->hint);
	for (size_t i = 0; i < m->n_items; i++)
		free(m->items[i]);
	free(m->items);
	lineedit_clear(&m->edit);
	*m = (struct modal){0};
}

void modal_close(struct ui *ui)
{
	modal_free(&ui->modal);
	ui->react |= REDRAW_ALL;
}

/* Esc (or n): the modal is closed unanswered, and the action it asked for is dropped. */
static void dismiss(struct ui *ui)
{
	enum modal_kind k = ui->modal.kind;

	modal_close(ui);
	if (k == MODAL_PROMPT || k == MODAL_CONFIRM || k == MODAL_PICK)
		flow_forget(ui);
}

bool prompt_edit_key(struct lineedit *le, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	switch (key) {
	case KEYCODE(KEY_LEFT):
		return lineedit_left(le);
	case KEYCODE(KEY_RIGHT):
		return lineedit_right(le);
	case KEYCODE(KEY_HOME):
	case CTRL_KEY('a'):
		return lineedit_home(le);
	case KEYCODE(KEY_END):
	case CTRL_KEY('e'):
		return lineedit_end(le);
	case KEYCODE(KEY_BACKSPACE):
	case 127:
	case CTRL_KEY('h'):
		return lineedit_backspace(le);
	case KEYCODE(KEY_DC):
	case CTRL_KEY('d'):
		return lineedit_delete(le);
	case CTRL_KEY('u'):
		return lineedit_kill_start(le);
	case CTRL_KEY('k'):
		return lineedit_kill_end(le);
	case CTRL_KEY('w'):
		return lineedit_kill_word(le);
	default:
		break;
	}
	if ((key & KEY_FLAG) || key < 0x20 || key == 0x7f || key > 0x10ffff)
		return false;
	memset(&st, 0, sizeof(st));
	n = wcrtomb(mb, (wchar_t)key, &st); /* the locale's encoding: UTF-8 or refused */
	return n != (size_t)-1 && lineedit_insert(le, mb, n) == LINEEDIT_OK;
}

/* Tab in a path prompt: completes, or lists what could follow. */
static void complete(struct ui *ui)
{
	struct lineedit_matches mt = {0};
	enum lineedit_complete rc = lineedit_complete_path(&ui->modal.edit, &mt);
	size_t used = 0, cap = 256;
	char *list;

	free(ui->modal.hint);
	ui->modal.hint = NULL;
	if (rc == LINEEDIT_COMPLETE_NONE)
		ui->modal.hint = xstrdup("no file matches");
	else if (rc == LINEEDIT_COMPLETE_ERROR)
		ui->modal.hint = xasprintf("cannot list the directory: %s", strerror(mt.error));
	if (rc != LINEEDIT_COMPLETE_LIST) {
		lineedit_matches_clear(&mt);
		return;
	}
	list = xmalloc(cap);
	list[0] = '\0';
	for (size_t i = 0; i < mt.n && used + strlen(mt.names[i]) + 3 < cap; i++)
		used += (size_t)snprintf(list + used, cap - used, "%s  ", mt.names[i]);
	ui->modal.hint = xasprintf("%zu matches: %s", mt.total, list);
	free(list);
	lineedit_matches_clear(&mt);
}

/* Closes the modal, then runs its callback, which may open the next one. */
static void answer(struct ui *ui, const char *text, int choice)
{
	struct modal m = ui->modal;
	char *copy = xstrdup(text != NULL ? text : ""); /* text may point into m */

	ui->modal = (struct modal){0};
	if (m.done != NULL)
		m.done(ui, &m, copy, choice);
	free(copy);
	modal_free(&m);
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEYCODE(KEY_ENTER);
}

static void confirm_key(struct ui *ui, int key)
{
	struct modal *m = &ui->modal;

	if (m->must_type == NULL) {
		if (key == 'y' || key == 'Y')
			answer(ui, NULL, 'y');
		else if (key == 'n' || key == 'N' || key == KEY_ESC || is_enter(key))
			dismiss(ui);
		return;
	}
	if (key == KEY_ESC) {
		dismiss(ui);
	} else if (is_enter(key)) {
		if (strcmp(lineedit_text(&m->edit), m->must_type) == 0)
			answer(ui, m->must_type, 'y');
		else {
			free(m->hint);
			m->hint =
				xasprintf("that is not %s: type it exactly, or Esc", m->must_type);
		}
	} else {
		prompt_edit_key(&m->edit, key);
	}
}

static void pick_key(struct ui *ui, int key)
{
	struct modal *m = &ui->modal;

	if ((key == 'j' || key == KEYCODE(KEY_DOWN)) && m->sel + 1 < m->n_items)
		m->sel++;
	else if ((key == 'k' || key == KEYCODE(KEY_UP)) && m->sel > 0)
		m->sel--;
	else if (key == KEY_ESC || key == 'q')
		dismiss(ui);
	else if (is_enter(key) && m->n_items > 0)
		answer(ui, m->items[m->sel], (int)m->sel);
}

unsigned modal_key(struct ui *ui, int key)
{
	struct modal *m = &ui->modal;

	switch (m->kind) {
	case MODAL_HELP:
		modal_close(ui);
		break;
	case MODAL_QUIT:
		if (key == 'w' || key == 'c')
			answer(ui, NULL, key);
		else if (key == KEY_ESC || key == 'q')
			modal_close(ui);
		break;
	case MODAL_CONFIRM:
		confirm_key(ui, key);
		break;
	case MODAL_PICK:
		pick_key(ui, key);
		break;
	case MODAL_PROMPT:
		if (key == KEY_ESC)
			dismiss(ui);
		else if (is_enter(key))
			answer(ui, lineedit_text(&m->edit), 0);
		else if (key == '\t' && m->completes_paths)
			complete(ui);
		else
			prompt_edit_key(&m->edit, key);
		break;
	default:
		modal_close(ui);
		break;
	}
	/* the box is drawn over every window: any change redraws them all */
	return REDRAW_ALL;
}
