/*
 * fleet: a flat array of model boxes, each with its metrics and snapshots.
 * Seeding draws from one splitmix64 stream, so a seed always gives the same
 * fleet (ids, names, images, labels, statuses, creation times, starting
 * metrics); only updated_at after an action uses the clock.
 *
 * Metrics evolve without a thread of their own: whoever reads them first
 * advances every running box by one tick per whole second (monotonic clock)
 * since the last read, capped at a minute's worth, so CPU walks, memory
 * drifts and the counters only grow, at any polling rate.
 *
 * Page tokens are opaque to clients: 16 hex digits holding the sequence
 * number of the last box returned (boxes are numbered as they are added and
 * the array stays in that order) and a check word mixed from it, the seed
 * and the filter, so a token made up, truncated or reused with another
 * filter is refused instead of silently paging from somewhere else. Paging
 * by "after this box" rather than by offset means a box deleted between two
 * pages never makes the next page skip one.
 */
#include "fleet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/encode.h"
#include "model/xalloc.h"
#include "model/timeutil.h"
#include "fleet_impl.h"
#include "ftree.h"

/* 2026-11-01T00:00:00Z: seeded boxes are created in the weeks before it. */
#define FLEET_EPOCH 1793491200LL
#define FLEET_SPAN  (21LL * 86400)

static const char *const demo_names[] = {
	"web-1",       "web-2",        "web-3",      "api-gateway", "auth-svc",      "billing",
	"ml-train-1",  "ml-train-2",   "ml-train-3", "notebook",    "postgres-main", "pg-replica",
	"redis-cache", "queue-worker", "cron",       "ci-runner-1", "ci-runner-2",   "docs-preview",
	"search",      "metrics-agg",  "ingest",     "sandbox-7",   "scratch",       "etl-nightly",
};
static const char *const images[] = {
	"alpine:3.20",  "python:3.12-slim", "node:22-alpine",
	"ubuntu:24.04", "postgres:16",      "ghcr.io/acme/worker:1.4.2",
};
static const char *const teams[] = {"platform", "data", "web", "ml", "infra"};
static const char *const envs[] = {"prod", "staging", "dev"};

/* A ULID: 10 Crockford base32 digits of milliseconds, 16 of randomness. */
static char *make_ulid(uint64_t *s, int64_t created_at)
{
	static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint64_t ms = (uint64_t)created_at * 1000u + rng_below(s, 1000);
	char id[27];

	for (int i = 9; i >= 0; i--, ms >>= 5)
		id[i] = digits[ms & 31u];
	for (int i = 10; i < 26; i++)
		id[i] = digits[rng_below(s, 32)];
	id[26] = '\0';
	return xstrdup(id);
}

static enum box_status seed_status(uint64_t *s)
{
	static const enum box_status mix[] = {
		BOX_RUNNING, BOX_RUNNING, BOX_RUNNING, BOX_RUNNING, BOX_RUNNING, BOX_RUNNING,
		BOX_RUNNING, BOX_STOPPED, BOX_STOPPED, BOX_PAUSED,  BOX_FAILED,  BOX_CONFIGURED,
	};
	return mix[rng_below(s, ARRAY_LEN(mix))];
}

static void seed_labels(uint64_t *s, struct box *b)
{
	b->n_labels = 2;
	b->labels = xcalloc(2, sizeof(*b->labels));
	b->labels[0].key = xstrdup("team");
	b->labels[0].value = xstrdup(teams[rng_below(s, ARRAY_LEN(teams))]);
	b->labels[1].key = xstrdup("env");
	b->labels[1].value = xstrdup(envs[rng_below(s, ARRAY_LEN(envs))]);
}

static void seed_exit(uint64_t *s, struct box *b)
{
	if (b->status == BOX_RUNNING || b->status == BOX_PAUSED) {
		b->pid = (struct opt_i64){OPT_SET, 1000 + (int64_t)rng_below(s, 60000)};
	} else {
		b->pid = (struct opt_i64){OPT_NULL, 0};
		if (b->status == BOX_STOPPED)
			b->exit_code = (struct opt_i64){OPT_SET, 0};
		else if (b->status == BOX_FAILED)
			b->exit_code = (struct opt_i64){OPT_SET, rng_below(s, 2) ? 137 : 1};
	}
}

static void seed_box(uint64_t *s, size_t i, struct box *b)
{
	static const int64_t mems[] = {256, 512, 1024, 2048, 4096, 8192};

	b->created_at = FLEET_EPOCH - FLEET_SPAN + (int64_t)rng_below(s, FLEET_SPAN);
	b->updated_at = b->created_at + (int64_t)rng_below(s, 3600);
	b->id = make_ulid(s, b->created_at);
	if (i < ARRAY_LEN(demo_names))
		b->name = xasprintf("%s", demo_names[i]);
	else
		b->name = xasprintf("%s-%zu", demo_names[i % ARRAY_LEN(demo_names)],
				    i / ARRAY_LEN(demo_names));
	b->status = seed_status(s);
	b->image = xstrdup(images[rng_below(s, ARRAY_LEN(images))]);
	b->cpus = 1 << rng_below(s, 4);
	b->memory_mib = mems[rng_below(s, ARRAY_LEN(mems))];
	seed_labels(s, b);
	b->auto_stop = rng_below(s, 4) == 0 ? 0 : 900;
	b->auto_resume = true;
	b->last_activity_at = (struct opt_i64){OPT_SET, b->updated_at};
	seed_exit(s, b);
}

static struct opt_i64 set_i64(int64_t v)
{
	return (struct opt_i64){OPT_SET, v};
}

void fleet_seed_gauges(uint64_t *s, struct sim_box *x)
{
	struct box_metrics *m = &x->m;
	int64_t mem = x->b.memory_mib * 1024 * 1024;

	if (x->b.status != BOX_RUNNING) {
		m->cpu_percent = (struct opt_f64){OPT_NULL, 0};
		m->memory_bytes = (struct opt_i64){OPT_NULL, 0};
		m->network_tcp_connections = (struct opt_i64){OPT_NULL, 0};
		return;
	}
	m->cpu_percent = (struct opt_f64){OPT_SET, (double)rng_below(s, 800) / 10.0};
	m->memory_bytes = set_i64(mem / 4 + (int64_t)rng_below(s, (uint64_t)mem / 2));
	m->network_tcp_connections = set_i64((int64_t)rng_below(s, 50));
}

static void seed_metrics(uint64_t *s, struct sim_box *x)
{
	struct box_metrics *m = &x->m;

	m->commands_executed_total = set_i64((int64_t)rng_below(s, 5000));
	m->exec_errors_total = set_i64(m->commands_executed_total.v / 50);
	m->bytes_sent_total = set_i64((int64_t)rng_below(s, 1u << 30));
	m->bytes_received_total = set_i64((int64_t)rng_below(s, 1u << 30));
	m->network_bytes_sent = m->bytes_sent_total;
	m->network_bytes_received = m->bytes_received_total;
	m->network_tcp_errors = set_i64((int64_t)rng_below(s, 5));
	m->boot.present = x->b.status != BOX_CONFIGURED;
	m->boot.total_create_ms = set_i64(0);
	for (int i = 0; m->boot.present && i < BOOT_STAGE_COUNT; i++) {
		m->boot.stage_ms[i] = set_i64(5 + (int64_t)rng_below(s, 400));
		m->boot.total_create_ms.v += m->boot.stage_ms[i].v;
	}
	fleet_seed_gauges(s, x);
}

static int64_t tick_ms(const struct fleet *f)
{
	return f->opts != NULL && f->opts->tick_ms != 0 ? f->opts->tick_ms : 1000;
}

static void seed_all_metrics(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		seed_metrics(&f->rng, &f->boxes[i]);
		f->commands += f->boxes[i].m.commands_executed_total.v;
		f->exec_errors += f->boxes[i].m.exec_errors_total.v;
		f->failed += f->boxes[i].b.status == BOX_FAILED;
		f->stopped += f->boxes[i].b.status == BOX_STOPPED;
	}
	f->created = (int64_t)f->n;
	f->last_tick = time_mono_ms();
}

/* One second of a running box: CPU walks, memory drifts, counters only grow. */
static void tick_box(struct fleet *f, struct sim_box *x)
{
	struct box_metrics *m = &x->m;
	int64_t mem_max = x->b.memory_mib * 1024 * 1024;
	double cpu = m->cpu_percent.v + ((double)rng_below(&f->rng, 21) - 10.0) / 2.0;
	int64_t mem = m->memory_bytes.v + ((int64_t)rng_below(&f->rng, 3) - 1) * 1048576;
	int64_t cmds = (int64_t)rng_below(&f->rng, 3);
	int64_t errs = rng_below(&f->rng, 40) == 0;
	int64_t sent = (int64_t)rng_below(&f->rng, 200000);
	int64_t recv = (int64_t)rng_below(&f->rng, 400000);

	m->cpu_percent.v = cpu < 0 ? 0 : cpu > 100 ? 100 : cpu;
	m->memory_bytes.v = mem < mem_max / 8 ? mem_max / 8 : mem > mem_max ? mem_max : mem;
	m->commands_executed_total.v += cmds;
	m->exec_errors_total.v += errs;
	m->bytes_sent_total.v += sent;
	m->bytes_received_total.v += recv;
	m->network_bytes_sent.v += sent;
	m->network_bytes_received.v += recv;
	f->commands += cmds;
	f->exec_errors += errs;
}

/* Advances running boxes by the whole ticks since the last call (at most 60 of them). Lock held. */
static void advance(struct fleet *f)
{
	int64_t now = time_mono_ms();
	int64_t ticks = (now - f->last_tick) / tick_ms(f);

	if (ticks <= 0)
		return;
	f->last_tick += ticks * tick_ms(f);
	if (ticks > 60)
		ticks = 60;
	for (int64_t t = 0; t < ticks; t++)
		for (size_t i = 0; i < f->n; i++)
			if (f->boxes[i].b.status == BOX_RUNNING)
				tick_box(f, &f->boxes[i]);
}

static const char *box_text(struct sim_box *x, size_t *len);

struct fleet *fleet_new(uint64_t seed, size_t n_boxes)
{
	struct fleet *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->lock, NULL);
	pthread_mutex_init(&f->export_lock, NULL);
	f->seed = seed;
	f->rng = seed;
	f->n = n_boxes != 0 ? n_boxes : ARRAY_LEN(demo_names);
	f->boxes = xcalloc(f->n, sizeof(*f->boxes));
	for (size_t i = 0; i < f->n; i++) {
		seed_box(&f->rng, i, &f->boxes[i].b);
		f->boxes[i].seq = ++f->next_seq;
		f->boxes[i].disk.seed = rng_next(&f->rng);
		f->boxes[i].disk.size = 64u << 20;
		f->boxes[i].idle_ms = fleet_now(f);
	}
	seed_all_metrics(f);
	/* Encode every box once now, so even the first list is fast. */
	for (size_t i = 0, len; i < f->n; i++)
		box_text(&f->boxes[i], &len);
	return f;
}

/*
 * A seeded box as the run's options have it: its disk size, its AutoStop
 * deadline (--auto-stop, else boxlite serve's 0: a box serve did not create
 * has no deadline), and in the serve flavor no last_activity_at (serve
 * does not send one).
 */
static void seeded_box(struct fleet *f, struct sim_box *x)
{
	x->disk.size = fleet_disk_size(f);
	if (f->opts->auto_stop_given)
		x->b.auto_stop = f->opts->auto_stop;
	else if (fleet_serve(f))
		x->b.auto_stop = 0;
	if (fleet_serve(f))
		x->b.last_activity_at = (struct opt_i64){OPT_ABSENT, 0};
	free(x->json);
	x->json = NULL;
}

void fleet_set_opts(struct fleet *f, const struct sim_opts *opts)
{
	pthread_mutex_lock(&f->lock);
	f->opts = opts;
	for (size_t i = 0; opts != NULL && i < f->n; i++)
		seeded_box(f, &f->boxes[i]);
	pthread_mutex_unlock(&f->lock);
}

void fleet_set_effects(struct fleet *f, struct effects *e)
{
	pthread_mutex_lock(&f->lock);
	f->effects = e;
	pthread_mutex_unlock(&f->lock);
}

bool fleet_serve(const struct fleet *f)
{
	return f->opts != NULL && f->opts->flavor == FLAVOR_SERVE;
}

/* Called with the fleet's lock held: the log's lock is taken after it, never before. */
void fleet_effect(struct fleet *f, enum effect_kind kind, const struct sim_box *x,
		  const struct effect_cause *cause)
{
	effects_add(f->effects, kind, x->b.id, x->b.name, cause);
}

const char *fleet_state_dir(const struct fleet *f)
{
	return f->opts != NULL && f->opts->state_dir != NULL ? f->opts->state_dir : "/tmp";
}

uint64_t fleet_disk_size(const struct fleet *f)
{
	return f->opts != NULL && f->opts->disk_size != 0 ? f->opts->disk_size : 64u << 20;
}

void fleet_disk_changed(struct sim_box *x)
{
	x->disk_gen++;
	if (x->export_path != NULL)
		unlink(x->export_path);
	free(x->export_path);
	x->export_path = NULL;
}

void fleet_box_clear(struct sim_box *x)
{
	fleet_disk_changed(x);
	free(x->json);
	if (x->disk.file != NULL)
		unlink(x->disk.file);
	free(x->disk.file);
	free(x->dep_box);
	free(x->dep_snap);
	box_clear(&x->b);
	snapset_clear(&x->snaps);
	ftree_free(&x->files);
	memset(x, 0, sizeof(*x));
}

bool fleet_name_taken(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->boxes[i].b.name != NULL && strcmp(f->boxes[i].b.name, name) == 0)
			return true;
	return false;
}

char *fleet_new_id(struct fleet *f)
{
	return make_ulid(&f->rng, time(NULL));
}

struct sim_box *fleet_append(struct fleet *f, struct box *b, const struct sim_disk *disk)
{
	struct sim_box *x;

	f->boxes = xreallocarray(f->boxes, f->n + 1, sizeof(*f->boxes));
	x = &f->boxes[f->n++];
	memset(x, 0, sizeof(*x));
	x->b = *b;
	memset(b, 0, sizeof(*b));
	x->disk = *disk;
	x->seq = ++f->next_seq;
	x->idle_ms = fleet_now(f);
	seed_metrics(&f->rng, x);
	/* A new box has run nothing yet: its counters start at zero. */
	x->m.commands_executed_total = set_i64(0);
	x->m.exec_errors_total = set_i64(0);
	x->m.bytes_sent_total = set_i64(0);
	x->m.bytes_received_total = set_i64(0);
	x->m.network_bytes_sent = set_i64(0);
	x->m.network_bytes_received = set_i64(0);
	x->m.network_tcp_errors = set_i64(0);
	f->created++;
	return x;
}

void fleet_free(struct fleet **f)
{
	if (f == NULL || *f == NULL)
		return;
	for (size_t i = 0; i < (*f)->n; i++)
		fleet_box_clear(&(*f)->boxes[i]);
	free((*f)->boxes);
	pthread_mutex_destroy(&(*f)->export_lock);
	pthread_mutex_destroy(&(*f)->lock);
	free(*f);
	*f = NULL;
}

static uint32_t token_check(const struct fleet *f, uint32_t offset, int filter)
{
	uint64_t s = f->seed ^ ((uint64_t)offset << 8) ^ (uint64_t)(filter + 1);

	return (uint32_t)rng_next(&s);
}

static void token_make(const struct fleet *f, size_t offset, int filter, char *buf, size_t size)
{
	uint32_t off = (uint32_t)offset;

	snprintf(buf, size, "%08" PRIx32 "%08" PRIx32, off ^ 0x5a5a5a5au,
		 token_check(f, off, filter));
}

static int token_read(const struct fleet *f, const char *token, int filter, size_t *offset)
{
	unsigned int off = 0;
	unsigned int check = 0;
	int rc = -1;

	if (strlen(token) != 16 || strspn(token, "0123456789abcdef") != 16)
		goto out;
	if (sscanf(token, "%8x%8x", &off, &check) != 2)
		goto out;
	off ^= 0x5a5a5a5au;
	if (check != token_check(f, off, filter))
		goto out;
	*offset = off;
	rc = 0;
out:
	return rc;
}

/* Copies (shallowly) the page of matching boxes into page; returns the count. */
/* The fields of a box that change after it is made: its cached JSON is stale when they do. */
static bool sig_equal(const struct box *a, const struct box_sig *sig)
{
	return a->status == sig->status && a->updated_at == sig->updated_at &&
	       a->pid.state == sig->pid.state && a->pid.v == sig->pid.v &&
	       a->exit_code.state == sig->exit_code.state && a->exit_code.v == sig->exit_code.v &&
	       a->last_activity_at.state == sig->last_activity_at.state &&
	       a->last_activity_at.v == sig->last_activity_at.v;
}

/*
 * The box as JSON text, cached: encoding 10,000 boxes through cJSON on every
 * list is most of a list's cost, and a box changes far less often than it
 * is listed. Lock held.
 */
static const char *box_text(struct sim_box *x, size_t *len)
{
	cJSON *doc;

	if (x->json == NULL || !sig_equal(&x->b, &x->sig)) {
		free(x->json);
		doc = box_to_json(&x->b);
		x->json = cJSON_PrintUnformatted(doc);
		cJSON_Delete(doc);
		if (x->json == NULL)
			fatal("fleet: out of memory");
		x->json_len = strlen(x->json);
		x->sig = (struct box_sig){.status = x->b.status,
					  .updated_at = x->b.updated_at,
					  .pid = x->b.pid,
					  .exit_code = x->b.exit_code,
					  .last_activity_at = x->b.last_activity_at};
	}
	*len = x->json_len;
	return x->json;
}

struct text {
	char *p;
	size_t n, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->cap - t->n < n + 1) {
		t->cap = (t->n + n + 1) * 2;
		t->p = xrealloc(t->p, t->cap);
	}
	memcpy(t->p + t->n, s, n);
	t->n += n;
	t->p[t->n] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/*
 * Appends the page of matching boxes after sequence number `after` to t as
 * ListBoxesResponse members; sets *more and *last (the last one's number).
 */
static void collect(struct fleet *f, size_t after, size_t page_size, int filter, struct text *t,
		    bool *more, size_t *last)
{
	size_t n = 0;
	size_t len;
	const char *json;

	*more = false;
	text_str(t, "{\"boxes\":[");
	for (size_t i = 0; i < f->n; i++) {
		if (f->boxes[i].seq <= after ||
		    (filter >= 0 && f->boxes[i].b.status != (enum box_status)filter))
			continue;
		if (n == page_size) {
			*more = true;
			break;
		}
		if (n++ != 0)
			text_str(t, ",");
		json = box_text(&f->boxes[i], &len);
		text_add(t, json, len);
		*last = f->boxes[i].seq;
	}
	text_str(t, "]");
}

enum fleet_rc fleet_list(struct fleet *f, const char *token, size_t page_size, bool has_status,
			 enum box_status status, char **out, size_t *len)
{
	int filter = has_status ? (int)status : -1;
	enum fleet_rc rc = FLEET_BAD_TOKEN;
	struct text t = {0};
	size_t after = 0;
	size_t last = 0;
	char next[64];
	bool more;

	pthread_mutex_lock(&f->lock);
	if (token != NULL && token_read(f, token, filter, &after) < 0)
		goto out;
	collect(f, after, page_size, filter, &t, &more, &last);
	if (more) {
		token_make(f, last, filter, next, sizeof(next));
		text_str(&t, ",\"next_page_token\":\"");
		text_str(&t, next);
		text_str(&t, "\"");
	}
	text_str(&t, "}");
	*out = t.p;
	*len = t.n;
	t.p = NULL;
	rc = FLEET_OK;
out:
	pthread_mutex_unlock(&f->lock);
	free(t.p);
	return rc;
}

bool fleet_refuses_running(const struct fleet *f, const struct sim_box *x)
{
	return f->opts != NULL && f->opts->strict_stopped &&
	       (x->b.status == BOX_RUNNING || x->b.status == BOX_PAUSED);
}

enum fleet_rc fleet_with(struct fleet *f, const char *id_or_name, fleet_box_fn fn, void *arg)
{
	enum fleet_rc rc = FLEET_NOT_FOUND;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	if (i < f->n)
		rc = fn(f, &f->boxes[i], arg);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

size_t fleet_find(const struct fleet *f, const char *id_or_name)
{
	size_t n = strlen(id_or_name), found = f->n;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->boxes[i].b.id, id_or_name) == 0)
			return i;
	for (size_t i = 0; i < f->n; i++)
		if (f->boxes[i].b.name != NULL && strcmp(f->boxes[i].b.name, id_or_name) == 0)
			return i;
	/* boxlite serve: a unique id prefix names its box too; an ambiguous one, none */
	for (size_t i = 0; fleet_serve(f) && n != 0 && i < f->n; i++) {
		if (strncmp(f->boxes[i].b.id, id_or_name, n) != 0)
			continue;
		if (found != f->n)
			return f->n;
		found = i;
	}
	return found;
}

bool fleet_image_in_use(struct fleet *f, const char *reference)
{
	bool used = false;

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n && !used; i++)
		used = strcmp(f->boxes[i].b.image, reference) == 0;
	pthread_mutex_unlock(&f->lock);
	return used;
}

enum fleet_rc fleet_get(struct fleet *f, const char *id_or_name, cJSON **out)
{
	enum fleet_rc rc = FLEET_NOT_FOUND;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	if (i < f->n) {
		if (out != NULL)
			*out = box_to_json(&f->boxes[i].b);
		rc = FLEET_OK;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void fleet_remove_at(struct fleet *f, size_t i)
{
	if (f->on_stop != NULL)
		f->on_stop(f->on_stop_arg, f->boxes[i].b.id);
	fleet_box_clear(&f->boxes[i]);
	memmove(&f->boxes[i], &f->boxes[i + 1], (f->n - i - 1) * sizeof(*f->boxes));
	f->n--;
}

enum fleet_rc fleet_delete(struct fleet *f, const char *id_or_name, bool force)
{
	enum fleet_rc rc = FLEET_NOT_FOUND;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	if (i == f->n)
		goto out;
	rc = FLEET_INVALID_STATE;
	if (!force && (f->boxes[i].b.status == BOX_RUNNING || f->boxes[i].b.status == BOX_PAUSED))
		goto out;
	fleet_remove_at(f, i);
	rc = FLEET_OK;
out:
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* A box that runs writes to its disk: a generated disk gets new content. */
static void start_disk(struct fleet *f, struct sim_box *x)
{
	if (x->disk.file == NULL) {
		x->disk.seed = rng_next(&f->rng);
		fleet_disk_changed(x);
	}
}

void fleet_do_start(struct fleet *f, struct sim_box *x)
{
	struct box *b = &x->b;

	if (b->status == BOX_RUNNING)
		return;
	b->status = BOX_RUNNING;
	b->pid = (struct opt_i64){OPT_SET, 1000 + (int64_t)rng_below(&f->rng, 60000)};
	start_disk(f, x);
	b->exit_code = (struct opt_i64){OPT_ABSENT, 0};
	b->updated_at = time(NULL);
	if (!fleet_serve(f))
		b->last_activity_at = (struct opt_i64){OPT_SET, b->updated_at};
}

void fleet_do_stop(struct fleet *f, struct sim_box *x)
{
	struct box *b = &x->b;

	if (b->status != BOX_RUNNING && b->status != BOX_PAUSED && b->status != BOX_STOPPING)
		return;
	b->status = BOX_STOPPED;
	f->stopped++;
	if (f->on_stop != NULL)
		f->on_stop(f->on_stop_arg, b->id);
	b->pid = (struct opt_i64){OPT_NULL, 0};
	/* serve sends an exit code only once the runtime recorded one; a stop records none */
	if (!fleet_serve(f))
		b->exit_code = (struct opt_i64){OPT_SET, 0};
	b->updated_at = time(NULL);
}

static enum fleet_rc act(struct fleet *f, const char *id_or_name,
			 void (*action)(struct fleet *, struct sim_box *), cJSON **out)
{
	enum fleet_rc rc = FLEET_NOT_FOUND;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = fleet_find(f, id_or_name);
	if (i < f->n) {
		action(f, &f->boxes[i]);
		fleet_seed_gauges(&f->rng, &f->boxes[i]);
		*out = box_to_json(&f->boxes[i].b);
		rc = FLEET_OK;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

enum fleet_rc fleet_start(struct fleet *f, const char *id_or_name, cJSON **out)
{
	return act(f, id_or_name, fleet_do_start, out);
}

enum fleet_rc fleet_stop(struct fleet *f, const char *id_or_name, cJSON **out)
{
	return act(f, id_or_name, fleet_do_stop, out);
}

enum fleet_rc fleet_runtime_metrics(struct fleet *f, cJSON **out)
{
	struct runtime_metrics m = {0};
	int64_t running = 0;

	pthread_mutex_lock(&f->lock);
	advance(f);
	for (size_t i = 0; i < f->n; i++)
		running += f->boxes[i].b.status == BOX_RUNNING;
	m.boxes_created_total = set_i64(f->created);
	m.boxes_failed_total = set_i64(f->failed);
	m.boxes_stopped_total = set_i64(f->stopped);
	m.num_running_boxes = set_i64(running);
	m.total_commands_executed = set_i64(f->commands);
	m.total_exec_errors = set_i64(f->exec_errors);
	*out = runtime_metrics_to_json(&m);
	pthread_mutex_unlock(&f->lock);
	return FLEET_OK;
}

enum fleet_rc fleet_box_metrics(struct fleet *f, const char *id_or_name,
				const struct effect_cause *cause, cJSON **out, char *why,
				size_t why_len)
{
	enum fleet_rc rc = FLEET_NOT_FOUND;
	size_t i;

	pthread_mutex_lock(&f->lock);
	advance(f);
	i = fleet_find(f, id_or_name);
	if (i < f->n)
		rc = fleet_scrape(f, &f->boxes[i], cause, why, why_len);
	if (rc == FLEET_OK)
		*out = box_metrics_to_json(&f->boxes[i].m);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* A snapshot call's arguments and results, for fleet_with. */
struct snap_call {
	const char *name;
	cJSON *out;
	char *other; /* delete: what depends on the snapshot */
	size_t other_len;
};

/* The box is not running: a snapshot forks its disk instead of copying it. */
static bool at_rest(const struct sim_box *x)
{
	return x->b.status != BOX_RUNNING && x->b.status != BOX_PAUSED &&
	       x->b.status != BOX_STOPPING;
}

static enum fleet_rc snap_create(struct fleet *f, struct sim_box *x, void *arg)
{
	struct snap_call *c = arg;
	struct snapshot *snap;

	if (snapset_name_problem(c->name, fleet_serve(f)) != NULL)
		return FLEET_BAD_NAME;
	if (snapset_find(&x->snaps, c->name) != NULL)
		return FLEET_EXISTS;
	if (fleet_refuses_running(f, x))
		return FLEET_MUST_STOP;
	snap = snapset_add(&x->snaps, x->b.id, c->name, rng_next(&f->rng), &x->disk, at_rest(x));
	/* the spec requires guest_disk_bytes; boxlite serve does not send it */
	if (fleet_serve(f))
		snap->guest_disk_bytes = (struct opt_i64){OPT_ABSENT, 0};
	c->out = snapshot_to_json(snap);
	return FLEET_OK;
}

static enum fleet_rc snap_list(struct fleet *f, struct sim_box *x, void *arg)
{
	struct snap_call *c = arg;

	c->out = snapset_to_json(&x->snaps, fleet_serve(f));
	return FLEET_OK;
}

static enum fleet_rc snap_get(struct fleet *f, struct sim_box *x, void *arg)
{
	struct snap_call *c = arg;
	const struct snapshot *snap = snapset_find(&x->snaps, c->name);

	(void)f;
	if (snap == NULL)
		return FLEET_NO_SNAPSHOT;
	c->out = snapshot_to_json(snap);
	return FLEET_OK;
}

/* The clone whose base disk holds box x's snapshot with id id, or NULL. */
static const struct sim_box *clone_on(const struct fleet *f, const struct sim_box *x,
				      const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->boxes[i].dep_box != NULL && strcmp(f->boxes[i].dep_box, x->b.id) == 0 &&
		    snapset_chain_has(&x->snaps, f->boxes[i].dep_snap, id))
			return &f->boxes[i];
	return NULL;
}

static enum fleet_rc snap_delete(struct fleet *f, struct sim_box *x, void *arg)
{
	struct snap_call *c = arg;
	const struct snapshot *snap = snapset_find(&x->snaps, c->name);
	const struct sim_box *clone;
	const char *other = NULL;

	if (snap == NULL)
		return FLEET_NO_SNAPSHOT;
	switch (snapset_dependency(&x->snaps, c->name, &other)) {
	case SNAPSET_LIVE:
		return FLEET_IN_USE;
	case SNAPSET_SNAPSHOT:
		snprintf(c->other, c->other_len, "%s", other);
		return FLEET_SNAP_DEPENDS;
	case SNAPSET_FREE:
		break;
	}
	clone = clone_on(f, x, snap->id);
	if (clone != NULL) {
		snprintf(c->other, c->other_len, "base-%s.qcow2", clone->b.id);
		return FLEET_CLONE_DEPENDS;
	}
	snapset_remove(&x->snaps, c->name);
	return FLEET_OK;
}

/* boxlite serve refuses any active box (its runtime's is_active), the spec a running one. */
static bool refuses_restore(const struct fleet *f, const struct sim_box *x)
{
	return fleet_serve(f) ? !at_rest(x) : x->b.status == BOX_RUNNING;
}

static enum fleet_rc snap_restore(struct fleet *f, struct sim_box *x, void *arg)
{
	struct snap_call *c = arg;

	if (snapset_find(&x->snaps, c->name) == NULL)
		return FLEET_NO_SNAPSHOT;
	if (refuses_restore(f, x))
		return FLEET_INVALID_STATE;
	snapset_restore(&x->snaps, c->name, &x->disk.seed);
	fleet_disk_changed(x);
	x->b.updated_at = time(NULL);
	return FLEET_OK;
}

/* Runs fn on the box with a snap_call of name; *out (when wanted) gets its JSON. */
static enum fleet_rc snap_run(struct fleet *f, const char *id_or_name, const char *name,
			      fleet_box_fn fn, cJSON **out)
{
	struct snap_call c = {.name = name};
	enum fleet_rc rc = fleet_with(f, id_or_name, fn, &c);

	if (out != NULL)
		*out = c.out;
	else
		cJSON_Delete(c.out);
	return rc;
}

enum fleet_rc fleet_snapshot_create(struct fleet *f, const char *id_or_name, const char *name,
				    cJSON **out)
{
	return snap_run(f, id_or_name, name, snap_create, out);
}

enum fleet_rc fleet_snapshot_list(struct fleet *f, const char *id_or_name, cJSON **out)
{
	return snap_run(f, id_or_name, NULL, snap_list, out);
}

enum fleet_rc fleet_snapshot_get(struct fleet *f, const char *id_or_name, const char *name,
				 cJSON **out)
{
	return snap_run(f, id_or_name, name, snap_get, out);
}

enum fleet_rc fleet_snapshot_delete(struct fleet *f, const char *id_or_name, const char *name,
				    char *other, size_t other_len)
{
	struct snap_call c = {.name = name, .other = other, .other_len = other_len};

	return fleet_with(f, id_or_name, snap_delete, &c);
}

enum fleet_rc fleet_snapshot_restore(struct fleet *f, const char *id_or_name, const char *name)
{
	return snap_run(f, id_or_name, name, snap_restore, NULL);
}
