/*
 * lineedit: a byte buffer whose invariant is "sanitize_display() leaves it
 * as it is". An insertion is made in place, the whole line is sanitized into
 * a scratch buffer of the same size, and the insertion is undone when the two
 * differ. That reuses the one gate for terminal text instead of a second
 * UTF-8 validator here, and it checks the context too (a mark with no base,
 * too many marks on one base). It costs a pass over the line per keystroke,
 * which is nothing at prompt sizes. Removals take whole clusters, which
 * cannot break the invariant.
 *
 * Because the text is valid UTF-8, a code point starts at every byte that is
 * not a continuation byte, and its width is sanitize_width() of it alone;
 * a zero-width code point joins the cluster before it.
 *
 * Completion keeps at most 2 * LINEEDIT_MATCHES_MAX names while it reads a
 * directory, sorting and dropping the upper half when full, so a huge
 * directory costs bounded memory and O(n log k) time. The common prefix is
 * taken over every match, not only the kept ones.
 */
#include "lineedit.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/sanitize.h"
#include "model/xalloc.h"

/* ---- the buffer ---- */

static bool is_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* Makes room for need bytes (text and NUL) in buf and scratch. */
static void reserve(struct lineedit *le, size_t need)
{
	size_t grow = le->cap * 2;

	if (need <= le->cap)
		return;
	if (grow < need)
		grow = need;
	/* max + 1 cannot overflow here: need <= max + 1 and grow - 1 > max */
	if (grow - 1 > le->max)
		grow = le->max + 1;
	le->buf = xrealloc(le->buf, grow);
	free(le->scratch);
	le->scratch = xmalloc(grow);
	le->cap = grow;
}

/* True when sanitizing the text gives the text back. */
static bool is_clean(struct lineedit *le)
{
	sanitize_display(le->buf, le->len, SANITIZE_NO_LIMIT, le->scratch, le->len + 1);
	return strlen(le->scratch) == le->len && memcmp(le->scratch, le->buf, le->len) == 0;
}

int lineedit_init(struct lineedit *le, const char *text, size_t max_bytes)
{
	memset(le, 0, sizeof(*le));
	le->max = max_bytes;
	reserve(le, 1);
	le->buf[0] = '\0';
	return lineedit_set_text(le, text);
}

void lineedit_clear(struct lineedit *le)
{
	if (le == NULL)
		return;
	free(le->buf);
	free(le->scratch);
	memset(le, 0, sizeof(*le));
}

int lineedit_set_text(struct lineedit *le, const char *text)
{
	lineedit_erase(le);
	le->scroll = 0;
	return lineedit_insert_str(le, text);
}

int lineedit_insert(struct lineedit *le, const char *s, size_t n)
{
	char *at;

	if (n == 0)
		return LINEEDIT_OK;
	if (n > le->max - le->len)
		return LINEEDIT_FULL;
	reserve(le, le->len + n + 1);
	at = le->buf + le->cursor;
	memmove(at + n, at, le->len - le->cursor + 1);
	memcpy(at, s, n);
	le->len += n;
	if (!is_clean(le)) {
		memmove(at, at + n, le->len - le->cursor - n + 1);
		le->len -= n;
		return LINEEDIT_INVALID;
	}
	le->cursor += n;
	return LINEEDIT_OK;
}

int lineedit_insert_str(struct lineedit *le, const char *s)
{
	return lineedit_insert(le, s, s != NULL ? strlen(s) : 0);
}

/* Removes [from, to) and leaves the cursor at from. */
static bool cut(struct lineedit *le, size_t from, size_t to)
{
	memmove(le->buf + from, le->buf + to, le->len - to + 1);
	le->len -= to - from;
	le->cursor = from;
	return to > from;
}

/* ---- clusters ---- */

static size_t cp_len(const struct lineedit *le, size_t off)
{
	size_t n = 1;

	while (off + n < le->len && is_cont(le->buf[off + n]))
		n++;
	return n;
}

/* The columns of the code point at off (off < len). */
static size_t char_width(const struct lineedit *le, size_t off)
{
	char one[5];
	size_t n = cp_len(le, off);

	memcpy(one, le->buf + off, n);
	one[n] = '\0';
	return sanitize_width(one);
}

/* The end of the cluster at off (off < len). */
static size_t next_cluster(const struct lineedit *le, size_t off)
{
	off += cp_len(le, off);
	while (off < le->len && char_width(le, off) == 0)
		off += cp_len(le, off);
	return off;
}

/* The start of the cluster that ends at off (off > 0): its base, never a mark. */
static size_t prev_cluster(const struct lineedit *le, size_t off)
{
	do {
		do
			off--;
		while (off > 0 && is_cont(le->buf[off]));
	} while (off > 0 && char_width(le, off) == 0);
	return off;
}

/* ---- moving and killing ---- */

bool lineedit_backspace(struct lineedit *le)
{
	return le->cursor > 0 && cut(le, prev_cluster(le, le->cursor), le->cursor);
}

bool lineedit_delete(struct lineedit *le)
{
	return le->cursor < le->len && cut(le, le->cursor, next_cluster(le, le->cursor));
}

/* Moves the cursor to off; true when it moved. */
static bool move_to(struct lineedit *le, size_t off)
{
	bool moved = off != le->cursor;

	le->cursor = off;
	return moved;
}

bool lineedit_left(struct lineedit *le)
{
	return le->cursor > 0 && move_to(le, prev_cluster(le, le->cursor));
}

bool lineedit_right(struct lineedit *le)
{
	return le->cursor < le->len && move_to(le, next_cluster(le, le->cursor));
}

bool lineedit_home(struct lineedit *le)
{
	return move_to(le, 0);
}

bool lineedit_end(struct lineedit *le)
{
	return move_to(le, le->len);
}

bool lineedit_kill_start(struct lineedit *le)
{
	return cut(le, 0, le->cursor);
}

bool lineedit_kill_end(struct lineedit *le)
{
	return cut(le, le->cursor, le->len);
}

bool lineedit_erase(struct lineedit *le)
{
	return cut(le, 0, le->len);
}

static bool is_delim(const struct lineedit *le, size_t off)
{
	return le->buf[off] == ' ' || le->buf[off] == '/';
}

/* Moves back from off over clusters that are (or are not) delimiters. */
static size_t skip_back(const struct lineedit *le, size_t off, bool delim)
{
	while (off > 0) {
		size_t prev = prev_cluster(le, off);

		if (is_delim(le, prev) != delim)
			break;
		off = prev;
	}
	return off;
}

static size_t skip_forward(const struct lineedit *le, size_t off, bool delim)
{
	while (off < le->len && is_delim(le, off) == delim)
		off = next_cluster(le, off);
	return off;
}

static size_t word_start(const struct lineedit *le)
{
	return skip_back(le, skip_back(le, le->cursor, true), false);
}

bool lineedit_kill_word(struct lineedit *le)
{
	return cut(le, word_start(le), le->cursor);
}

bool lineedit_word_left(struct lineedit *le)
{
	return move_to(le, word_start(le));
}

bool lineedit_word_right(struct lineedit *le)
{
	return move_to(le, skip_forward(le, skip_forward(le, le->cursor, true), false));
}

const char *lineedit_text(const struct lineedit *le)
{
	return le->buf != NULL ? le->buf : "";
}

size_t lineedit_len(const struct lineedit *le)
{
	return le->len;
}

size_t lineedit_cursor(const struct lineedit *le)
{
	return le->cursor;
}

/* ---- the view ---- */

/* The cluster boundary at or before off (off <= len). */
static size_t snap(const struct lineedit *le, size_t off)
{
	size_t at = 0;

	while (at < le->len && next_cluster(le, at) <= off)
		at = next_cluster(le, at);
	return at;
}

static size_t cols_between(const struct lineedit *le, size_t from, size_t to)
{
	size_t cols = 0;

	for (size_t at = from; at < to; at = next_cluster(le, at))
		cols += char_width(le, at);
	return cols;
}

/* The first byte to show: moved right until the cursor's cluster fits. */
static size_t show_cursor(const struct lineedit *le, size_t start, size_t width)
{
	size_t cell = le->cursor < le->len ? char_width(le, le->cursor) : 1;
	size_t cols = cols_between(le, start, le->cursor);

	while (start < le->cursor && cols + cell > width) {
		cols -= char_width(le, start);
		start = next_cluster(le, start);
	}
	return start;
}

/* The first byte to show: moved left while the rest of the text still fits. */
static size_t fill_left(const struct lineedit *le, size_t start, size_t width)
{
	size_t cols = cols_between(le, start, le->len) + 1;

	while (start > 0) {
		size_t prev = prev_cluster(le, start);

		if (cols + char_width(le, prev) > width)
			break;
		cols += char_width(le, prev);
		start = prev;
	}
	return start;
}

void lineedit_view(struct lineedit *le, size_t width, struct lineedit_view *v)
{
	size_t start = snap(le, le->scroll < le->cursor ? le->scroll : le->cursor);
	size_t end, cols = 0;

	start = fill_left(le, show_cursor(le, start, width), width);
	le->scroll = start;
	v->start = start;
	v->cursor_col = cols_between(le, start, le->cursor);
	for (end = start; end < le->len && cols + char_width(le, end) <= width;
	     end = next_cluster(le, end))
		cols += char_width(le, end);
	v->end = end;
	v->cols = cols;
}

/* ---- completion ---- */

/* The matches of one directory listing. */
struct scan {
	const char *prefix; /* the typed part of the name */
	size_t plen;
	char **names; /* up to 2 * LINEEDIT_MATCHES_MAX */
	size_t n;
	size_t total;
	char *lcp; /* the first match; its first lcp_len bytes are common to all */
	size_t lcp_len;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the names and keeps the first LINEEDIT_MATCHES_MAX. */
static void trim(struct scan *s)
{
	if (s->n > 1)
		qsort(s->names, s->n, sizeof(*s->names), cmp_names);
	while (s->n > LINEEDIT_MATCHES_MAX)
		free(s->names[--s->n]);
}

/* Takes name (an allocated, decorated candidate) into s. */
static void add_name(struct scan *s, char *name)
{
	size_t i = 0;

	if (s->total == 0) {
		s->lcp = xstrdup(name);
		s->lcp_len = strlen(name);
	}
	while (i < s->lcp_len && s->lcp[i] == name[i])
		i++;
	s->lcp_len = i;
	s->total++;
	if (s->names == NULL)
		s->names = xcalloc(2 * LINEEDIT_MATCHES_MAX, sizeof(*s->names));
	if (s->n == 2 * LINEEDIT_MATCHES_MAX)
		trim(s);
	s->names[s->n++] = name;
}

static void scan_free(struct scan *s)
{
	while (s->n > 0)
		free(s->names[--s->n]);
	free(s->names);
	free(s->lcp);
}

static bool wanted(const struct scan *s, const char *name)
{
	if (name[0] == '.' && s->prefix[0] != '.')
		return false;
	return strncmp(name, s->prefix, s->plen) == 0;
}

/* Follows a symbolic link, as a shell does when it appends '/'. */
static bool is_dir(DIR *d, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN && e->d_type != DT_LNK)
		return e->d_type == DT_DIR;
	return fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* Reads the listing into s; returns 0 or the errno of a failed read. */
static int scan_dir(DIR *d, struct scan *s)
{
	for (;;) {
		struct dirent *e;

		errno = 0;
		e = readdir(d);
		if (e == NULL)
			return errno;
		if (!wanted(s, e->d_name))
			continue;
		add_name(s, is_dir(d, e) ? xasprintf("%s/", e->d_name) : xstrdup(e->d_name));
	}
}

/* The directory to list for a word whose first dir_len bytes name it; NULL: *err. */
static char *dir_path(const char *word, size_t dir_len, int *err)
{
	const char *home = getenv("HOME");

	if (dir_len == 0)
		return xstrdup(".");
	if (word[0] != '~' || word[1] != '/')
		return xstrndup(word, dir_len);
	if (home == NULL || home[0] == '\0') {
		*err = ENOENT;
		return NULL;
	}
	return xasprintf("%s%.*s", home, (int)(dir_len - 1), word + 1);
}

/* Inserts the longest prefix of s[0, n) the line accepts; returns its length. */
static size_t extend(struct lineedit *le, const char *s, size_t n)
{
	while (n > 0 && lineedit_insert(le, s, n) != LINEEDIT_OK)
		n--;
	return n;
}

/* Puts what the matches agree on into the line and says what happened. */
static enum lineedit_complete finish(struct lineedit *le, struct scan *s,
				     struct lineedit_matches *m)
{
	size_t want = s->lcp_len - s->plen;

	m->total = s->total;
	if (s->total == 0)
		return LINEEDIT_COMPLETE_NONE;
	if (extend(le, s->lcp + s->plen, want) == want && s->total == 1)
		return LINEEDIT_COMPLETE_UNIQUE;
	trim(s);
	m->names = s->names;
	m->n = s->n;
	s->names = NULL;
	s->n = 0;
	return LINEEDIT_COMPLETE_LIST;
}

/* Lists the directory part of word and matches the name part against it. */
static enum lineedit_complete complete_in_dir(struct lineedit *le, const char *word,
					      struct lineedit_matches *m)
{
	enum lineedit_complete rc = LINEEDIT_COMPLETE_ERROR;
	const char *slash = strrchr(word, '/');
	size_t dir_len = slash != NULL ? (size_t)(slash - word) + 1 : 0;
	struct scan s = {.prefix = word + dir_len, .plen = strlen(word + dir_len)};
	char *path = dir_path(word, dir_len, &m->error);
	DIR *d = NULL;

	if (path == NULL)
		goto out;
	d = opendir(path);
	if (d == NULL) {
		m->error = errno;
		goto out;
	}
	m->error = scan_dir(d, &s);
	if (m->error == 0)
		rc = finish(le, &s, m);
out:
	if (d != NULL)
		closedir(d);
	scan_free(&s);
	free(path);
	return rc;
}

/* "~" alone: one candidate, "~/", when $HOME is set. */
static enum lineedit_complete complete_home(struct lineedit *le, struct lineedit_matches *m)
{
	struct scan s = {.prefix = "~", .plen = 1};
	const char *home = getenv("HOME");
	enum lineedit_complete rc;

	if (home == NULL || home[0] == '\0') {
		m->error = ENOENT;
		return LINEEDIT_COMPLETE_ERROR;
	}
	add_name(&s, xstrdup("~/"));
	rc = finish(le, &s, m);
	scan_free(&s);
	return rc;
}

enum lineedit_complete lineedit_complete_path(struct lineedit *le, struct lineedit_matches *m)
{
	size_t begin = le->cursor;
	enum lineedit_complete rc;
	char *word;

	lineedit_matches_clear(m);
	while (begin > 0 && le->buf[begin - 1] != ' ')
		begin--;
	/* a copy: the line changes under it when the completion goes in */
	word = xstrndup(le->buf + begin, le->cursor - begin);
	if (strcmp(word, "~") == 0)
		rc = complete_home(le, m);
	else
		rc = complete_in_dir(le, word, m);
	free(word);
	return rc;
}

void lineedit_matches_clear(struct lineedit_matches *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	memset(m, 0, sizeof(*m));
}
