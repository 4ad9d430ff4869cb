/*
 * Unit tests for model/sanitize: degenerate arguments first, then every kind
 * of hostile input (controls, escape sequences, bidi, invalid UTF-8), then
 * widths and truncation (wide, combining, exact boundaries, small buffers,
 * 10 MB inputs), the ASCII mode, sanitize_dup and sanitize_width.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/sanitize.h"
#include "model/xalloc.h"

#define R     "\xEF\xBF\xBD"     /* U+FFFD */
#define ELL   "\xE2\x80\xA6"     /* U+2026 */
#define HAN   "\xE4\xB8\xAD"     /* U+4E2D, two columns */
#define WEN   "\xE6\x96\x87"     /* U+6587, two columns */
#define GRIN  "\xF0\x9F\x98\x80" /* U+1F600, two columns */
#define ACUTE "\xCC\x81"         /* U+0301 combining acute */

static const struct sanitize_opts ascii = {.ascii = true};

/* Sanitizes len bytes of in and checks the text and the width. */
static void expect_opts(const char *in, size_t len, size_t cols, const struct sanitize_opts *opts,
			const char *want, size_t want_width)
{
	char out[512];
	size_t width = sanitize_display_opts(in, len, cols, opts, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(width, want_width);
	assert_int_equal(sanitize_width(out), want_width);
}

static void expect(const char *in, size_t cols, const char *want, size_t want_width)
{
	expect_opts(in, strlen(in), cols, NULL, want, want_width);
}

static void test_degenerate(void **state)
{
	char out[8] = "zzzzzzz";

	(void)state;
	assert_int_equal(sanitize_display("abc", 3, 10, NULL, 8), 0);
	assert_int_equal(sanitize_display("abc", 3, 10, out, 0), 0);
	assert_string_equal(out, "zzzzzzz");
	assert_int_equal(sanitize_display(NULL, 0, 10, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(sanitize_display(NULL, 5, 10, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(sanitize_display("abc", 0, 10, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* no columns: nothing, not even the mark */
	assert_int_equal(sanitize_display("abc", 3, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(sanitize_display("abc", 3, 10, out, 1), 0);
	assert_string_equal(out, "");
	assert_null(sanitize_dup(NULL, 10));
	assert_null(sanitize_dup_opts(NULL, 10, &ascii));
	assert_int_equal(sanitize_width(NULL), 0);
	assert_int_equal(sanitize_width(""), 0);
	expect("", 10, "", 0);
}

static void test_plain_text_untouched(void **state)
{
	(void)state;
	expect("hello, world", 80, "hello, world", 12);
	expect("caf\xC3\xA9 na\xC3\xAFve", 80, "caf\xC3\xA9 na\xC3\xAFve", 10);
	expect(" ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", 80, " ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
	       33);
	expect("\xE2\x82\xAC"
	       "100",
	       80,
	       "\xE2\x82\xAC"
	       "100",
	       4);
}

static void test_not_nul_terminated(void **state)
{
	char in[8];

	(void)state;
	memcpy(in, "abcXXXXX", 8);
	expect_opts(in, 3, 80, NULL, "abc", 3);
	/* embedded NUL bytes are shown, not taken for the end */
	expect_opts("a\0b\0", 4, 80, NULL, "a" R "b" R, 4);
}

static void test_c0_controls(void **state)
{
	char in[2] = {0, 0};

	(void)state;
	for (int c = 0x01; c < 0x20; c++) {
		in[0] = (char)c;
		if (c == '\t' || c == '\n' || c == '\r')
			expect(in, 80, " ", 1);
		else if (c != 0x1B)
			expect(in, 80, R, 1);
	}
	expect("a\tb\nc\rd", 80, "a b c d", 7);
	expect("line1\r\nline2", 80, "line1  line2", 12);
	expect("bell\a\b\v\f", 80, "bell" R R R R, 8);
}

static void test_del_and_c1(void **state)
{
	char in[3] = {(char)0xC2, 0, 0};

	(void)state;
	expect("a\x7f"
	       "b",
	       80, "a" R "b", 3);
	for (int c = 0x80; c <= 0x9F; c++) {
		in[1] = (char)c;
		expect(in, 80, R, 1);
	}
	expect("\xC2\x85"
	       "next",
	       80, R "next", 5);
	/* U+00A0 and beyond are printable again */
	expect("\xC2\xA0", 80, "\xC2\xA0", 1);
}

static void test_terminal_attacks(void **state)
{
	(void)state;
	expect("\x1b]0;pwned\x07", 80, R, 1);
	expect("\x1b[2J", 80, R, 1);
	expect("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", 80, R "link" R, 6);
	expect("\x1b[31mred\x1b[0m", 80, R "red" R, 5);
	expect("\x1b[?1049h\x1b[H", 80, R R, 2);
	expect("\x1b]0;pwned\x1b\\ok", 80, R "ok", 3);
	/* a title report request, the classic echo-back attack */
	expect("\x1b[21t", 80, R, 1);
	expect("\x1b]52;c;ZWNobyBwd25lZA==\x07"
	       "after",
	       80, R "after", 6);
}

static void test_escape_forms(void **state)
{
	(void)state;
	/* unterminated strings run to the end */
	expect("ok\x1b]0;pwned and the rest", 80, "ok" R, 3);
	/* DCS, SOS, PM, APC */
	expect("\x1bPq#0;2;0;0;0\x1b\\x", 80, R "x", 2);
	expect("\x1bXsos\x1b\\x", 80, R "x", 2);
	expect("\x1b^pm\x1b\\x", 80, R "x", 2);
	expect("\x1b_apc\x1b\\x", 80, R "x", 2);
	/* CAN and SUB abort a string; a lone ESC inside starts a new sequence */
	expect("\x1b]0;x\x18ok", 80, R "ok", 3);
	expect("\x1b]0;x\x1aok", 80, R "ok", 3);
	expect("\x1b]0;x\x1b[2Jok", 80, R R "ok", 4);
	/* two-byte and intermediate forms */
	expect("\x1b"
	       "c",
	       80, R, 1);
	expect("\x1b(B"
	       "x",
	       80, R "x", 2);
	expect("\x1b#8", 80, R, 1);
	expect("\x1b=\x1b>", 80, R R, 2);
	/* ESC with nothing after it, or something no sequence allows */
	expect("a\x1b", 80, "a" R, 2);
	expect("\x1b\x1b", 80, R R, 2);
	expect("\x1b\xC3\xA9", 80, R "\xC3\xA9", 2);
	expect("\x1b\n", 80, R " ", 2);
	/* a CSI broken by a control ends there; the control is read again */
	expect("\x1b[12\nx", 80, R " x", 3);
	expect("\x1b[", 80, R, 1);
}

static void test_c1_introducers(void **state)
{
	(void)state;
	expect("\xC2\x9B"
	       "2J"
	       "ok",
	       80, R "ok", 3);
	expect("\xC2\x9D"
	       "0;pwned\x07"
	       "ok",
	       80, R "ok", 3);
	expect("\xC2\x9D"
	       "0;pwned\xC2\x9C"
	       "ok",
	       80, R "ok", 3);
	expect("\xC2\x90"
	       "dcs\x1b\\"
	       "ok",
	       80, R "ok", 3);
	expect("\xC2\x98"
	       "sos\x1b\\"
	       "ok",
	       80, R "ok", 3);
	expect("\xC2\x9E"
	       "pm\x1b\\"
	       "ok",
	       80, R "ok", 3);
	expect("\xC2\x9F"
	       "apc\x1b\\"
	       "ok",
	       80, R "ok", 3);
	/* raw 8-bit forms are invalid UTF-8: replaced, the rest is plain text */
	expect("\x9b"
	       "2J",
	       80, R "2J", 3);
}

static void test_bidi_and_separators(void **state)
{
	static const char *const controls[] = {
		"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
		"\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", "\xE2\x80\x8E",
		"\xE2\x80\x8F", "\xD8\x9C",     "\xE2\x80\xA8", "\xE2\x80\xA9",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(controls); i++)
		expect(controls[i], 80, R, 1);
	/* "invoice_\u202Efdp.exe" would show as "invoice_exe.pdf" */
	expect("invoice_\xE2\x80\xAE"
	       "fdp.exe",
	       80, "invoice_" R "fdp.exe", 16);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* overlongs: the lead byte cannot start them, so every byte is its own */
	expect("\xC0\xAF", 80, R R, 2);
	expect("\xC1\xBF", 80, R R, 2);
	expect("\xE0\x80\xAF", 80, R R R, 3);
	expect("\xF0\x80\x80\xAF", 80, R R R R, 4);
	/* surrogates and past U+10FFFF */
	expect("\xED\xA0\x80", 80, R R R, 3);
	expect("\xED\xBF\xBF", 80, R R R, 3);
	expect("\xF4\x90\x80\x80", 80, R R R R, 4);
	expect("\xF5\x80\x80\x80", 80, R R R R, 4);
	expect("\xFE\xFF", 80, R R, 2);
	/* truncated: the maximal valid prefix is one U+FFFD */
	expect("\xE2\x82", 80, R, 1);
	expect("\xE2\x82x", 80, R "x", 2);
	expect("\xF0\x9F\x98", 80, R, 1);
	expect("\xF0\x9F\x98"
	       "ok",
	       80, R "ok", 3);
	expect("\xC3", 80, R, 1);
	/* stray continuation bytes */
	expect("\x80", 80, R, 1);
	expect("a\xBF\xBF"
	       "b",
	       80, "a" R R "b", 4);
	/* noncharacters */
	expect("\xEF\xBF\xBF", 80, R, 1);
	expect("\xEF\xBF\xBE", 80, R, 1);
	expect("\xEF\xB7\x90", 80, R, 1);
	expect("\xF4\x8F\xBF\xBF", 80, R, 1);
	/* the boundaries that are valid */
	expect("a\xED\x9F\xBF", 80, "a\xED\x9F\xBF", 1);
	expect("\xEE\x80\x80", 80, "\xEE\x80\x80", 1);
	expect("\xF4\x8F\xBF\xBD", 80, "\xF4\x8F\xBF\xBD", 1);
}

static void test_emoji(void **state)
{
	(void)state;
	expect(GRIN, 80, GRIN, 2);
	expect("ok" GRIN, 4, "ok" GRIN, 4);
	expect("ok" GRIN, 3, "ok" ELL, 3);
	expect("ok" GRIN "!", 4, "ok" ELL, 3);
	expect(GRIN GRIN, 3, GRIN ELL, 3);
}

static void test_wide_truncation(void **state)
{
	(void)state;
	expect(HAN WEN HAN, 6, HAN WEN HAN, 6);
	expect(HAN WEN HAN, 5, HAN WEN ELL, 5);
	/* the second character would need columns 3-4 and the mark column 4 */
	expect(HAN WEN HAN, 4, HAN ELL, 3);
	expect(HAN WEN HAN, 3, HAN ELL, 3);
	expect(HAN WEN HAN, 2, ELL, 1);
	expect(HAN WEN HAN, 1, ELL, 1);
	expect(HAN, 2, HAN, 2);
	expect(HAN, 1, ELL, 1);
	expect("a" HAN, 2, "a" ELL, 2);
	expect("a" HAN, 3, "a" HAN, 3);
	/* fullwidth forms and Hangul */
	expect("\xEF\xBC\xA1\xEA\xB0\x80", 80, "\xEF\xBC\xA1\xEA\xB0\x80", 4);
}

static void test_combining(void **state)
{
	char in[64] = "a";

	(void)state;
	expect("e" ACUTE, 80, "e" ACUTE, 1);
	expect("e" ACUTE "xyz", 2, "e" ACUTE ELL, 2);
	expect("abe" ACUTE, 3, "abe" ACUTE, 3);
	/* nothing to join: a leading mark is dropped */
	expect(ACUTE "a", 80, "a", 1);
	expect("\xE2\x80\x8B"
	       "a",
	       80, "a", 1);
	/* zero-width joiner and variation selector stay with their emoji */
	expect(GRIN "\xE2\x80\x8D" GRIN, 80, GRIN "\xE2\x80\x8D" GRIN, 4);
	expect("\xE2\x9D\xA4\xEF\xB8\x8F", 80, "\xE2\x9D\xA4\xEF\xB8\x8F", 1);
	/* at most SANITIZE_MAX_MARKS marks per character */
	for (int i = 0; i < 20; i++)
		strcat(in, ACUTE);
	strcat(in, "b");
	expect_opts(in, strlen(in), 80, NULL,
		    "a" ACUTE ACUTE ACUTE ACUTE ACUTE ACUTE ACUTE ACUTE "b", 2);
}

static void test_exact_boundary(void **state)
{
	(void)state;
	expect("abcde", 5, "abcde", 5);
	expect("abcdef", 5, "abcd" ELL, 5);
	expect("abcdef", 6, "abcdef", 6);
	expect("abcde" ACUTE, 5, "abcde" ACUTE, 5);
	/* a hidden sequence still shows as a column */
	expect("abcde\x1b[0m", 5, "abcd" ELL, 5);
	expect("abcde\x1b[0m", 6, "abcde" R, 6);
	expect("a", 1, "a", 1);
	expect("ab", 1, ELL, 1);
	expect("ab", 2, "ab", 2);
}

/* out_size bytes of a sentinel-filled buffer; checks nothing past them was written. */
static size_t small_out(const char *in, size_t out_size, const struct sanitize_opts *opts,
			char *out)
{
	char buf[64];
	size_t width;

	memset(buf, 'Z', sizeof(buf));
	width = sanitize_display_opts(in, strlen(in), 80, opts, buf, out_size);
	for (size_t i = out_size; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'Z');
	assert_non_null(memchr(buf, '\0', out_size));
	memcpy(out, buf, out_size);
	return width;
}

static void test_out_size_small(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(small_out("hello", 1, NULL, out), 0);
	assert_string_equal(out, "");
	/* no room for "…" at all: a plain cut */
	assert_int_equal(small_out("hello", 3, NULL, out), 2);
	assert_string_equal(out, "he");
	assert_int_equal(small_out("hello", 4, NULL, out), 1);
	assert_string_equal(out, ELL);
	assert_int_equal(small_out("hello", 5, NULL, out), 2);
	assert_string_equal(out, "h" ELL);
	assert_int_equal(small_out("hello", 6, NULL, out), 5);
	assert_string_equal(out, "hello");
	/* a character is never split for lack of bytes */
	assert_int_equal(small_out("\xC3\xA9\xC3\xA9\xC3\xA9", 6, NULL, out), 2);
	assert_string_equal(out, "\xC3\xA9" ELL);
	assert_int_equal(small_out(GRIN GRIN, 6, NULL, out), 1);
	assert_string_equal(out, ELL);
	assert_int_equal(small_out(GRIN GRIN, 8, NULL, out), 3);
	assert_string_equal(out, GRIN ELL);
	assert_int_equal(small_out("\x1b[2J\x1b[2J", 4, NULL, out), 1);
	assert_string_equal(out, ELL);
	assert_int_equal(small_out("hello", 3, &ascii, out), 2);
	assert_string_equal(out, "h~");
}

static char *big(size_t size, const char *head, const char *fill)
{
	char *s = xmalloc(size + 1);
	size_t fl = strlen(fill), hl = strlen(head);

	memcpy(s, head, hl);
	for (size_t i = hl; i < size; i++)
		s[i] = fill[(i - hl) % fl];
	s[size] = '\0';
	return s;
}

static void test_ten_megabytes(void **state)
{
	const size_t size = 10u * 1024 * 1024;
	char want[512] = "";
	char *s;

	(void)state;
	s = big(size, "", "x");
	memset(want, 'x', 79);
	strcpy(want + 79, ELL);
	expect_opts(s, size, 80, NULL, want, 80);
	free(s);
	s = big(size - size % 3, "", HAN);
	want[0] = '\0';
	for (int i = 0; i < 39; i++)
		strcat(want, HAN);
	strcat(want, ELL);
	expect_opts(s, size - size % 3, 80, NULL, want, 79);
	free(s);
	/* an unterminated string swallows the lot */
	s = big(size, "ok\x1b]0;", "y");
	expect_opts(s, size, 80, NULL, "ok" R, 3);
	free(s);
	/* marks past the cap are dropped, not stored */
	s = big(size - (size - 1) % 2, "a", ACUTE);
	expect_opts(s, strlen(s), 80, NULL, "a" ACUTE ACUTE ACUTE ACUTE ACUTE ACUTE ACUTE ACUTE, 1);
	free(s);
	s = big(size, "", "\xff");
	want[0] = '\0';
	for (int i = 0; i < 79; i++)
		strcat(want, R);
	strcat(want, ELL);
	expect_opts(s, size, 80, NULL, want, 80);
	free(s);
}

static void test_ascii_mode(void **state)
{
	(void)state;
	expect_opts("plain", 5, 80, &ascii, "plain", 5);
	expect_opts("h\xC3\xA9llo", 6, 80, &ascii, "h?llo", 5);
	expect_opts(HAN, 3, 80, &ascii, "?", 1);
	expect_opts("e" ACUTE, 3, 80, &ascii, "e?", 2);
	expect_opts(GRIN, 4, 80, &ascii, "?", 1);
	expect_opts("\x1b]0;pwned\x07"
		    "ok",
		    12, 80, &ascii, "?ok", 3);
	expect_opts("a\tb\x01\x7f", 5, 80, &ascii, "a b??", 5);
	expect_opts("\xE2\x80\xAE", 3, 80, &ascii, "?", 1);
	expect_opts("\xF0\x9F\x98", 3, 80, &ascii, "?", 1);
	expect_opts("abcdef", 6, 5, &ascii, "abcd~", 5);
	expect_opts("abcde", 5, 5, &ascii, "abcde", 5);
	expect_opts(HAN WEN HAN, 9, 2, &ascii, "?~", 2);
}

static void test_dup(void **state)
{
	char *s;

	(void)state;
	s = sanitize_dup("a\x1b[2J"
			 "b",
			 SANITIZE_NO_LIMIT);
	assert_string_equal(s, "a" R "b");
	free(s);
	s = sanitize_dup(HAN WEN, 3);
	assert_string_equal(s, HAN ELL);
	free(s);
	s = sanitize_dup("", 10);
	assert_string_equal(s, "");
	free(s);
	s = sanitize_dup("abc", 0);
	assert_string_equal(s, "");
	free(s);
	/* the worst growth: every byte becomes a three-byte U+FFFD */
	s = sanitize_dup("\xff\xff\xff\xff", SANITIZE_NO_LIMIT);
	assert_string_equal(s, R R R R);
	free(s);
	s = sanitize_dup_opts("h\xC3\xA9llo w\xC3\xB6rld", 8, &ascii);
	assert_string_equal(s, "h?llo w~");
	free(s);
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(sanitize_width("abc"), 3);
	assert_int_equal(sanitize_width(HAN "a"), 3);
	assert_int_equal(sanitize_width(GRIN), 2);
	assert_int_equal(sanitize_width("e" ACUTE), 1);
	assert_int_equal(sanitize_width(R ELL), 2);
	/* not sanitized after all: each bad unit is a column, as it would be shown */
	assert_int_equal(sanitize_width("\xff\x01"), 2);
	assert_int_equal(sanitize_width("\xE2\x82"), 1);
}

/* The longest prefix of whole characters that fits: a long line drawn a row at a time. */
static void test_prefix(void **state)
{
	size_t cols;

	(void)state;
	assert_int_equal(sanitize_prefix("abcdef", 6, 4, &cols), 4);
	assert_int_equal(cols, 4);
	assert_int_equal(sanitize_prefix("abc", 3, 10, &cols), 3);
	assert_int_equal(cols, 3);
	/* a wide character that does not fit whole is left for the next row */
	assert_int_equal(sanitize_prefix("ab\xe4\xb8\xad"
					 "c",
					 6, 3, &cols),
			 2);
	assert_int_equal(cols, 2);
	assert_int_equal(sanitize_prefix("ab\xe4\xb8\xad"
					 "c",
					 6, 4, &cols),
			 5);
	assert_int_equal(cols, 4);
	/* a combining mark stays with its character */
	assert_int_equal(sanitize_prefix("e\xcc\x81x", 4, 1, &cols), 3);
	assert_int_equal(cols, 1);
	assert_int_equal(sanitize_prefix("abc", 3, 0, &cols), 0);
	assert_int_equal(sanitize_prefix("", 0, 5, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_plain_text_untouched),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_del_and_c1),
		cmocka_unit_test(test_terminal_attacks),
		cmocka_unit_test(test_escape_forms),
		cmocka_unit_test(test_c1_introducers),
		cmocka_unit_test(test_bidi_and_separators),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_wide_truncation),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_exact_boundary),
		cmocka_unit_test(test_out_size_small),
		cmocka_unit_test(test_ten_megabytes),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
