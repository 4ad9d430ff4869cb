/*
 * toml: one pass over the buffer, a line at a time. The whole buffer is
 * checked to be UTF-8 first, so the line parser only has to look at ASCII
 * (any byte >= 0x80 is part of a valid sequence and allowed in strings and
 * comments only). Each line is a blank, a header or a key/value pair; the
 * cursor never leaves [start, eol) of its line, so no read can pass the end
 * of the buffer. A decoded string is never longer than its source text, so
 * its buffer is allocated once at the source length.
 *
 * Lookups are linear: a credentials file holds a few profiles, and the
 * limits in toml.h keep a hostile file from making parsing quadratic in
 * anything large.
 */
#include "toml.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"

#define NAME_SHOWN 65 /* a key or table-name part in an error message: 64 bytes */

struct toml_kv {
	char *key;
	char *value;
};

struct toml_table {
	char **parts;
	size_t nparts;
	struct toml_kv *kv;
	size_t n, cap;
};

struct toml_doc {
	struct toml_table **tables; /* [0] is the root */
	size_t n, cap;
	size_t nkeys;
};

struct parser {
	const char *p;   /* cursor within the current line */
	const char *eol; /* end of the line's content ('\r\n' or '\n' excluded) */
	size_t line;
	struct toml_doc *doc;
	struct toml_table *cur;
	char *err;
	size_t errlen;
	unsigned flags; /* TOML_* */
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err == NULL || ps->errlen == 0)
		return -1;
	n = snprintf(ps->err, ps->errlen, "line %zu: ", ps->line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- the document ---- */

static void table_free(struct toml_table *t)
{
	for (size_t i = 0; i < t->nparts; i++)
		free(t->parts[i]);
	free(t->parts);
	for (size_t i = 0; i < t->n; i++) {
		free(t->kv[i].key);
		/* values may be keys and tokens (credentials.toml) */
		if (t->kv[i].value != NULL)
			explicit_bzero(t->kv[i].value, strlen(t->kv[i].value));
		free(t->kv[i].value);
	}
	free(t->kv);
	free(t);
}

void toml_free(struct toml_doc **d)
{
	if (d == NULL || *d == NULL)
		return;
	for (size_t i = 0; i < (*d)->n; i++)
		table_free((*d)->tables[i]);
	free((*d)->tables);
	free(*d);
	*d = NULL;
}

/* Takes ownership of parts. */
static struct toml_table *doc_add_table(struct toml_doc *d, char **parts, size_t nparts)
{
	struct toml_table *t = xcalloc(1, sizeof(*t));

	t->parts = parts;
	t->nparts = nparts;
	if (d->n == d->cap) {
		d->cap = d->cap != 0 ? d->cap * 2 : 8;
		d->tables = xreallocarray(d->tables, d->cap, sizeof(*d->tables));
	}
	d->tables[d->n++] = t;
	return t;
}

static bool parts_equal(const struct toml_table *t, const char *const *parts, size_t nparts)
{
	if (t->nparts != nparts)
		return false;
	for (size_t i = 0; i < nparts; i++)
		if (strcmp(t->parts[i], parts[i]) != 0)
			return false;
	return true;
}

const struct toml_table *toml_table_find(const struct toml_doc *d, const char *const *parts,
					 size_t nparts)
{
	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		if (parts_equal(d->tables[i], parts, nparts))
			return d->tables[i];
	return NULL;
}

/* A table named t's name + key (+ more): then key cannot also be a key of t. */
static bool is_subtable(const struct toml_doc *d, const struct toml_table *t, const char *key)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct toml_table *s = d->tables[i];

		if (s->nparts > t->nparts &&
		    parts_equal(t, (const char *const *)s->parts, t->nparts) &&
		    strcmp(s->parts[t->nparts], key) == 0)
			return true;
	}
	return false;
}

const char *toml_table_get(const struct toml_table *t, const char *key)
{
	if (t == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].key, key) == 0)
			return t->kv[i].value;
	return NULL;
}

/* Whether t's parts joined with '.' spell name. */
static bool name_matches(const struct toml_table *t, const char *name)
{
	if (t->nparts == 0)
		return name[0] == '\0';
	for (size_t i = 0; i < t->nparts; i++) {
		size_t n = strlen(t->parts[i]);

		if (strncmp(name, t->parts[i], n) != 0)
			return false;
		name += n;
		if (i + 1 < t->nparts) {
			if (*name != '.')
				return false;
			name++;
		}
	}
	return *name == '\0';
}

const char *toml_get(const struct toml_doc *d, const char *table, const char *key)
{
	if (d == NULL || table == NULL)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		if (name_matches(d->tables[i], table))
			return toml_table_get(d->tables[i], key);
	return NULL;
}

size_t toml_table_count(const struct toml_doc *d)
{
	return d != NULL ? d->n : 0;
}

const struct toml_table *toml_table_at(const struct toml_doc *d, size_t i)
{
	return d != NULL && i < d->n ? d->tables[i] : NULL;
}

size_t toml_table_nparts(const struct toml_table *t)
{
	return t != NULL ? t->nparts : 0;
}

const char *toml_table_part(const struct toml_table *t, size_t i)
{
	return t != NULL && i < t->nparts ? t->parts[i] : NULL;
}

size_t toml_key_count(const struct toml_table *t)
{
	return t != NULL ? t->n : 0;
}

const char *toml_key_at(const struct toml_table *t, size_t i)
{
	return t != NULL && i < t->n ? t->kv[i].key : NULL;
}

const char *toml_value_at(const struct toml_table *t, size_t i)
{
	return t != NULL && i < t->n ? t->kv[i].value : NULL;
}

/* ---- UTF-8 ---- */

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	/* the lead byte gives the length; 0x80-0xc1 and 0xf5-0xff never lead */
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	uint32_t c = s[0] & (0x7f >> len);

	if (len == 1)
		return 1;
	if (len == 0 || s[0] > 0xf4 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static int check_utf8(struct parser *ps, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;

	ps->line = 1;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (n == 0)
			return fail(ps, "invalid UTF-8");
		ps->line += s[i] == '\n';
		i += n;
	}
	return 0;
}

static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* ---- lexing within a line ---- */

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->eol && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

/* Control characters other than tab are refused in strings and comments, as TOML does. */
static bool is_control(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t') || c == 0x7f;
}

/* Whitespace, then a comment or nothing up to the end of the line. */
static int expect_eol(struct parser *ps, const char *what)
{
	skip_ws(ps);
	if (ps->p == ps->eol)
		return 0;
	if (*ps->p != '#')
		return fail(ps, "unexpected text after %s", what);
	for (const char *c = ps->p; c < ps->eol; c++)
		if (is_control(*c))
			return fail(ps, "control character 0x%02x in a comment",
				    (unsigned)(unsigned char)*c);
	ps->p = ps->eol;
	return 0;
}

static bool is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int hex_value(struct parser *ps, int digits, uint32_t *out)
{
	uint32_t v = 0;

	if (ps->eol - ps->p < digits)
		return fail(ps, "\\%c needs %d hex digits", digits == 4 ? 'u' : 'U', digits);
	for (int i = 0; i < digits; i++) {
		char c = *ps->p++;
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return fail(ps, "\\%c needs %d hex digits", digits == 4 ? 'u' : 'U',
				    digits);
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* The escape after a backslash (the cursor is past it), appended at out. */
static int escape(struct parser *ps, char *out, size_t *n)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	const char *hit;
	uint32_t c = 0;

	if (ps->p == ps->eol)
		return fail(ps, "unterminated string");
	hit = strchr(from, *ps->p);
	if (hit != NULL && *ps->p != '\0') {
		out[(*n)++] = to[hit - from];
		ps->p++;
		return 0;
	}
	if (*ps->p != 'u' && *ps->p != 'U')
		return fail(ps, "invalid escape \\%c in a string",
			    (unsigned char)*ps->p >= 0x20 && (unsigned char)*ps->p < 0x7f ? *ps->p
											  : '?');
	ps->p++;
	if (hex_value(ps, ps->p[-1] == 'u' ? 4 : 8, &c) != 0)
		return -1;
	if (c == 0)
		return fail(ps, "\\u0000 is not allowed in a string");
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return fail(ps, "escape U+%04X is not a Unicode scalar value", (unsigned)c);
	*n += utf8_put(out + *n, c);
	return 0;
}

/* A "basic" or 'literal' string at the cursor (on its quote); *out is the caller's. */
static int string(struct parser *ps, char **out)
{
	char quote = *ps->p++;
	char *s = xmalloc((size_t)(ps->eol - ps->p) + 1);
	size_t n = 0;

	for (;;) {
		if (ps->p == ps->eol) {
			fail(ps, "unterminated string");
			break;
		}
		if (*ps->p == quote) {
			ps->p++;
			s[n] = '\0';
			*out = s;
			return 0;
		}
		if (is_control(*ps->p)) {
			fail(ps, "control character 0x%02x in a string",
			     (unsigned)(unsigned char)*ps->p);
			break;
		}
		if (quote == '"' && *ps->p == '\\') {
			ps->p++;
			if (escape(ps, s, &n) != 0)
				break;
			continue;
		}
		s[n++] = *ps->p++;
	}
	free(s);
	return -1;
}

/* A bare or quoted key (or table-name part) at the cursor. */
static int key(struct parser *ps, char **out)
{
	const char *start = ps->p;

	if (ps->p < ps->eol && (*ps->p == '"' || *ps->p == '\''))
		return string(ps, out);
	while (ps->p < ps->eol && is_bare(*ps->p))
		ps->p++;
	if (ps->p == start)
		return fail(ps, "expected a key (letters, digits, '_', '-' or a quoted string)");
	*out = xstrndup(start, (size_t)(ps->p - start));
	return 0;
}

/* ---- lines ---- */

/*
 * A name as an error message shows it: control characters as '?', cut at
 * NAME_SHOWN - 1 bytes, so a hostile key cannot drive the terminal.
 */
static void shown(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < size; s++)
		buf[n++] = is_control(*s) ? '?' : *s;
	if (*s != '\0') { /* cut short: never in the middle of a UTF-8 sequence */
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)buf[n - 1] >= 0xc0)
			n--;
	}
	buf[n] = '\0';
}

/* parts joined by '.', as shown in an error message; the caller frees it. */
static char *table_name(char *const *parts, size_t nparts)
{
	char *s = xmalloc(nparts * NAME_SHOWN + 1);
	size_t n = 0;

	s[0] = '\0';
	for (size_t i = 0; i < nparts; i++) {
		if (i > 0)
			s[n++] = '.';
		shown(parts[i], s + n, NAME_SHOWN);
		n += strlen(s + n);
	}
	return s;
}

/* Whether a table name conflicts with what is defined: a duplicate, or a key on its path. */
static int check_new_table(struct parser *ps, char *const *parts, size_t nparts)
{
	const char *const *cparts = (const char *const *)parts;
	char *name;
	int rc = 0;

	if (toml_table_find(ps->doc, cparts, nparts) != NULL) {
		name = table_name(parts, nparts);
		rc = fail(ps, "duplicate table [%s]", name);
		free(name);
		return rc;
	}
	for (size_t k = 0; k < nparts; k++) {
		const struct toml_table *t = toml_table_find(ps->doc, cparts, k);

		if (toml_table_get(t, parts[k]) != NULL) {
			name = table_name(parts, k + 1);
			rc = fail(ps, "table name %s is already a key", name);
			free(name);
			return rc;
		}
	}
	return 0;
}

static int header(struct parser *ps)
{
	char **parts = NULL;
	size_t nparts = 0;
	int rc = -1;

	ps->p++; /* '[' */
	if (ps->p < ps->eol && *ps->p == '[') {
		fail(ps, "arrays of tables ([[...]]) are not supported");
		goto out;
	}
	for (;;) {
		char *part;

		if (nparts == TOML_MAX_PARTS) {
			fail(ps, "a table name has more than %d parts", TOML_MAX_PARTS);
			goto out;
		}
		skip_ws(ps);
		if (key(ps, &part) != 0)
			goto out;
		parts = xreallocarray(parts, nparts + 1, sizeof(*parts));
		parts[nparts++] = part;
		skip_ws(ps);
		if (ps->p < ps->eol && *ps->p == '.') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->eol && *ps->p == ']')
			break;
		fail(ps, "expected '.' or ']' in a table header");
		goto out;
	}
	ps->p++; /* ']' */
	if (expect_eol(ps, "a table header") != 0 || check_new_table(ps, parts, nparts) != 0)
		goto out;
	if (ps->doc->n >= TOML_MAX_TABLES + 1) {
		fail(ps, "more than %d tables", TOML_MAX_TABLES);
		goto out;
	}
	ps->cur = doc_add_table(ps->doc, parts, nparts);
	parts = NULL;
	nparts = 0;
	rc = 0;
out:
	for (size_t i = 0; i < nparts; i++)
		free(parts[i]);
	free(parts);
	return rc;
}

static bool starts(const struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(ps->eol - ps->p) >= n && memcmp(ps->p, word, n) == 0;
}

/* Why the text at the cursor is not a value we take. */
static int not_a_value(struct parser *ps)
{
	char c = ps->p < ps->eol ? *ps->p : '\0';

	if (ps->p == ps->eol || c == '#')
		return fail(ps, "a key needs a value");
	if (c == '[')
		return fail(ps, "arrays are not supported: only quoted strings are");
	if (c == '{')
		return fail(ps, "inline tables are not supported: only quoted strings are");
	if (starts(ps, "true") || starts(ps, "false"))
		return fail(ps, "booleans are not supported: only quoted strings are");
	if ((c >= '0' && c <= '9') || c == '+' || c == '-' || starts(ps, "inf") ||
	    starts(ps, "nan"))
		return fail(ps, "numbers and dates are not supported: only quoted strings are");
	if (ps->flags & TOML_SCALARS)
		return fail(ps, "expected a value (a quoted string, a number, true or false)");
	return fail(ps, "expected a value (a quoted string)");
}

/*
 * With TOML_SCALARS: true, false, or a decimal number ("-3", "0.5"), kept as
 * its text. Returns 1 when the cursor is not at one (nothing consumed).
 */
static int scalar(struct parser *ps, char **out)
{
	const char *q = ps->p;
	size_t n, digits = 0, dots = 0;

	while (q < ps->eol && (is_bare(*q) || *q == '.' || *q == '+'))
		q++;
	n = (size_t)(q - ps->p);
	if (!(n == 4 && starts(ps, "true")) && !(n == 5 && starts(ps, "false"))) {
		for (size_t i = 0; i < n; i++) {
			char c = ps->p[i];
			bool sign = (c == '-' || c == '+') && i == 0;
			bool dot = c == '.' && digits > 0 && dots == 0 && i + 1 < n;

			if (c >= '0' && c <= '9')
				digits++;
			else if (dot)
				dots++;
			else if (!sign)
				return 1;
		}
		if (digits == 0)
			return 1;
	}
	*out = xstrndup(ps->p, n);
	ps->p = q;
	return 0;
}

static int value(struct parser *ps, char **out)
{
	if (starts(ps, "\"\"\"") || starts(ps, "'''"))
		return fail(ps, "multi-line strings are not supported");
	if (ps->p < ps->eol && (*ps->p == '"' || *ps->p == '\''))
		return string(ps, out);
	if ((ps->flags & TOML_SCALARS) && scalar(ps, out) == 0)
		return 0;
	return not_a_value(ps);
}

static int check_new_key(struct parser *ps, const char *k)
{
	char kbuf[NAME_SHOWN], *name;
	int rc;

	if (toml_table_get(ps->cur, k) == NULL && !is_subtable(ps->doc, ps->cur, k))
		return 0;
	shown(k, kbuf, sizeof(kbuf));
	if (toml_table_get(ps->cur, k) == NULL)
		return fail(ps, "key \"%s\" is already a table", kbuf);
	if (ps->cur->nparts == 0)
		return fail(ps, "duplicate key \"%s\"", kbuf);
	name = table_name(ps->cur->parts, ps->cur->nparts);
	rc = fail(ps, "duplicate key \"%s\" in [%s]", kbuf, name);
	free(name);
	return rc;
}

static int keyval(struct parser *ps)
{
	char *k = NULL, *v = NULL;
	struct toml_table *t = ps->cur;
	int rc = -1;

	if (key(ps, &k) != 0)
		goto out;
	skip_ws(ps);
	if (ps->p < ps->eol && *ps->p == '.') {
		fail(ps, "dotted keys are not supported: use a [table] header");
		goto out;
	}
	if (ps->p == ps->eol || *ps->p != '=') {
		fail(ps, "expected '=' after key \"%s\"", k);
		goto out;
	}
	ps->p++;
	skip_ws(ps);
	if (value(ps, &v) != 0 || expect_eol(ps, "the value") != 0 || check_new_key(ps, k) != 0)
		goto out;
	if (ps->doc->nkeys == TOML_MAX_KEYS) {
		fail(ps, "more than %d keys", TOML_MAX_KEYS);
		goto out;
	}
	if (t->n == t->cap) {
		t->cap = t->cap != 0 ? t->cap * 2 : 8;
		t->kv = xreallocarray(t->kv, t->cap, sizeof(*t->kv));
	}
	t->kv[t->n++] = (struct toml_kv){k, v};
	ps->doc->nkeys++;
	k = v = NULL;
	rc = 0;
out:
	free(k);
	free(v);
	return rc;
}

static int line(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p == ps->eol || *ps->p == '#')
		return expect_eol(ps, "whitespace");
	if (*ps->p == '[')
		return header(ps);
	return keyval(ps);
}

static int parse_lines(struct parser *ps, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (ps->line = 1; p < end; ps->line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl != NULL ? nl + 1 : end;
		size_t n = (size_t)((nl != NULL ? nl : end) - p);

		if (nl != NULL && n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\r', n) != NULL)
			return fail(ps, "carriage return without a line feed");
		ps->p = p;
		ps->eol = p + n;
		if (line(ps) != 0)
			return -1;
		p = next;
	}
	return 0;
}

int toml_parse(const char *buf, size_t len, struct toml_doc **out, char *err, size_t errlen)
{
	return toml_parse_flags(buf, len, 0, out, err, errlen);
}

int toml_parse_flags(const char *buf, size_t len, unsigned flags, struct toml_doc **out, char *err,
		     size_t errlen)
{
	struct parser ps = {.err = err, .errlen = errlen, .line = 1, .flags = flags};
	int rc = -1;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > TOML_MAX_BYTES) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "larger than %u bytes", TOML_MAX_BYTES);
		return -1;
	}
	if (len > 0 && check_utf8(&ps, buf, len) != 0)
		return -1;
	ps.doc = xcalloc(1, sizeof(*ps.doc));
	ps.cur = doc_add_table(ps.doc, NULL, 0);
	if (len > 0 && parse_lines(&ps, buf, len) != 0)
		goto out;
	*out = ps.doc;
	ps.doc = NULL;
	rc = 0;
out:
	toml_free(&ps.doc);
	return rc;
}
