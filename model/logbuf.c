/*
 * logbuf: see logbuf.h. A line is styled when it ends: its raw bytes are
 * cut at each SGR sequence, each piece goes through sanitize_display (which
 * turns any other escape sequence into one U+FFFD) and becomes a run in the
 * style the sequences before it set. The style carries over to the next
 * line of the same stream, as on a terminal.
 */
#include "logbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sanitize.h"
#include "xalloc.h"

void logbuf_init(struct logbuf *lb, size_t max_lines, size_t max_bytes)
{
	memset(lb, 0, sizeof(*lb));
	lb->max_lines = max_lines > 0 ? max_lines : 1;
	lb->max_bytes = max_bytes > 0 ? max_bytes : 1;
	lb->ring = xcalloc(lb->max_lines, sizeof(*lb->ring));
}

static size_t line_bytes(const struct log_line *l)
{
	return sizeof(*l) + l->len + 1 + l->n_runs * sizeof(*l->runs);
}

static void line_free(struct log_line *l)
{
	free(l->text);
	free(l->runs);
	memset(l, 0, sizeof(*l));
}

static void drop_oldest(struct logbuf *lb)
{
	struct log_line *l = &lb->ring[lb->head];

	lb->bytes -= line_bytes(l);
	line_free(l);
	lb->head = (lb->head + 1) % lb->max_lines;
	lb->n--;
	lb->first++;
}

void logbuf_clear(struct logbuf *lb)
{
	while (lb->n > 0)
		drop_oldest(lb);
	free(lb->ring);
	for (int s = 0; s < 3; s++)
		free(lb->partial[s]);
	memset(lb, 0, sizeof(*lb));
}

/* ---- styling a line ---- */

/* A 256-colour index as one of ours: the 16 basic ones kept, the rest left default. */
static uint8_t colour256(long n)
{
	return n >= 0 && n < 16 ? (uint8_t)(n + 1) : 0;
}

/*
 * Applies the parameters of one SGR sequence to st. Extended colours
 * (38/48;5;n and 38/48;2;r;g;b) consume their arguments.
 */
static void apply_sgr(struct log_style *st, const char *p, size_t n)
{
	long v[32];
	size_t nv = 0;
	const char *end = p + n;

	while (nv < 32) {
		char *stop;

		v[nv++] = p < end && isdigit((unsigned char)*p) ? strtol(p, &stop, 10) : 0;
		if (p < end && isdigit((unsigned char)*p))
			p = stop;
		if (p >= end)
			break;
		p++; /* ';' or ':' */
	}
	for (size_t i = 0; i < nv; i++) {
		long c = v[i];

		if (c == 0)
			*st = (struct log_style){0};
		else if (c == 1)
			st->attr |= LOG_BOLD;
		else if (c == 2)
			st->attr |= LOG_DIM;
		else if (c == 3)
			st->attr |= LOG_ITALIC;
		else if (c == 4)
			st->attr |= LOG_UNDERLINE;
		else if (c == 7)
			st->attr |= LOG_REVERSE;
		else if (c == 22)
			st->attr &= (uint8_t) ~(LOG_BOLD | LOG_DIM);
		else if (c == 23)
			st->attr &= (uint8_t)~LOG_ITALIC;
		else if (c == 24)
			st->attr &= (uint8_t)~LOG_UNDERLINE;
		else if (c == 27)
			st->attr &= (uint8_t)~LOG_REVERSE;
		else if (c >= 30 && c <= 37)
			st->fg = (uint8_t)(c - 30 + 1);
		else if (c == 39)
			st->fg = 0;
		else if (c >= 40 && c <= 47)
			st->bg = (uint8_t)(c - 40 + 1);
		else if (c == 49)
			st->bg = 0;
		else if (c >= 90 && c <= 97)
			st->fg = (uint8_t)(c - 90 + 9);
		else if (c >= 100 && c <= 107)
			st->bg = (uint8_t)(c - 100 + 9);
		else if ((c == 38 || c == 48) && i + 2 < nv && v[i + 1] == 5) {
			*(c == 38 ? &st->fg : &st->bg) = colour256(v[i + 2]);
			i += 2;
		} else if ((c == 38 || c == 48) && i + 4 < nv && v[i + 1] == 2) {
			*(c == 38 ? &st->fg : &st->bg) = 0; /* true colour: the default */
			i += 4;
		}
	}
}

/* The length of an SGR sequence at p (ESC [ params m), or 0 when there is none. */
static size_t sgr_at(const char *p, size_t n)
{
	size_t j = 2;

	if (n < 3 || p[0] != 0x1b || p[1] != '[')
		return 0;
	while (j < n && (isdigit((unsigned char)p[j]) || p[j] == ';' || p[j] == ':'))
		j++;
	return j < n && p[j] == 'm' ? j + 1 : 0;
}

struct styled {
	struct log_line *l;
	size_t cap;
};

/* Appends raw[0..n) sanitized, as one run in style st. */
static void add_piece(struct styled *b, const char *raw, size_t n, struct log_style st)
{
	struct log_line *l = b->l;
	size_t room = n * 3 + 8, got;
	struct log_run *last;

	if (n == 0)
		return;
	while (l->len + room > b->cap)
		l->text = xrealloc(l->text, b->cap *= 2);
	sanitize_display(raw, n, SANITIZE_NO_LIMIT, l->text + l->len, room);
	got = strlen(l->text + l->len);
	if (got == 0)
		return;
	last = l->n_runs > 0 ? &l->runs[l->n_runs - 1] : NULL;
	if (last != NULL && last->attr == st.attr && last->fg == st.fg && last->bg == st.bg) {
		last->len += (uint32_t)got;
	} else {
		l->runs = xreallocarray(l->runs, l->n_runs + 1, sizeof(*l->runs));
		l->runs[l->n_runs++] = (struct log_run){.off = (uint32_t)l->len,
							.len = (uint32_t)got,
							.attr = st.attr,
							.fg = st.fg,
							.bg = st.bg};
	}
	l->len += got;
}

/* The line raw[0..n) of stream s as text and runs; the stream's style moves on with it. */
static void style_line(struct logbuf *lb, int s, const char *raw, size_t n, struct log_line *l)
{
	struct styled b = {.l = l, .cap = 64};
	size_t start = 0, i = 0;

	memset(l, 0, sizeof(*l));
	l->stream = s;
	l->text = xmalloc(b.cap);
	l->text[0] = '\0';
	while (i < n) {
		size_t k = raw[i] == 0x1b ? sgr_at(raw + i, n - i) : 0;

		if (k == 0) {
			i++;
			continue;
		}
		add_piece(&b, raw + start, i - start, lb->style[s]);
		apply_sgr(&lb->style[s], raw + i + 2, k - 3);
		i += k;
		start = i;
	}
	add_piece(&b, raw + start, n - start, lb->style[s]);
	l->text[l->len] = '\0';
	/* kept at its size: the worst case's room (3 bytes a byte) is 3x what the bound counts */
	if (b.cap > l->len + 1)
		l->text = xrealloc(l->text, l->len + 1);
}

static void add_line(struct logbuf *lb, int s, const char *raw, size_t n)
{
	struct log_line l;

	style_line(lb, s, raw, n, &l);
	if (lb->n == lb->max_lines)
		drop_oldest(lb);
	lb->ring[(lb->head + lb->n) % lb->max_lines] = l;
	lb->n++;
	lb->bytes += line_bytes(&l);
	while (lb->bytes > lb->max_bytes && lb->n > 1)
		drop_oldest(lb);
}

/* ---- feeding ---- */

static void end_line(struct logbuf *lb, int s)
{
	add_line(lb, s, lb->partial[s], lb->partial_len[s]);
	lb->partial_len[s] = 0;
}

static void push_byte(struct logbuf *lb, int s, char c)
{
	if (lb->partial[s] == NULL)
		lb->partial[s] = xmalloc(LOGBUF_LINE_MAX);
	lb->partial[s][lb->partial_len[s]++] = c;
	if (lb->partial_len[s] == LOGBUF_LINE_MAX)
		end_line(lb, s); /* cut: what follows is the next line */
}

void logbuf_feed(struct logbuf *lb, int stream, const char *bytes, size_t n)
{
	int s = stream == 2 ? 2 : 1;

	for (size_t i = 0; i < n; i++) {
		char c = bytes[i];

		if (lb->cr[s] && c != '\n')
			lb->partial_len[s] = 0; /* a CR alone: the line starts again */
		lb->cr[s] = c == '\r';
		if (c == '\n')
			end_line(lb, s);
		else if (c != '\r')
			push_byte(lb, s, c);
	}
}

void logbuf_flush(struct logbuf *lb)
{
	for (int s = 1; s <= 2; s++) {
		if (lb->partial_len[s] > 0)
			end_line(lb, s);
		lb->cr[s] = false;
	}
}

/* ---- reading ---- */

size_t logbuf_count(const struct logbuf *lb)
{
	return lb->n;
}

const struct log_line *logbuf_at(const struct logbuf *lb, size_t i)
{
	return i < lb->n ? &lb->ring[(lb->head + i) % lb->max_lines] : NULL;
}

uint64_t logbuf_number(const struct logbuf *lb, size_t i)
{
	return lb->first + i;
}

size_t logbuf_index(const struct logbuf *lb, uint64_t no)
{
	if (no < lb->first)
		return 0;
	if (lb->n == 0)
		return 0;
	return no - lb->first < lb->n ? (size_t)(no - lb->first) : lb->n - 1;
}

/* Smart case: a needle with a capital letter matches exactly, else ignoring ASCII case. */
static bool has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return true;
	return false;
}

long logbuf_find(const struct logbuf *lb, const char *needle, size_t from, int dir)
{
	bool exact;
	char *folded;
	long at = -1;

	if (lb->n == 0 || needle == NULL || needle[0] == '\0')
		return -1;
	exact = has_upper(needle);
	folded = xstrdup(needle);
	query_fold(folded);
	from = from < lb->n ? from : lb->n - 1;
	for (size_t k = 0; k < lb->n && at < 0; k++) {
		size_t i = dir >= 0 ? (from + k) % lb->n : (from + lb->n - k) % lb->n;
		const char *text = lb->ring[(lb->head + i) % lb->max_lines].text;

		if (exact ? strstr(text, needle) != NULL : query_contains(text, folded))
			at = (long)i;
	}
	free(folded);
	return at;
}

int logbuf_write(const struct logbuf *lb, FILE *f)
{
	for (size_t i = 0; i < lb->n; i++)
		if (fprintf(f, "%s\n", lb->ring[(lb->head + i) % lb->max_lines].text) < 0)
			return -1;
	return 0;
}
