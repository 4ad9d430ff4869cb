/*
 * fleet_life: what a box's lifecycle does on its own, as boxlite serve's
 * mainline code has it (serve/mod.rs): the AutoStop idle clock, the sweep,
 * and what a metrics read does to a box that is not running.
 *
 * The idle clock is stamped by use (fleet_touch; server.c decides which
 * requests are use, by serve's activity_box_id rule) and read by the sweep,
 * which runs every --tick from a thread of its own (main.c). A box's clock
 * starts when it is added; upstream seeds one at the first sweep that sees
 * the box, at most a sweep interval later. Every flavor keeps the clock and
 * the sweep, with the box's own auto_stop and auto_delete; only serve boots
 * a box for a metrics read. Each function takes the fleet's lock.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet_impl.h"
#include "model/encode.h"
#include "model/timeutil.h"

/* "Stopped", as serve's {status:?} writes a BoxStatus. */
static void status_word(enum box_status s, char *buf, size_t size)
{
	snprintf(buf, size, "%s", box_status_name(s));
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

enum fleet_rc fleet_scrape(struct fleet *f, struct sim_box *x, const struct effect_cause *cause,
			   char *why, size_t why_len)
{
	char word[32];

	if (!fleet_serve(f) || x->b.status == BOX_RUNNING)
		return FLEET_OK;
	/* get_box_for_metrics: a box the sweep would stop again is not woken */
	if (x->b.auto_stop > 0) {
		status_word(x->b.status, word, sizeof(word));
		snprintf(why, why_len,
			 "box %s is %s and AutoStop is enabled; a metrics scrape does not start a "
			 "box, start it explicitly first",
			 x->b.id, word);
		return FLEET_CONFLICT;
	}
	/* LiteBox::metrics() boots a box that is not up: the historical boot-on-scrape */
	if (x->b.status == BOX_PAUSED || x->b.status == BOX_STOPPING)
		return FLEET_OK;
	fleet_do_start(f, x);
	fleet_seed_gauges(&f->rng, x);
	fleet_effect(f, EFFECT_BOOT, x, cause);
	return FLEET_OK;
}

static enum fleet_rc touch(struct fleet *f, struct sim_box *x, void *arg)
{
	x->idle_ms = fleet_now(f);
	/* the spec's Box carries the clock; serve's does not */
	if (!fleet_serve(f))
		x->b.last_activity_at = (struct opt_i64){OPT_SET, time(NULL)};
	fleet_effect(f, EFFECT_STAMP, x, arg);
	return FLEET_OK;
}

void fleet_touch(struct fleet *f, const char *id_or_name, const struct effect_cause *cause)
{
	fleet_with(f, id_or_name, touch, (void *)(uintptr_t)cause);
}

/* decide_lifecycle: stopped when idle for the whole window. */
static bool due_stop(const struct sim_box *x, int64_t now_ms)
{
	return x->b.status == BOX_RUNNING && x->b.auto_stop > 0 &&
	       now_ms - x->idle_ms >= x->b.auto_stop * 1000;
}

/* ... removed when at rest (stopped or failed) since its last change for the whole window. */
static bool due_delete(const struct sim_box *x, int64_t now)
{
	return (x->b.status == BOX_STOPPED || x->b.status == BOX_FAILED) && x->b.auto_delete > 0 &&
	       now - x->b.updated_at >= x->b.auto_delete;
}

int64_t fleet_now(const struct fleet *f)
{
	return f->clock != NULL ? f->clock() : time_mono_ms();
}

void fleet_set_clock(struct fleet *f, int64_t (*clock)(void))
{
	pthread_mutex_lock(&f->lock);
	f->clock = clock;
	pthread_mutex_unlock(&f->lock);
}

size_t fleet_sweep(struct fleet *f, int64_t now_ms)
{
	size_t changed = 0;

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n; i++) {
		if (!due_stop(&f->boxes[i], now_ms))
			continue;
		fleet_do_stop(f, &f->boxes[i]);
		fleet_seed_gauges(&f->rng, &f->boxes[i]);
		fleet_effect(f, EFFECT_AUTOSTOP, &f->boxes[i], NULL);
		changed++;
	}
	for (size_t i = f->n; i-- > 0;) {
		if (!due_delete(&f->boxes[i], time(NULL)))
			continue;
		fleet_effect(f, EFFECT_AUTODELETE, &f->boxes[i], NULL);
		fleet_remove_at(f, i);
		changed++;
	}
	pthread_mutex_unlock(&f->lock);
	return changed;
}

struct deadlines {
	int64_t auto_stop, auto_delete;
	cJSON *out;
};

static enum fleet_rc set_deadlines(struct fleet *f, struct sim_box *x, void *arg)
{
	struct deadlines *d = arg;

	if (d->auto_stop >= 0)
		x->b.auto_stop = d->auto_stop;
	if (d->auto_delete >= 0)
		x->b.auto_delete = d->auto_delete;
	x->idle_ms = fleet_now(f); /* the new deadline counts from now */
	free(x->json);             /* the cached JSON does not know these fields */
	x->json = NULL;
	d->out = box_to_json(&x->b);
	return FLEET_OK;
}

enum fleet_rc fleet_set_lifecycle(struct fleet *f, const char *id_or_name, int64_t auto_stop,
				  int64_t auto_delete, cJSON **out)
{
	struct deadlines d = {.auto_stop = auto_stop, .auto_delete = auto_delete};
	enum fleet_rc rc = fleet_with(f, id_or_name, set_deadlines, &d);

	*out = d.out;
	return rc;
}

void fleet_set_stop_hook(struct fleet *f, fleet_stop_hook fn, void *arg)
{
	pthread_mutex_lock(&f->lock);
	f->on_stop = fn;
	f->on_stop_arg = arg;
	pthread_mutex_unlock(&f->lock);
}

uint64_t fleet_seed(struct fleet *f)
{
	uint64_t s;

	pthread_mutex_lock(&f->lock);
	s = f->seed;
	pthread_mutex_unlock(&f->lock);
	return s;
}

struct use {
	bool boot, counts;
	const struct effect_cause *cause;
	char *id;
	size_t id_len;
};

/* get_or_resume_box: a stopped box boots for an exec when auto_resume allows. */
static enum fleet_rc use_box(struct fleet *f, struct sim_box *x, void *arg)
{
	struct use *u = arg;

	snprintf(u->id, u->id_len, "%s", x->b.id);
	if (x->b.status != BOX_RUNNING) {
		if (!u->boot || !x->b.auto_resume ||
		    (x->b.status != BOX_STOPPED && x->b.status != BOX_CONFIGURED))
			return FLEET_INVALID_STATE;
		fleet_do_start(f, x);
		fleet_seed_gauges(&f->rng, x);
		fleet_effect(f, EFFECT_RESUME, x, u->cause);
	}
	if (u->counts && x->m.commands_executed_total.state == OPT_SET) {
		x->m.commands_executed_total.v++;
		f->commands++;
	}
	return FLEET_OK;
}

enum fleet_rc fleet_use_box(struct fleet *f, const char *id_or_name, bool boot, bool counts,
			    const struct effect_cause *cause, char *id, size_t id_len)
{
	struct use u = {.boot = boot, .counts = counts, .cause = cause, .id = id, .id_len = id_len};

	return fleet_with(f, id_or_name, use_box, &u);
}
