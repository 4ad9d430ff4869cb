/*
 * view: the table of views, in tab order, and the dispatch every caller
 * goes through. A new view is one row here (its number key is its place).
 */
#include <string.h>

#include "model/xalloc.h"
#include "ui.h"

static const struct view_class *const classes[] = {
	&view_boxes, &view_detail, &view_images, &view_jobs, &view_events, &view_logs,
};

_Static_assert(ARRAY_LEN(classes) <= VIEW_MAX, "a number key for every view");

size_t view_count(void)
{
	return ARRAY_LEN(classes);
}

const struct view_class *view_class_at(size_t i)
{
	return i < ARRAY_LEN(classes) ? classes[i] : NULL;
}

static size_t index_of(const struct view_class *c)
{
	for (size_t i = 0; i < ARRAY_LEN(classes); i++)
		if (classes[i] == c)
			return i;
	fatal("view %s is not in the table", c->name);
}

struct view *ui_view(struct ui *ui, const struct view_class *c)
{
	return &ui->views[index_of(c)];
}

void *ui_view_state(struct ui *ui, const struct view_class *c)
{
	return ui_view(ui, c)->state;
}

struct view *ui_current(struct ui *ui)
{
	return &ui->views[ui->current];
}

bool ui_showing(struct ui *ui, const struct view_class *c)
{
	return classes[ui->current] == c;
}

unsigned ui_show_at(struct ui *ui, size_t i)
{
	struct view *v;

	if (i >= ARRAY_LEN(classes))
		return 0;
	if (i == ui->current)
		return 0;
	v = &ui->views[ui->current];
	if (v->cls->leave != NULL)
		v->cls->leave(ui, v);
	ui->current = i;
	v = &ui->views[i];
	return REDRAW_ALL | (v->cls->enter != NULL ? v->cls->enter(ui, v) : 0);
}

unsigned ui_show(struct ui *ui, const struct view_class *c)
{
	return ui_show_at(ui, index_of(c));
}

const struct box *ui_box(struct ui *ui)
{
	struct view *v = ui_current(ui);

	return v->cls->selected_box != NULL ? v->cls->selected_box(ui, v) : NULL;
}

const struct image_info *ui_image(struct ui *ui)
{
	struct view *v = ui_current(ui);

	return v->cls->selected_image != NULL ? v->cls->selected_image(ui, v) : NULL;
}

int views_create(struct ui *ui, char *err, size_t errlen)
{
	for (size_t i = 0; i < ARRAY_LEN(classes); i++) {
		ui->views[i].cls = classes[i];
		if (classes[i]->create == NULL)
			continue;
		ui->views[i].state = classes[i]->create(ui, err, errlen);
		if (ui->views[i].state == NULL)
			return -1;
	}
	return 0;
}

void views_destroy(struct ui *ui)
{
	for (size_t i = 0; i < ARRAY_LEN(classes); i++) {
		if (ui->views[i].cls != NULL && ui->views[i].cls->destroy != NULL)
			ui->views[i].cls->destroy(ui->views[i].state);
		ui->views[i] = (struct view){0};
	}
}

unsigned views_update(struct ui *ui, unsigned changed)
{
	/* the header shows counts and the connection; the hints what the server allows */
	unsigned react = changed != 0 ? REDRAW_HEAD | REDRAW_FOOT : 0;

	for (size_t i = 0; i < ARRAY_LEN(classes); i++) {
		struct view *v = &ui->views[i];
		unsigned r = v->cls->update != NULL ? v->cls->update(ui, v, changed) : 0;

		/* a view not shown changed nothing on screen but its own rows */
		react |= i == ui->current ? r : (r & ~(unsigned)REDRAW_BODY);
	}
	return react;
}
