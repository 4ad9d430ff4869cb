/*
 * batch: see batch.h. A refresh is fetch, then write: every request has
 * ended before the first byte goes out, so a refresh that a signal cuts
 * short while fetching prints nothing. The frame is written through stdio
 * as it is produced (JSON box by box), not rendered whole in memory first:
 * at 10,000 boxes that copy was tens of MiB. So a refresh reaches stdout
 * whole unless writing itself fails or a signal interrupts it (then the run
 * ends there); a closed pipe (EPIPE) is seen at one place, the fflush that
 * ends the refresh. Rates come from model/history's counter arithmetic:
 * each running box keeps its last network counters from one refresh to the
 * next (a "trail", sorted by id), so the rates are the dashboard's. Signals
 * only set a flag, which is also the cancel flag of every request; the wait
 * between refreshes is a pselect that is the only place SIGINT and SIGTERM
 * are unblocked while the flag is not being looked at, so a signal is never
 * missed and never waits for the interval to end.
 */
#include "batch.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "model/encode.h"
#include "model/format.h"
#include "model/history.h"
#include "model/query.h"
#include "model/sanitize.h"
#include "model/timeutil.h"
#include "model/xalloc.h"
#include "net/batchfetch.h"
#include "table.h"

#define BATCH_CELL_COLS   120  /* a longer cell is cut, marked with "…" */
#define BATCH_PARALLEL    8    /* box metrics requests in flight, as the poller */
#define BATCH_INTERVAL_MS 2000 /* -d's default */

/* ---- the table ---- */

/* The columns printed, in order: the dashboard's, less the graph and the labels. */
static const enum col_id cols[] = {COL_NAME, COL_ID,      COL_STATUS, COL_IMAGE, COL_CPUS, COL_MEM,
				   COL_CPU,  COL_MEMUSED, COL_RX,     COL_TX,    COL_AGE};
char *batch_cell(const char *s)
{
	return sanitize_dup(s != NULL && s[0] != '\0' ? s : "-", BATCH_CELL_COLS);
}

/* Server text made safe for a terminal; "-" for none. */
static char *safe(const char *s)
{
	return sanitize_dup(s != NULL && s[0] != '\0' ? s : "-", SANITIZE_NO_LIMIT);
}

/* One row's cells, made safe for a terminal. */
static void box_cells(struct table *t, size_t r, const struct box *b, const struct column_live *l,
		      int64_t now)
{
	char buf[1024];

	for (size_t c = 0; c < ARRAY_LEN(cols); c++) {
		/* the word alone: a plain-text status is for grep and awk */
		if (cols[c] == COL_STATUS)
			snprintf(buf, sizeof(buf), "%s", box_status_name(b->status));
		else
			column_text(cols[c], b, l, now, GLYPH_ASCII, buf, sizeof(buf));
		/* one long name must not make every row thousands of columns wide */
		table_set(t, r, c, batch_cell(buf));
	}
}

static void table_build(struct table *t, const struct batch_frame *f, enum glyph_align *align)
{
	table_init(t, f->n_shown + 1, ARRAY_LEN(cols), align);
	for (size_t c = 0; c < ARRAY_LEN(cols); c++) {
		align[c] = column_at(cols[c])->align;
		table_set(t, 0, c, xstrdup(column_at(cols[c])->title));
	}
	for (size_t r = 1; r < t->rows; r++) {
		size_t i = f->shown[r - 1];

		box_cells(t, r, &f->boxes[i], f->live != NULL ? &f->live[i] : NULL, f->now);
	}
}

/* ---- the header block ---- */

static void write_runtime(FILE *out, const struct runtime_metrics *m)
{
	const struct {
		const char *what;
		struct opt_i64 v;
	} parts[] = {
		{"created", m->boxes_created_total},
		{"stopped", m->boxes_stopped_total},
		{"failed", m->boxes_failed_total},
		{"running", m->num_running_boxes},
		{"commands", m->total_commands_executed},
		{"exec errors", m->total_exec_errors},
		{"image disks evicted", m->image_disks_evicted_total},
	};
	const char *sep = " ";
	char buf[FMT_BUF];

	fputs("runtime:", out);
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		if (!opt_i64_has(parts[i].v))
			continue;
		fprintf(out, "%s%" PRId64 " %s", sep, parts[i].v.v, parts[i].what);
		sep = ", ";
	}
	if (opt_i64_has(m->image_disk_bytes_reclaimed_total)) {
		fprintf(out, "%s%s reclaimed", sep,
			fmt_bytes(m->image_disk_bytes_reclaimed_total.v, buf, sizeof(buf)));
		sep = ", ";
	}
	fputs(sep[0] == ' ' ? " -\n" : "\n", out);
}

static void write_header(FILE *out, const struct batch_frame *f)
{
	char when[FMT_BUF];
	char *url = safe(f->url);
	char *prefix = safe(f->prefix != NULL && f->prefix[0] != '\0' ? f->prefix : "none");
	size_t running = 0;

	for (size_t i = 0; i < f->n_boxes; i++)
		running += f->boxes[i].status == BOX_RUNNING;
	fprintf(out, "boxtop  %s UTC  %s  prefix: %s\n",
		fmt_timestamp(f->now, true, when, sizeof(when)), url, prefix);
	fprintf(out, "boxes: %zu running, %zu total", running, f->n_boxes);
	if (f->filter != NULL) {
		char *q = safe(f->filter);

		fprintf(out, "; %zu match \"%s\"", f->n_shown, q);
		free(q);
	}
	fputc('\n', out);
	if (f->runtime != NULL)
		write_runtime(out, f->runtime);
	else
		fputs("runtime: unavailable\n", out);
	free(url);
	free(prefix);
}

void batch_write_text(FILE *out, const struct batch_frame *f)
{
	struct table t = {0};
	enum glyph_align align[ARRAY_LEN(cols)];

	write_header(out, f);
	fputc('\n', out);
	table_build(&t, f, align);
	table_write(out, &t);
	table_free(&t);
}

/* ---- the JSON document ---- */

/* cJSON failing to allocate is out of memory, fatal like every other allocation. */
static void put(cJSON *obj, const char *name, cJSON *value)
{
	if (value == NULL || !cJSON_AddItemToObject(obj, name, value))
		fatal("batch: out of memory");
}

static cJSON *new_object(void)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		fatal("batch: out of memory");
	return o;
}

/* Rounded to 0.1 B/s: whole bytes over a refresh interval; more digits would be noise. */
static cJSON *rate_json(struct opt_f64 r)
{
	return opt_f64_has(r) ? cJSON_CreateNumber(round(r.v * 10) / 10) : cJSON_CreateNull();
}

static cJSON *shown_box_json(const struct box *b, const struct column_live *l)
{
	cJSON *o = box_to_json(b);
	cJSON *rates;

	if (l == NULL || !l->has_metrics)
		return o;
	put(o, "metrics", box_metrics_to_json(&l->m));
	rates = new_object();
	put(rates, "rx_bytes_per_sec", rate_json(l->rx_rate));
	put(rates, "tx_bytes_per_sec", rate_json(l->tx_rate));
	put(o, "rates", rates);
	return o;
}

static cJSON *header_json(const struct batch_frame *f)
{
	cJSON *doc = new_object();
	cJSON *endpoint = new_object();
	cJSON *conn = new_object();
	char when[32];

	put(doc, "time", cJSON_CreateString(time_format_rfc3339(f->now, when, sizeof(when))));
	put(endpoint, "url", cJSON_CreateString(f->url != NULL ? f->url : ""));
	put(endpoint, "prefix",
	    f->prefix != NULL && f->prefix[0] != '\0' ? cJSON_CreateString(f->prefix)
						      : cJSON_CreateNull());
	put(doc, "endpoint", endpoint);
	put(conn, "status", cJSON_CreateString(f->problem == NULL ? "connected" : "degraded"));
	if (f->problem != NULL)
		put(conn, "message", cJSON_CreateString(f->problem));
	put(doc, "connection", conn);
	return doc;
}

/* Prints item as cJSON does, less its last cut bytes, to out; then frees it. */
static void print_item(FILE *out, cJSON *item, size_t cut)
{
	char *text = cJSON_PrintUnformatted(item);

	if (text == NULL)
		fatal("batch: out of memory");
	fwrite(text, 1, strlen(text) - cut, out);
	cJSON_free(text);
	cJSON_Delete(item);
}

/*
 * The header object less its closing brace, then "boxes" one box at a time:
 * the bytes cJSON would print for the whole document, without ever holding
 * a tree of every box (at 10,000 boxes that tree and its text were most of
 * the memory).
 */
void batch_write_json(FILE *out, const struct batch_frame *f)
{
	cJSON *head = header_json(f);

	put(head, "runtime",
	    f->runtime != NULL ? runtime_metrics_to_json(f->runtime) : cJSON_CreateNull());
	print_item(out, head, 1);
	fputs(",\"boxes\":[", out);
	for (size_t k = 0; k < f->n_shown; k++) {
		size_t i = f->shown[k];

		fputs(k == 0 ? "" : ",", out);
		print_item(out, shown_box_json(&f->boxes[i], f->live != NULL ? &f->live[i] : NULL),
			   0);
	}
	fputs("]}\n", out);
}

/* ---- signals and time ---- */

static atomic_bool stop_flag; /* also the cancel flag of every request */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	atomic_store(&stop_flag, true);
}

struct saved_signals {
	struct sigaction int_sa, term_sa;
};

static void signals_install(struct saved_signals *saved)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	atomic_store(&stop_flag, false);
	sigaction(SIGINT, &sa, &saved->int_sa);
	sigaction(SIGTERM, &sa, &saved->term_sa);
}

static void signals_restore(const struct saved_signals *saved)
{
	sigaction(SIGINT, &saved->int_sa, NULL);
	sigaction(SIGTERM, &saved->term_sa, NULL);
}

/*
 * Sleeps until deadline (monotonic ms) or a signal. The signals stay blocked
 * except inside pselect, so one that comes just before it is not lost.
 */
static void nap_until(int64_t deadline)
{
	sigset_t stops, old, wait_mask;
	int64_t left;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	wait_mask = old;
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	while (!atomic_load(&stop_flag) && (left = deadline - time_mono_ms()) > 0) {
		struct timespec ts = {.tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000};

		pselect(0, NULL, NULL, NULL, &ts, &wait_mask);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- fetching ---- */

/*
 * A running box's last network counters, kept from one refresh to the next
 * for its rates: the counters alone, not a whole metric_history (2 KiB a
 * box, 12 MiB at 10,000 boxes), since batch output shows no graph.
 */
struct trail {
	char *id;
	struct history_counter rx, tx;
};

struct batch {
	const struct opts *o;
	const struct settings *s;
	struct api *api; /* NULL until connected (prefix discovery done) */
	struct http_batch *http;
	struct query *query;
	struct trail *trails; /* sorted by id */
	size_t n_trails;
	bool printed; /* a text frame is out: the next starts with a blank line */
};

char *batch_describe(const struct settings *s, const struct net_error *err)
{
	const char *why = err->message;
	char *line, *clean;

	if (err->kind == NET_TRANSPORT) {
		/* http says "GET URL: why"; the server's URL says more than one request's. */
		const char *sp = strchr(why, ' ');
		const char *colon = sp != NULL ? strstr(sp, ": ") : NULL;

		line = xasprintf("cannot reach %s: %s", s->url, colon != NULL ? colon + 2 : why);
	} else {
		line = xasprintf("%s: %s", s->url, why);
	}
	clean = sanitize_dup(line, SANITIZE_NO_LIMIT);
	free(line);
	return clean;
}

static void say(const char *what)
{
	fprintf(stderr, "boxtop: %s\n", what);
}

static int trail_cmp(const void *a, const void *b)
{
	return strcmp(((const struct trail *)a)->id, ((const struct trail *)b)->id);
}

static const struct trail *trail_find(const struct batch *bt, const char *id)
{
	struct trail key = {.id = (char *)(uintptr_t)id};

	if (bt->n_trails == 0)
		return NULL;
	return bsearch(&key, bt->trails, bt->n_trails, sizeof(key), trail_cmp);
}

static void trails_free(struct trail *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].id);
	free(t);
}

static struct opt_f64 rate(struct history_counter *c, struct opt_i64 now, int64_t now_ms)
{
	double v = 0;

	if (!history_counter_rate(c, now, now_ms, &v))
		return (struct opt_f64){OPT_ABSENT, 0};
	return (struct opt_f64){OPT_SET, v};
}

/*
 * Records this refresh's readings of the n boxes ids (box index at[k],
 * metrics m[k] when got[k]) in live and in new trails, which replace the
 * old: a box no longer running is forgotten.
 */
static void note_readings(struct batch *bt, const char *const *ids, const size_t *at, size_t n,
			  const struct box_metrics *m, const bool *got, struct column_live *live)
{
	struct trail *next = xcalloc(n + 1, sizeof(*next));
	int64_t now = time_mono_ms();

	for (size_t k = 0; k < n; k++) {
		const struct trail *old = trail_find(bt, ids[k]);
		struct column_live *l = &live[at[k]];

		next[k].id = xstrdup(ids[k]);
		if (old != NULL) {
			next[k].rx = old->rx;
			next[k].tx = old->tx;
		}
		/* m[k] is zeroed when !got[k]: absent counters, a gap */
		l->has_metrics = got[k];
		l->m = m[k];
		l->rx_rate = rate(&next[k].rx, m[k].network_bytes_received, now);
		l->tx_rate = rate(&next[k].tx, m[k].network_bytes_sent, now);
	}
	qsort(next, n, sizeof(*next), trail_cmp);
	trails_free(bt->trails, bt->n_trails);
	bt->trails = next;
	bt->n_trails = n;
}

/* The metrics of the shown running boxes into live; a failure is described in *problem. */
static void fetch_live(struct batch *bt, const struct box_list *l, const size_t *shown,
		       size_t n_shown, struct column_live *live, char **problem)
{
	const char **ids = xcalloc(n_shown + 1, sizeof(*ids));
	size_t *at = xcalloc(n_shown + 1, sizeof(*at));
	struct box_metrics *m;
	bool *got;
	struct net_error err;
	size_t n = 0, failed;

	for (size_t k = 0; k < n_shown; k++) {
		if (l->items[shown[k]].status != BOX_RUNNING)
			continue;
		at[n] = shown[k];
		ids[n++] = l->items[shown[k]].id;
	}
	m = xcalloc(n + 1, sizeof(*m));
	got = xcalloc(n + 1, sizeof(*got));
	failed = batchfetch_box_metrics(bt->api, bt->http, ids, n, &stop_flag, m, got, &err);
	note_readings(bt, ids, at, n, m, got, live);
	if (failed != 0) {
		char *why = batch_describe(bt->s, &err);

		*problem =
			xasprintf("metrics of %zu box%s: %s", failed, failed == 1 ? "" : "es", why);
		free(why);
	}
	free(ids);
	free(at);
	free(m);
	free(got);
}

/* Connects (once: prefix discovery) and reads the box list. */
static int fetch_boxes(struct batch *bt, struct box_list **out, struct net_error *err)
{
	if (bt->api == NULL)
		bt->api = settings_connect(bt->s, &stop_flag, NULL, err);
	if (bt->api == NULL)
		return -1;
	return api_boxes(bt->api, NULL, &stop_flag, out, err);
}

/* ---- one refresh ---- */

enum outcome {
	REFRESH_OK,
	REFRESH_FAILED, /* said on stderr; the loop goes on */
	REFRESH_STOP,   /* a signal, or stdout closed: end the loop */
	REFRESH_BROKEN, /* stdout cannot be written: end the loop, status 1 */
};

/* Writes f as o asks to stdout; stdio's buffer is the only copy of it. */
static enum outcome emit(struct batch *bt, const struct batch_frame *f)
{
	bool ok;
	int e;

	if (bt->o->json) {
		batch_write_json(stdout, f);
	} else {
		fputs(bt->printed ? "\n" : "", stdout);
		batch_write_text(stdout, f);
	}
	/* errno is the last failed write's: every write after a first failure fails alike */
	ok = fflush(stdout) == 0 && !ferror(stdout);
	e = errno;
	if (ok) {
		bt->printed = true;
		return REFRESH_OK;
	}
	/* a signal while writing (EINTR) ends the run: the loop turns it into 128+N */
	if (e == EPIPE || atomic_load(&stop_flag))
		return REFRESH_STOP;
	fprintf(stderr, "boxtop: cannot write the output: %s\n", strerror(e));
	return REFRESH_BROKEN;
}

/* "runtime metrics: WHY; metrics of N boxes: WHY", or NULL when both are NULL. Caller frees. */
static char *join_problems(const char *runtime, const char *metrics)
{
	if (runtime == NULL && metrics == NULL)
		return NULL;
	if (metrics == NULL)
		return xasprintf("runtime metrics: %s", runtime);
	if (runtime == NULL)
		return xstrdup(metrics);
	return xasprintf("runtime metrics: %s; %s", runtime, metrics);
}

/* The frame of list l, with what else came; then written. */
static enum outcome show(struct batch *bt, const struct box_list *l)
{
	struct column_live *live = xcalloc(l->n + 1, sizeof(*live));
	size_t *shown = xcalloc(l->n + 1, sizeof(*shown));
	struct runtime_metrics rm = {0};
	struct net_error err;
	char *rm_problem = NULL, *m_problem = NULL, *problem;
	struct batch_frame f = {.now = time(NULL), .url = bt->s->url, .filter = bt->o->filter};
	enum outcome r = REFRESH_STOP;

	f.n_shown = query_filter(bt->query, l->items, l->n, shown);
	query_sort(l->items, NULL, shown, f.n_shown, SORT_NAME, false);
	if (api_runtime_metrics(bt->api, &stop_flag, &rm, &err) < 0)
		rm_problem = batch_describe(bt->s, &err);
	fetch_live(bt, l, shown, f.n_shown, live, &m_problem);
	problem = join_problems(rm_problem, m_problem);
	f.prefix = api_prefix(bt->api);
	f.problem = problem;
	f.runtime = rm_problem == NULL ? &rm : NULL;
	f.boxes = l->items;
	f.live = live;
	f.n_boxes = l->n;
	f.shown = shown;
	/* A signal while fetching: what came may be cut short, so none of it is shown. */
	if (!atomic_load(&stop_flag))
		r = emit(bt, &f);
	if (r == REFRESH_OK && problem != NULL) {
		say(problem);
		r = REFRESH_FAILED;
	}
	free(rm_problem);
	free(m_problem);
	free(problem);
	free(shown);
	free(live);
	return r;
}

static enum outcome refresh(struct batch *bt)
{
	struct box_list *l = NULL;
	struct net_error err;
	enum outcome r;

	if (fetch_boxes(bt, &l, &err) < 0) {
		char *why;

		if (atomic_load(&stop_flag))
			return REFRESH_STOP;
		why = batch_describe(bt->s, &err);
		say(why);
		free(why);
		return REFRESH_FAILED;
	}
	r = show(bt, l);
	box_list_free(&l);
	return r;
}

/* ---- the loop ---- */

/* -n, else forever for text and one document for --json. */
static long iterations(const struct opts *o)
{
	if (o->iterations != 0)
		return o->iterations;
	return o->json ? 1 : 0;
}

static int loop(struct batch *bt)
{
	long n = iterations(bt->o);
	unsigned interval = bt->o->interval_ms != 0 ? bt->o->interval_ms : BATCH_INTERVAL_MS;
	bool failed = false;
	enum outcome r = REFRESH_OK;

	for (long i = 0; (n == 0 || i < n) && r != REFRESH_STOP && r != REFRESH_BROKEN; i++) {
		int64_t start = time_mono_ms();

		r = refresh(bt);
		failed = failed || r == REFRESH_FAILED;
		if ((n == 0 || i + 1 < n) && r != REFRESH_STOP && r != REFRESH_BROKEN)
			nap_until(start + interval);
		if (atomic_load(&stop_flag))
			r = REFRESH_STOP;
	}
	if (stop_signal != 0)
		return 128 + stop_signal;
	return failed || r == REFRESH_BROKEN ? 1 : 0;
}

int batch_run(const struct opts *o, const struct settings *s)
{
	struct http_conf conf = settings_http_conf(s);
	struct batch bt = {.o = o, .s = s};
	struct saved_signals saved;
	int rc;

	signals_install(&saved);
	bt.query = query_parse(o->filter);
	bt.http = http_batch_new(&conf, BATCH_PARALLEL);
	rc = loop(&bt);
	http_batch_free(&bt.http);
	api_free(&bt.api);
	query_free(&bt.query);
	trails_free(bt.trails, bt.n_trails);
	signals_restore(&saved);
	return rc;
}
