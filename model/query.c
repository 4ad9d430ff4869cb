/*
 * query: a query is parsed once per key press into a flat array of terms,
 * each a kind, a negation flag and its text already case-folded, so
 * matching a box is a loop of substring and prefix tests with no
 * allocation. The tokenizer copies each term into one scratch buffer the
 * size of the input, dropping quotes as it goes, and remembers where the
 * first ':' fell if no quote came before it: that is the only place a key
 * can end. Anything unusual becomes free text or an ignored term, never an
 * error, because the user is in the middle of typing it. A status term is
 * turned into a bit set of the statuses whose names it begins.
 *
 * Case folding is ASCII by hand rather than tolower()/strcasecmp(): the TUI
 * sets the locale for ncurses, and a filter must not change meaning under a
 * Turkish one.
 *
 * Sorting is a merge sort over the index array (stable, unlike qsort), with
 * insertion sort for short runs and no merge when two halves are already in
 * order, so re-sorting the already sorted list at every refresh costs n
 * comparisons. Each comparison reads the column of both boxes as a tagged
 * value (missing, integer, real or text), decides missing-last before the
 * direction is applied, and so never needs a key of its own per column.
 */
#include "query.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Runs this short are insertion sorted. */
#define INSERTION_MAX 12

enum term_kind {
	TERM_TEXT,
	TERM_NAME,
	TERM_IMAGE,
	TERM_ID,
	TERM_STATUS,
	TERM_LABEL,
};

struct term {
	enum term_kind kind;
	bool negate;
	char *text;        /* owned; folded to lower case except for labels */
	const char *value; /* TERM_LABEL: the wanted value, inside text, or NULL */
	unsigned statuses; /* TERM_STATUS: bit s set when status s matches */
};

struct query {
	struct term *terms;
	size_t n, cap;
};

/* One term as typed: its text with the quotes taken out. */
struct raw_term {
	char *text;   /* in the scratch buffer */
	bool negate;  /* it began with an unquoted '!' */
	size_t colon; /* offset of the first ':' with no quote before it, or SIZE_MAX */
};

static const struct {
	const char *name;
	enum term_kind kind;
} term_keys[] = {
	{"name", TERM_NAME},     {"image", TERM_IMAGE}, {"id", TERM_ID},
	{"status", TERM_STATUS}, {"label", TERM_LABEL},
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void query_fold(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)ascii_lower((unsigned char)*s);
}

/* Whether s (NULL: no) begins with the folded prefix, ignoring ASCII case. */
static bool has_prefix(const char *s, const char *prefix)
{
	if (s == NULL)
		return false;
	for (; *prefix != '\0'; s++, prefix++)
		if (ascii_lower((unsigned char)*s) != (unsigned char)*prefix)
			return false;
	return true;
}

bool query_contains(const char *hay, const char *needle)
{
	size_t hay_len, needle_len = strlen(needle);

	if (hay == NULL)
		return false;
	hay_len = strlen(hay);
	for (size_t i = 0; i + needle_len <= hay_len; i++)
		if (has_prefix(hay + i, needle))
			return true;
	return false;
}

/*
 * Reads the term that starts at p, after any whitespace, into t, copying
 * its text into buf (room for strlen(p) + 1 bytes). Returns where the next
 * term may start, or NULL when there is none.
 */
static const char *scan_term(const char *p, char *buf, struct raw_term *t)
{
	bool quoted = false, seen_quote = false;
	size_t len = 0;

	while (is_space(*p))
		p++;
	if (*p == '\0')
		return NULL;
	*t = (struct raw_term){.text = buf, .negate = *p == '!', .colon = SIZE_MAX};
	if (t->negate)
		p++;
	for (; *p != '\0' && (quoted || !is_space(*p)); p++) {
		if (*p == '"') {
			quoted = !quoted;
			seen_quote = true;
			continue;
		}
		if (*p == ':' && !seen_quote && t->colon == SIZE_MAX)
			t->colon = len;
		buf[len++] = *p;
	}
	buf[len] = '\0';
	return p;
}

/* The kind named by the text before t's colon; free text when none is. */
static enum term_kind key_kind(const struct raw_term *t)
{
	for (size_t i = 0; t->colon != SIZE_MAX && i < ARRAY_LEN(term_keys); i++) {
		const char *name = term_keys[i].name;
		size_t k = 0;

		while (k < t->colon && ascii_lower((unsigned char)t->text[k]) == name[k])
			k++;
		if (k == t->colon && name[k] == '\0')
			return term_keys[i].kind;
	}
	return TERM_TEXT;
}

/* Splits a label term at its '='. False when it has no key yet. */
static bool finish_label(struct term *t)
{
	char *eq = strchr(t->text, '=');

	if (eq != NULL) {
		*eq = '\0';
		if (eq[1] != '\0')
			t->value = eq + 1;
	}
	return t->text[0] != '\0';
}

static void finish_status(struct term *t)
{
	for (int s = 0; s < BOX_STATUS_COUNT; s++)
		if (has_prefix(box_status_name((enum box_status)s), t->text))
			t->statuses |= 1u << s;
}

/* Completes t from its text. False when the term is still being typed. */
static bool finish_term(struct term *t)
{
	if (t->kind == TERM_LABEL)
		return finish_label(t);
	query_fold(t->text);
	if (t->kind == TERM_STATUS)
		finish_status(t);
	return true;
}

static void push_term(struct query *q, const struct term *t)
{
	if (q->n == q->cap) {
		q->cap = q->cap > 0 ? 2 * q->cap : 4;
		q->terms = xreallocarray(q->terms, q->cap, sizeof(*q->terms));
	}
	q->terms[q->n++] = *t;
}

/* Adds the term raw to q, unless it is still being typed. */
static void add_term(struct query *q, const struct raw_term *raw)
{
	struct term t = {.kind = key_kind(raw), .negate = raw->negate};
	const char *arg = t.kind == TERM_TEXT ? raw->text : raw->text + raw->colon + 1;

	if (*arg == '\0')
		return;
	t.text = xstrdup(arg);
	if (finish_term(&t))
		push_term(q, &t);
	else
		free(t.text);
}

struct query *query_parse(const char *text)
{
	struct query *q = xcalloc(1, sizeof(*q));
	const char *p = text != NULL ? text : "";
	char *buf = xmalloc(strlen(p) + 1);
	struct raw_term raw;

	while ((p = scan_term(p, buf, &raw)) != NULL)
		add_term(q, &raw);
	free(buf);
	return q;
}

void query_free(struct query **q)
{
	if (q == NULL || *q == NULL)
		return;
	for (size_t i = 0; i < (*q)->n; i++)
		free((*q)->terms[i].text);
	free((*q)->terms);
	free(*q);
	*q = NULL;
}

static bool label_match(const struct term *t, const struct box *b)
{
	const char *v = box_label(b, t->text);

	return v != NULL && (t->value == NULL || strcmp(v, t->value) == 0);
}

/* s, or BOX_UNKNOWN when s is out of range. */
static enum box_status known_status(enum box_status s)
{
	return (unsigned)s < BOX_STATUS_COUNT ? s : BOX_UNKNOWN;
}

/* Whether b matches t, negation left aside. */
static bool term_match(const struct term *t, const struct box *b)
{
	switch (t->kind) {
	case TERM_TEXT:
		return query_contains(b->name, t->text) || query_contains(b->id, t->text) ||
		       query_contains(b->image, t->text);
	case TERM_NAME:
		return query_contains(box_display_name(b), t->text);
	case TERM_IMAGE:
		return query_contains(b->image, t->text);
	case TERM_ID:
		return has_prefix(b->id, t->text);
	case TERM_STATUS:
		return (t->statuses & 1u << known_status(b->status)) != 0;
	case TERM_LABEL:
		return label_match(t, b);
	}
	return false;
}

bool query_match(const struct query *q, const struct box *b)
{
	for (size_t i = 0; q != NULL && i < q->n; i++)
		if (term_match(&q->terms[i], b) == q->terms[i].negate)
			return false;
	return true;
}

size_t query_filter(const struct query *q, const struct box *boxes, size_t n, size_t *out_idx)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (query_match(q, &boxes[i]))
			out_idx[count++] = i;
	return count;
}

/* Sorting */

enum val_type {
	VAL_MISSING,
	VAL_INT,
	VAL_REAL,
	VAL_TEXT,    /* case-insensitive, byte by byte */
	VAL_NATURAL, /* case-insensitive, digit runs as numbers */
};

/* One box's value in the column being sorted. */
struct sort_val {
	enum val_type type;
	int64_t i;
	double d;
	const char *s;
};

struct sort_ctx {
	const struct box *boxes;
	const struct sort_metrics *metrics;
	enum sort_key key;
	bool descending;
};

static const char *const key_names[SORT_KEY_COUNT] = {
	[SORT_NAME] = "name",       [SORT_ID] = "id",           [SORT_STATUS] = "status",
	[SORT_IMAGE] = "image",     [SORT_CPUS] = "cpus",       [SORT_MEMORY] = "memory",
	[SORT_CREATED] = "created", [SORT_UPDATED] = "updated", [SORT_ACTIVITY] = "activity",
	[SORT_LABELS] = "labels",   [SORT_CPU_PERCENT] = "cpu", [SORT_MEMORY_USED] = "mem",
	[SORT_RX_RATE] = "rx",      [SORT_TX_RATE] = "tx",
};

static const struct {
	const char *name;
	enum sort_key key;
} key_aliases[] = {
	{"box_id", SORT_ID},
	{"memory_mib", SORT_MEMORY},
	{"created_at", SORT_CREATED},
	{"updated_at", SORT_UPDATED},
	{"last_activity_at", SORT_ACTIVITY},
	{"cpu_percent", SORT_CPU_PERCENT},
	{"memory_bytes", SORT_MEMORY_USED},
	{"rx_rate", SORT_RX_RATE},
	{"tx_rate", SORT_TX_RATE},
};

/* Rank of each status in sort order: the most alive first. */
static const int status_rank[BOX_STATUS_COUNT] = {
	[BOX_RUNNING] = 0, [BOX_PAUSED] = 1, [BOX_STOPPING] = 2, [BOX_CONFIGURED] = 3,
	[BOX_STOPPED] = 4, [BOX_FAILED] = 5, [BOX_UNKNOWN] = 6,
};

static struct sort_val int_val(int64_t v)
{
	return (struct sort_val){.type = VAL_INT, .i = v};
}

static struct sort_val opt_int_val(struct opt_i64 o)
{
	return opt_i64_has(o) ? int_val(o.v) : (struct sort_val){.type = VAL_MISSING};
}

static struct sort_val real_val(struct opt_f64 o)
{
	if (!opt_f64_has(o) || !isfinite(o.v))
		return (struct sort_val){.type = VAL_MISSING};
	return (struct sort_val){.type = VAL_REAL, .d = o.v};
}

static struct sort_val text_val(const char *s, enum val_type type)
{
	return (struct sort_val){.type = s != NULL ? type : VAL_MISSING, .s = s};
}

static struct sort_val metric_val(const struct sort_metrics *m, enum sort_key key)
{
	if (m == NULL)
		return (struct sort_val){.type = VAL_MISSING};
	switch (key) {
	case SORT_CPU_PERCENT:
		return real_val(m->cpu_percent);
	case SORT_MEMORY_USED:
		return opt_int_val(m->memory_bytes);
	case SORT_RX_RATE:
		return real_val(m->rx_rate);
	default:
		return real_val(m->tx_rate);
	}
}

/* The value of box i in the column being sorted. */
static struct sort_val value_of(const struct sort_ctx *c, size_t i)
{
	const struct box *b = &c->boxes[i];

	switch (c->key) {
	case SORT_NAME:
		return text_val(box_display_name(b), VAL_NATURAL);
	case SORT_ID:
		return text_val(b->id, VAL_TEXT);
	case SORT_STATUS:
		return int_val(status_rank[known_status(b->status)]);
	case SORT_IMAGE:
		return text_val(b->image, VAL_NATURAL);
	case SORT_CPUS:
		return int_val(b->cpus);
	case SORT_MEMORY:
		return int_val(b->memory_mib);
	case SORT_CREATED:
		return int_val(b->created_at);
	case SORT_UPDATED:
		return int_val(b->updated_at);
	case SORT_ACTIVITY:
		return opt_int_val(b->last_activity_at);
	case SORT_LABELS:
		return int_val((int64_t)b->n_labels);
	default:
		return metric_val(c->metrics != NULL ? &c->metrics[i] : NULL, c->key);
	}
}

static int fold_cmp(const char *a, const char *b)
{
	int ca, cb;

	do {
		ca = ascii_lower((unsigned char)*a++);
		cb = ascii_lower((unsigned char)*b++);
	} while (ca == cb && ca != '\0');
	return (ca > cb) - (ca < cb);
}

/* Compares the digit runs at *a and *b as numbers and steps past them. */
static int digits_cmp(const char **a, const char **b)
{
	size_t la = 0, lb = 0;
	int r;

	while (**a == '0')
		(*a)++;
	while (**b == '0')
		(*b)++;
	while (is_digit((*a)[la]))
		la++;
	while (is_digit((*b)[lb]))
		lb++;
	r = la != lb ? (la > lb) - (la < lb) : memcmp(*a, *b, la);
	*a += la;
	*b += lb;
	return (r > 0) - (r < 0);
}

static int natural_cmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		int ca, cb;

		if (is_digit(*a) && is_digit(*b)) {
			int r = digits_cmp(&a, &b);

			if (r != 0)
				return r;
			continue;
		}
		ca = ascii_lower((unsigned char)*a++);
		cb = ascii_lower((unsigned char)*b++);
		if (ca != cb)
			return (ca > cb) - (ca < cb);
	}
	return (*a != '\0') - (*b != '\0');
}

/* Two present values of the same column, ascending. */
static int val_cmp(const struct sort_val *a, const struct sort_val *b)
{
	switch (a->type) {
	case VAL_INT:
		return (a->i > b->i) - (a->i < b->i);
	case VAL_REAL:
		return (a->d > b->d) - (a->d < b->d);
	case VAL_TEXT:
		return fold_cmp(a->s, b->s);
	case VAL_NATURAL:
		return natural_cmp(a->s, b->s);
	case VAL_MISSING:
		break;
	}
	return 0;
}

/* Box a against box b in the sort's order: missing values last either way. */
static int compare(const struct sort_ctx *c, size_t a, size_t b)
{
	struct sort_val va = value_of(c, a), vb = value_of(c, b);
	int r;

	if (va.type == VAL_MISSING || vb.type == VAL_MISSING)
		return (va.type == VAL_MISSING) - (vb.type == VAL_MISSING);
	r = val_cmp(&va, &vb);
	return c->descending ? -r : r;
}

static void insertion_sort(const struct sort_ctx *c, size_t *idx, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		size_t v = idx[i], j = i;

		for (; j > 0 && compare(c, idx[j - 1], v) > 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
}

/* Merges the sorted idx[0, mid) and idx[mid, n) through tmp; ties go left. */
static void merge(const struct sort_ctx *c, size_t *idx, size_t *tmp, size_t mid, size_t n)
{
	size_t i = 0, j = mid, k = 0;

	while (i < mid && j < n)
		tmp[k++] = compare(c, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
	while (i < mid)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

static void merge_sort(const struct sort_ctx *c, size_t *idx, size_t *tmp, size_t n)
{
	size_t mid = n / 2;

	if (n <= INSERTION_MAX) {
		insertion_sort(c, idx, n);
		return;
	}
	merge_sort(c, idx, tmp, mid);
	merge_sort(c, idx + mid, tmp, n - mid);
	if (compare(c, idx[mid - 1], idx[mid]) > 0)
		merge(c, idx, tmp, mid, n);
}

void query_sort(const struct box *boxes, const struct sort_metrics *metrics, size_t *idx, size_t n,
		enum sort_key key, bool descending)
{
	struct sort_ctx c = {boxes, metrics, key, descending};
	size_t *tmp;

	if (n < 2 || (unsigned)key >= SORT_KEY_COUNT)
		return;
	if (key >= SORT_CPU_PERCENT && metrics == NULL)
		return;
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	merge_sort(&c, idx, tmp, n);
	free(tmp);
}

const char *query_sort_key_name(enum sort_key key)
{
	if ((unsigned)key >= SORT_KEY_COUNT)
		return "unknown";
	return key_names[key];
}

/* The key named name or aliased by it, or -1. */
static int find_key(const char *name)
{
	for (int k = 0; k < SORT_KEY_COUNT; k++)
		if (fold_cmp(name, key_names[k]) == 0)
			return k;
	for (size_t i = 0; i < ARRAY_LEN(key_aliases); i++)
		if (fold_cmp(name, key_aliases[i].name) == 0)
			return (int)key_aliases[i].key;
	return -1;
}

int query_sort_key_parse(const char *name, enum sort_key *out)
{
	int k = name != NULL ? find_key(name) : -1;

	if (k < 0)
		return -1;
	*out = (enum sort_key)k;
	return 0;
}
