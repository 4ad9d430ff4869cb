/*
 * libFuzzer target for net/toml. The input is parsed as is (a heap copy of
 * exactly its bytes, so a read past the end is caught). A refusal must say
 * "line N: ..." with N within the input's lines, and a tiny error buffer
 * must give the same answer. An accepted document must be self-consistent
 * (every key found where iteration says it is, every table found by its
 * parts, every string valid UTF-8), and writing it back out as TOML (basic
 * strings, every control character escaped) must parse to the same
 * document.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/xalloc.h"
#include "net/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static bool valid_utf8(const unsigned char *s)
{
	while (*s != '\0') {
		size_t n = *s < 0x80 ? 1 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;

		if (*s >= 0x80 && (*s < 0xc2 || *s > 0xf4))
			return false;
		for (size_t i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n;
	}
	return true;
}

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = xrealloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* s as a TOML basic string. */
static void put_string(struct out *o, const char *s)
{
	put(o, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(o, esc, 6);
		} else {
			put(o, s, 1);
		}
	}
	put(o, "\"", 1);
}

static void write_doc(const struct toml_doc *d, struct out *o)
{
	for (size_t i = 0; i < toml_table_count(d); i++) {
		const struct toml_table *t = toml_table_at(d, i);

		if (i > 0) {
			put(o, "[", 1);
			for (size_t p = 0; p < toml_table_nparts(t); p++) {
				if (p > 0)
					put(o, ".", 1);
				put_string(o, toml_table_part(t, p));
			}
			put(o, "]\n", 2);
		}
		for (size_t k = 0; k < toml_key_count(t); k++) {
			put_string(o, toml_key_at(t, k));
			put(o, " = ", 3);
			put_string(o, toml_value_at(t, k));
			put(o, "\n", 1);
		}
	}
}

static void check_doc(const struct toml_doc *d)
{
	check(toml_table_count(d) >= 1 && toml_table_nparts(toml_table_at(d, 0)) == 0);
	for (size_t i = 0; i < toml_table_count(d); i++) {
		const struct toml_table *t = toml_table_at(d, i);
		size_t np = toml_table_nparts(t);
		const char *parts[TOML_MAX_PARTS];

		check(np <= TOML_MAX_PARTS && (i == 0) == (np == 0));
		for (size_t p = 0; p < np; p++) {
			parts[p] = toml_table_part(t, p);
			check(valid_utf8((const unsigned char *)parts[p]));
		}
		check(toml_table_find(d, parts, np) == t);
		for (size_t k = 0; k < toml_key_count(t); k++) {
			const char *key = toml_key_at(t, k), *v = toml_value_at(t, k);

			check(toml_table_get(t, key) == v);
			check(valid_utf8((const unsigned char *)key));
			check(valid_utf8((const unsigned char *)v));
		}
	}
}

static bool same_doc(const struct toml_doc *a, const struct toml_doc *b)
{
	if (toml_table_count(a) != toml_table_count(b))
		return false;
	for (size_t i = 0; i < toml_table_count(a); i++) {
		const struct toml_table *x = toml_table_at(a, i), *y = toml_table_at(b, i);

		if (toml_table_nparts(x) != toml_table_nparts(y) ||
		    toml_key_count(x) != toml_key_count(y))
			return false;
		for (size_t p = 0; p < toml_table_nparts(x); p++)
			if (strcmp(toml_table_part(x, p), toml_table_part(y, p)) != 0)
				return false;
		for (size_t k = 0; k < toml_key_count(x); k++)
			if (strcmp(toml_key_at(x, k), toml_key_at(y, k)) != 0 ||
			    strcmp(toml_value_at(x, k), toml_value_at(y, k)) != 0)
				return false;
	}
	return true;
}

static void check_refusal(const char *err, const char *text, size_t size)
{
	size_t lines = 1;
	unsigned long n;

	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	if (size > TOML_MAX_BYTES) {
		check(strncmp(err, "larger than", 11) == 0);
		return;
	}
	check(sscanf(err, "line %lu: ", &n) == 1);
	check(n >= 1 && n <= lines);
	check(strlen(err) > strlen("line 1: "));
}

/*
 * TOML_SCALARS only adds values: what the strict reader takes it takes the
 * same, and what it refuses it refuses with a line number.
 */
static void check_scalars(const char *text, size_t size, const struct toml_doc *strict)
{
	struct toml_doc *loose = NULL;
	char err[256];
	int rc = toml_parse_flags(text, size, TOML_SCALARS, &loose, err, sizeof(err));

	if (strict != NULL)
		check(rc == 0 && same_doc(strict, loose));
	if (rc != 0)
		check_refusal(err, text, size);
	toml_free(&loose);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = size > 0 ? xmemdup(data, size) : NULL;
	struct toml_doc *d = NULL, *again = NULL;
	char err[256], tiny[5];
	struct out o = {0};
	int rc;

	rc = toml_parse(text, size, &d, err, sizeof(err));
	check(toml_parse(text, size, &again, tiny, sizeof(tiny)) == rc);
	check(strlen(tiny) < sizeof(tiny));
	toml_free(&again);
	check_scalars(text, size, rc == 0 ? d : NULL);
	if (rc != 0) {
		check(d == NULL);
		check_refusal(err, text, size);
		free(text);
		return 0;
	}
	check(d != NULL && err[0] == '\0');
	check_doc(d);
	write_doc(d, &o);
	if (o.len > TOML_MAX_BYTES) /* escapes can make it 6 times longer */
		goto out;
	if (toml_parse(o.buf, o.len, &again, err, sizeof(err)) != 0) {
		fprintf(stderr, "written form refused: %s\n%s", err, o.buf);
		abort();
	}
	check(same_doc(d, again));
out:
	toml_free(&again);
	toml_free(&d);
	check(d == NULL);
	free(o.buf);
	free(text);
	return 0;
}
