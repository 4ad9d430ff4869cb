/*
 * Unit tests for net/toml: degenerate input first, then every accepted form
 * (root keys, dotted and quoted table names, both string kinds, every
 * escape, CRLF, a BOM), then each refusal with its exact message and line
 * number, and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/xalloc.h"
#include "net/toml.h"

/* Parses n bytes of text, which must succeed; the caller frees the document. */
static struct toml_doc *parse_n(const char *text, size_t n)
{
	struct toml_doc *d = (struct toml_doc *)1;
	char err[256] = "unset";
	/* a heap copy of exactly n bytes, so a read past the end is caught under ASan */
	char *copy = n > 0 ? xmemdup(text, n) : NULL;
	int rc = toml_parse(copy, n, &d, err, sizeof(err));

	free(copy);
	if (rc != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
	assert_non_null(d);
	return d;
}

static struct toml_doc *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void refused_n(const char *text, size_t n, const char *want)
{
	struct toml_doc *d = (struct toml_doc *)1;
	char err[256] = "";
	char *copy = n > 0 ? xmemdup(text, n) : NULL;

	assert_int_equal(toml_parse(copy, n, &d, err, sizeof(err)), -1);
	free(copy);
	assert_null(d);
	assert_string_equal(err, want);
}

static void refused(const char *text, const char *want)
{
	refused_n(text, strlen(text), want);
}

/* The single value of key in table after parsing text. */
static void value_is(const char *text, const char *table, const char *key, const char *want)
{
	struct toml_doc *d = parse(text);

	assert_non_null(toml_get(d, table, key));
	assert_string_equal(toml_get(d, table, key), want);
	toml_free(&d);
}

static void test_degenerate(void **state)
{
	struct toml_doc *d = NULL;

	(void)state;
	toml_free(NULL);
	toml_free(&d);
	assert_null(d);
	assert_null(toml_get(NULL, "", "a"));
	assert_null(toml_table_find(NULL, NULL, 0));
	assert_null(toml_table_get(NULL, "a"));
	assert_int_equal(toml_table_count(NULL), 0);
	assert_null(toml_table_at(NULL, 0));
	assert_int_equal(toml_key_count(NULL), 0);
	assert_null(toml_key_at(NULL, 0));
	assert_null(toml_value_at(NULL, 0));
	assert_null(toml_table_part(NULL, 0));

	/* empty input: just the root table, with no keys */
	assert_int_equal(toml_parse(NULL, 0, &d, NULL, 0), 0);
	assert_int_equal(toml_table_count(d), 1);
	assert_int_equal(toml_table_nparts(toml_table_at(d, 0)), 0);
	assert_int_equal(toml_key_count(toml_table_at(d, 0)), 0);
	assert_null(toml_get(d, "", "a"));
	assert_null(toml_table_at(d, 1));
	toml_free(&d);
	assert_null(d);

	/* no err buffer: refused all the same */
	d = (struct toml_doc *)1;
	assert_int_equal(toml_parse("a = 1", 5, &d, NULL, 0), -1);
	assert_null(d);
}

static void test_blank_and_comments(void **state)
{
	struct toml_doc *d;

	(void)state;
	d = parse("\n\n   \n\t\n# a comment\n   # indented \t comment\n#\n");
	assert_int_equal(toml_table_count(d), 1);
	toml_free(&d);
	d = parse("# only a comment, no newline");
	assert_int_equal(toml_table_count(d), 1);
	toml_free(&d);
	/* a BOM alone, and a BOM before content */
	d = parse("\xef\xbb\xbf");
	toml_free(&d);
	value_is("\xef\xbb\xbf"
		 "a = 'b'\n",
		 "", "a", "b");
	/* UTF-8 in a comment is fine */
	d = parse("# caf\xc3\xa9 \xe2\x82\xac\n");
	toml_free(&d);
}

static void test_root_and_tables(void **state)
{
	const char *text = "top = \"root value\"\n"
			   "[profiles.default]\n"
			   "url = \"https://boxlite.example.test\"\n"
			   "api_key = \"test-key-not-secret\"\n"
			   "\n"
			   "[profiles.work] # the work one\n"
			   "url = 'http://localhost:8100'\n"
			   "[other]\n"
			   "url = \"x\"\n";
	struct toml_doc *d = parse(text);

	(void)state;
	assert_string_equal(toml_get(d, "", "top"), "root value");
	assert_string_equal(toml_get(d, "profiles.default", "url"), "https://boxlite.example.test");
	assert_string_equal(toml_get(d, "profiles.default", "api_key"), "test-key-not-secret");
	assert_string_equal(toml_get(d, "profiles.work", "url"), "http://localhost:8100");
	assert_string_equal(toml_get(d, "other", "url"), "x");
	assert_null(toml_get(d, "profiles.work", "api_key"));
	assert_null(toml_get(d, "profiles", "url"));  /* implied only */
	assert_null(toml_get(d, "profiles.", "url")); /* no such name */
	assert_null(toml_get(d, "profiles.defaultx", "url"));
	assert_null(toml_get(d, "profile", "url"));
	assert_null(toml_get(d, "", "url"));
	assert_null(toml_get(d, NULL, "url"));
	toml_free(&d);
}

static void test_iteration(void **state)
{
	struct toml_doc *d =
		parse("r = 'root'\n[b.c]\nk2 = 'v2'\nk1 = 'v1'\n[a]\n[b]\nz = 'last'\n");
	const struct toml_table *t;

	(void)state;
	assert_int_equal(toml_table_count(d), 4);
	t = toml_table_at(d, 0);
	assert_int_equal(toml_table_nparts(t), 0);
	assert_int_equal(toml_key_count(t), 1);
	assert_string_equal(toml_key_at(t, 0), "r");
	assert_string_equal(toml_value_at(t, 0), "root");
	t = toml_table_at(d, 1);
	assert_int_equal(toml_table_nparts(t), 2);
	assert_string_equal(toml_table_part(t, 0), "b");
	assert_string_equal(toml_table_part(t, 1), "c");
	assert_null(toml_table_part(t, 2));
	assert_int_equal(toml_key_count(t), 2);
	assert_string_equal(toml_key_at(t, 0), "k2");
	assert_string_equal(toml_value_at(t, 1), "v1");
	assert_null(toml_key_at(t, 2));
	assert_null(toml_value_at(t, 2));
	t = toml_table_at(d, 2);
	assert_int_equal(toml_table_nparts(t), 1);
	assert_string_equal(toml_table_part(t, 0), "a");
	assert_int_equal(toml_key_count(t), 0);
	/* [b] after [b.c] is allowed: b was only implied */
	t = toml_table_at(d, 3);
	assert_string_equal(toml_table_part(t, 0), "b");
	assert_string_equal(toml_table_get(t, "z"), "last");
	toml_free(&d);
}

static void test_quoted_names(void **state)
{
	static const char *const team[] = {"profiles", "my team"};
	static const char *const dotted[] = {"profiles", "a.b"};
	static const char *const lit[] = {"profiles", "it's"};
	static const char *const empty[] = {"profiles", ""};
	struct toml_doc *d = parse("[profiles.\"my team\"]\nurl = 'http://a'\n"
				   "[ profiles . \"a.b\" ]\nurl = 'http://b'\n"
				   "[profiles.\"it's\"]\n\"quoted key\" = 'q'\n'lit key' = 'l'\n"
				   "\"\" = 'empty key'\n"
				   "[profiles.\"\"]\n"
				   "[\"caf\\u00e9\"]\n");

	(void)state;
	assert_string_equal(toml_get(d, "profiles.my team", "url"), "http://a");
	assert_string_equal(toml_table_get(toml_table_find(d, team, 2), "url"), "http://a");
	assert_string_equal(toml_table_get(toml_table_find(d, dotted, 2), "url"), "http://b");
	assert_null(toml_table_find(d, dotted, 1)); /* [profiles] is only implied */
	assert_string_equal(toml_table_get(toml_table_find(d, lit, 2), "quoted key"), "q");
	assert_string_equal(toml_table_get(toml_table_find(d, lit, 2), "lit key"), "l");
	assert_string_equal(toml_table_get(toml_table_find(d, lit, 2), ""), "empty key");
	assert_non_null(toml_table_find(d, empty, 2));
	assert_null(toml_get(d, "caf\xc3\xa9", "x"));
	assert_int_equal(toml_table_count(d), 6);
	assert_string_equal(toml_table_part(toml_table_at(d, 5), 0), "caf\xc3\xa9");
	toml_free(&d);
	/* bare keys take every allowed character */
	value_is("[t]\nAZaz09_- = 'ok'\n", "t", "AZaz09_-", "ok");
	/* no whitespace at all, and a lot of it */
	value_is("k='v'", "", "k", "v");
	value_is(" \t k \t = \t 'v' \t # c\n", "", "k", "v");
}

static void test_basic_escapes(void **state)
{
	(void)state;
	value_is("k = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "", "k", "\b\t\n\f\r\"\\");
	value_is("k = \"a\\u00e9b\"", "", "k",
		 "a\xc3\xa9"
		 "b");
	value_is("k = \"\\u0041\\u007f\\u0080\\u07FF\\u0800\"", "", "k",
		 "A\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
	value_is("k = \"\\u20AC\\uFFFF\"", "", "k", "\xe2\x82\xac\xef\xbf\xbf");
	value_is("k = \"\\U0001F600\\U0010FFFF\\U00000041\"", "", "k",
		 "\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"
		 "A");
	value_is("k = \"\\uD7FF\\uE000\"", "", "k", "\xed\x9f\xbf\xee\x80\x80");
	/* '#' and quotes of the other kind inside strings are text */
	value_is("k = \"a # not a comment 'x'\" # a comment", "", "k", "a # not a comment 'x'");
	value_is("k = \"\"", "", "k", "");
	value_is("k = \"tab\tinside\"", "", "k", "tab\tinside");
	value_is("k = \"raw caf\xc3\xa9\"", "", "k", "raw caf\xc3\xa9");
}

static void test_literal_strings(void **state)
{
	(void)state;
	value_is("k = 'C:\\Users\\nobody\\u0041'", "", "k", "C:\\Users\\nobody\\u0041");
	value_is("k = 'say \"hi\"'", "", "k", "say \"hi\"");
	value_is("k = ''", "", "k", "");
	value_is("k = 'a#b' # c", "", "k", "a#b");
}

static void test_line_ends(void **state)
{
	struct toml_doc *d;

	(void)state;
	d = parse("a = 'x'\r\n[t]\r\nb = \"y\"\r\n\r\n# c\r\n");
	assert_string_equal(toml_get(d, "", "a"), "x");
	assert_string_equal(toml_get(d, "t", "b"), "y");
	toml_free(&d);
	/* mixed, and no line end on the last line */
	value_is("a = 'x'\n\r\nb = 'y'", "", "b", "y");
	/* line numbers count CRLF lines */
	refused("a = 'x'\r\n\r\nb = 1\r\n",
		"line 3: numbers and dates are not supported: only quoted strings are");
	refused("\xef\xbb\xbf"
		"a = 1",
		"line 1: numbers and dates are not supported: only quoted strings are");
	refused("a = 'x'\rb = 'y'\n", "line 1: carriage return without a line feed");
	refused("a = 'x'\n# c\r", "line 2: carriage return without a line feed");
	refused("a = 'x'\n\r\r\n", "line 2: carriage return without a line feed");
}

static void test_refused_values(void **state)
{
	(void)state;
	refused("a = 1", "line 1: numbers and dates are not supported: only quoted strings are");
	refused("a = -1", "line 1: numbers and dates are not supported: only quoted strings are");
	refused("a = +1.5", "line 1: numbers and dates are not supported: only quoted strings are");
	refused("a = 2025-01-02T03:04:05Z",
		"line 1: numbers and dates are not supported: only quoted strings are");
	refused("a = inf", "line 1: numbers and dates are not supported: only quoted strings are");
	refused("a = nan", "line 1: numbers and dates are not supported: only quoted strings are");
	refused("\n\na = true", "line 3: booleans are not supported: only quoted strings are");
	refused("a = false", "line 1: booleans are not supported: only quoted strings are");
	refused("a = ['x']", "line 1: arrays are not supported: only quoted strings are");
	refused("a = {x = 'y'}",
		"line 1: inline tables are not supported: only quoted strings are");
	refused("a = \"\"\"x\"\"\"", "line 1: multi-line strings are not supported");
	refused("a = '''x'''", "line 1: multi-line strings are not supported");
	refused("a = \"\"\"\nx\n\"\"\"", "line 1: multi-line strings are not supported");
	refused("a = x", "line 1: expected a value (a quoted string)");
	refused("a =", "line 1: a key needs a value");
	refused("a = # c", "line 1: a key needs a value");
	refused("a = 'x' 'y'", "line 1: unexpected text after the value");
	refused("a = 'x'y", "line 1: unexpected text after the value");
}

static void test_refused_keys_and_tables(void **state)
{
	(void)state;
	refused("a.b = 'x'", "line 1: dotted keys are not supported: use a [table] header");
	refused("a . b = 'x'", "line 1: dotted keys are not supported: use a [table] header");
	refused("a", "line 1: expected '=' after key \"a\"");
	refused("a b = 'x'", "line 1: expected '=' after key \"a\"");
	refused("= 'x'", "line 1: expected a key (letters, digits, '_', '-' or a quoted string)");
	refused("k\xc3\xa9 = 'x'", "line 1: expected '=' after key \"k\"");
	refused("[[profiles]]", "line 1: arrays of tables ([[...]]) are not supported");
	refused("[]", "line 1: expected a key (letters, digits, '_', '-' or a quoted string)");
	refused("[a.]", "line 1: expected a key (letters, digits, '_', '-' or a quoted string)");
	refused("[.a]", "line 1: expected a key (letters, digits, '_', '-' or a quoted string)");
	refused("[a", "line 1: expected '.' or ']' in a table header");
	refused("[a b]", "line 1: expected '.' or ']' in a table header");
	refused("[a] x", "line 1: unexpected text after a table header");
	refused("[a]]", "line 1: unexpected text after a table header");
	refused("[\"a]", "line 1: unterminated string");
}

static void test_refused_duplicates(void **state)
{
	(void)state;
	refused("a = 'x'\na = 'y'", "line 2: duplicate key \"a\"");
	refused("a = 'x'\n\"a\" = 'y'", "line 2: duplicate key \"a\"");
	refused("[t.u]\na = 'x'\n# c\na = 'y'", "line 4: duplicate key \"a\" in [t.u]");
	refused("[a]\n[a]", "line 2: duplicate table [a]");
	refused("[a.b]\n[b]\n[ a . \"b\" ]", "line 3: duplicate table [a.b]");
	refused("a = 'x'\n[a]", "line 2: table name a is already a key");
	refused("[a]\nb = 'x'\n[a.b.c]", "line 3: table name a.b is already a key");
	refused("[a.b]\n[a]\nb = 'x'", "line 3: key \"b\" is already a table");
	refused("[a.b.c]\n[a]\nb = 'x'", "line 3: key \"b\" is already a table");
	/* control characters in a quoted name are not echoed */
	refused("\"a\\u001bb\" = 'x'\n\"a\\u001bb\" = 'y'", "line 2: duplicate key \"a?b\"");
}

static void test_refused_strings(void **state)
{
	(void)state;
	refused("a = \"x", "line 1: unterminated string");
	refused("a = 'x", "line 1: unterminated string");
	refused("a = \"x\ny\"", "line 1: unterminated string");
	refused("a = \"x\\", "line 1: unterminated string");
	refused("a = \"\\x\"", "line 1: invalid escape \\x in a string");
	refused("a = \"\\a\"", "line 1: invalid escape \\a in a string");
	refused("a = \"\\ \"", "line 1: invalid escape \\  in a string");
	refused("a = \"\\\x01\"", "line 1: invalid escape \\? in a string");
	refused("a = \"\\u12\"", "line 1: \\u needs 4 hex digits");
	refused("a = \"\\u12", "line 1: \\u needs 4 hex digits");
	refused("a = \"\\u12g4\"", "line 1: \\u needs 4 hex digits");
	refused("a = \"\\U0001F60\"", "line 1: \\U needs 8 hex digits");
	refused("a = \"\\uD800\"", "line 1: escape U+D800 is not a Unicode scalar value");
	refused("a = \"\\udfff\"", "line 1: escape U+DFFF is not a Unicode scalar value");
	refused("a = \"\\U0000DC00\"", "line 1: escape U+DC00 is not a Unicode scalar value");
	refused("a = \"\\U00110000\"", "line 1: escape U+110000 is not a Unicode scalar value");
	refused("a = \"\\UFFFFFFFF\"", "line 1: escape U+FFFFFFFF is not a Unicode scalar value");
	refused("a = \"\\u0000\"", "line 1: \\u0000 is not allowed in a string");
	refused("a = \"\\U00000000\"", "line 1: \\u0000 is not allowed in a string");
	refused("a = \"x\x01\"", "line 1: control character 0x01 in a string");
	refused("a = 'x\x1f'", "line 1: control character 0x1f in a string");
	refused("a = 'x\x7f'", "line 1: control character 0x7f in a string");
	refused_n("a = 'x\0y'", 9, "line 1: control character 0x00 in a string");
	refused_n("a\0 = 'x'", 8, "line 1: expected '=' after key \"a\"");
	refused("# fine\n# bell \x07", "line 2: control character 0x07 in a comment");
	refused("a = 'x' # \x1b[31m", "line 1: control character 0x1b in a comment");
}

static void test_refused_utf8(void **state)
{
	(void)state;
	refused("a = 'x'\n\n# \xff", "line 3: invalid UTF-8");
	refused("a = '\xc3'", "line 1: invalid UTF-8");             /* truncated */
	refused("a = '\xc0\xaf'", "line 1: invalid UTF-8");         /* overlong */
	refused("a = '\xe0\x80\xaf'", "line 1: invalid UTF-8");     /* overlong */
	refused("a = '\xed\xa0\x80'", "line 1: invalid UTF-8");     /* surrogate */
	refused("a = '\xf4\x90\x80\x80'", "line 1: invalid UTF-8"); /* past U+10FFFF */
	refused("a = '\xf0\x9f\x98'", "line 1: invalid UTF-8");
	refused_n("\xe2\x82", 2, "line 1: invalid UTF-8");
	value_is("a = '\xf4\x8f\xbf\xbf'", "", "a", "\xf4\x8f\xbf\xbf");
}

static void test_limits(void **state)
{
	size_t n = TOML_MAX_BYTES + 1;
	char *big = xmalloc(n);
	char *text = xmalloc(20 * (TOML_MAX_TABLES + 2));
	char err[64];
	struct toml_doc *d = NULL;
	size_t len = 0;

	(void)state;
	memset(big, '\n', n);
	assert_int_equal(toml_parse(big, n, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "larger than 1048576 bytes");
	assert_null(d);
	/* exactly the limit is fine */
	assert_int_equal(toml_parse(big, n - 1, &d, err, sizeof(err)), 0);
	toml_free(&d);
	free(big);

	for (int i = 0; i < TOML_MAX_TABLES; i++)
		len += (size_t)sprintf(text + len, "[t%d]\n", i);
	d = parse_n(text, len);
	assert_int_equal(toml_table_count(d), TOML_MAX_TABLES + 1);
	toml_free(&d);
	strcpy(text + len, "[one_more]\n");
	refused(text, "line 1025: more than 1024 tables");

	/* 32 parts are fine, 33 are not */
	strcpy(text, "[a");
	for (int i = 1; i < TOML_MAX_PARTS; i++)
		strcat(text, ".a");
	strcat(text, "]\nk = 'v'");
	d = parse(text);
	assert_int_equal(toml_table_nparts(toml_table_at(d, 1)), TOML_MAX_PARTS);
	toml_free(&d);
	memmove(text + 2, text, strlen(text) + 1);
	memcpy(text, "[a.", 3);
	refused(text, "line 1: a table name has more than 32 parts");
	free(text);
}

static void test_key_limit(void **state)
{
	char *text = xmalloc(16 * (TOML_MAX_KEYS + 2));
	size_t len = 0;
	struct toml_doc *d;

	(void)state;
	for (int i = 0; i < TOML_MAX_KEYS; i++)
		len += (size_t)sprintf(text + len, "k%d='v'\n", i);
	d = parse_n(text, len);
	assert_int_equal(toml_key_count(toml_table_at(d, 0)), TOML_MAX_KEYS);
	assert_string_equal(toml_get(d, "", "k16383"), "v");
	toml_free(&d);
	strcpy(text + len, "[t]\nlast='v'\n");
	refused(text, "line 16386: more than 16384 keys");
	free(text);
}

static void test_error_buffer(void **state)
{
	struct toml_doc *d = NULL;
	char err[9];

	(void)state;
	memset(err, 'z', sizeof(err));
	assert_int_equal(toml_parse("\n\n\n\n\n\n\n\n\na = 1", 14, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "line 10:");
	memset(err, 'z', sizeof(err));
	assert_int_equal(toml_parse("a = 1", 5, &d, err, 3), -1);
	assert_string_equal(err, "li");
	assert_int_equal(err[3], 'z');
	/* errlen 0 writes nothing */
	memset(err, 'z', sizeof(err));
	assert_int_equal(toml_parse("a = 1", 5, &d, err, 0), -1);
	assert_int_equal(err[0], 'z');
	/* a success clears a stale message */
	strcpy(err, "stale");
	assert_int_equal(toml_parse("a='b'", 5, &d, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	toml_free(&d);
}

/* TOML_SCALARS: booleans and decimals as text; the strict reader still refuses them. */
static void test_scalars(void **state)
{
	static const char doc[] = "refresh = 2\nratio = -0.5\nreadonly = true\nmouse = false\n"
				  "plus = +7\nname = \"x\"\n";
	static const char *const bad[] = {"a = 1.\n",         "a = .5\n",    "a = 1e3\n",
					  "a = 0x10\n",       "a = 1_000\n", "a = truee\n",
					  "a = -\n",          "a = 1.2.3\n", "a = nan\n",
					  "a = 2026-01-01\n", "a = 1 2\n"};
	struct toml_doc *d = NULL;
	char err[128];

	(void)state;
	assert_int_equal(toml_parse_flags(doc, strlen(doc), TOML_SCALARS, &d, err, sizeof(err)), 0);
	assert_string_equal(toml_get(d, "", "refresh"), "2");
	assert_string_equal(toml_get(d, "", "ratio"), "-0.5");
	assert_string_equal(toml_get(d, "", "readonly"), "true");
	assert_string_equal(toml_get(d, "", "mouse"), "false");
	assert_string_equal(toml_get(d, "", "plus"), "+7");
	assert_string_equal(toml_get(d, "", "name"), "x");
	toml_free(&d);
	assert_int_equal(toml_parse(doc, strlen(doc), &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1: numbers"));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (toml_parse_flags(bad[i], strlen(bad[i]), TOML_SCALARS, &d, err, sizeof(err)) !=
		    -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(d);
		assert_non_null(strstr(err, "line 1"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_root_and_tables),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_quoted_names),
		cmocka_unit_test(test_basic_escapes),
		cmocka_unit_test(test_literal_strings),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_refused_keys_and_tables),
		cmocka_unit_test(test_refused_duplicates),
		cmocka_unit_test(test_refused_strings),
		cmocka_unit_test(test_refused_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_key_limit),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_scalars),
	};

	return cmocka_run_group_tests_name("toml", tests, NULL, NULL);
}
