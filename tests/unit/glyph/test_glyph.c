/*
 * Unit tests for tui/glyph: degenerate arguments first (no buffer, zero
 * width, empty and all-gap series, NaN and infinite values, fractions out of
 * range), then exact strings in both glyph sets for each function, then
 * width invariants over many random inputs (fixed seed), checked with
 * sanitize_width(), and buffers that are too small.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/sanitize.h"
#include "tui/glyph.h"
#include "model/xalloc.h"

#define ELL   "\xE2\x80\xA6"     /* U+2026 */
#define R     "\xEF\xBF\xBD"     /* U+FFFD */
#define HAN   "\xE4\xB8\xAD"     /* U+4E2D, two columns */
#define WEN   "\xE6\x96\x87"     /* U+6587, two columns */
#define GRIN  "\xF0\x9F\x98\x80" /* U+1F600, two columns */
#define ACUTE "\xCC\x81"         /* U+0301, zero columns */

/* xorshift64: the same sequence on every libc. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

static double rng_unit(void)
{
	return (double)(rng() >> 11) / (double)(UINT64_C(1) << 53);
}

/* s is valid, printable UTF-8: sanitizing it again changes nothing. */
static void assert_clean(const char *s)
{
	static char again[8192];

	sanitize_display(s, strlen(s), SANITIZE_NO_LIMIT, again, sizeof(again));
	assert_string_equal(again, s);
}

/* A result that claims cols columns: it has them, and nothing unprintable. */
static void assert_cols(const char *s, size_t ret, size_t cols)
{
	assert_int_equal(ret, cols);
	assert_int_equal(sanitize_width(s), cols);
	assert_clean(s);
}

static void assert_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		assert_true((unsigned char)*s < 0x80);
}

static void spark_is(const double *v, size_t n, double max, enum glyph_set set, size_t w,
		     const char *want)
{
	char out[GLYPH_BUF(64)];

	assert_cols(out, glyph_sparkline(v, n, max, set, w, out, sizeof(out)), w);
	assert_string_equal(out, want);
}

static void bar_is(double frac, enum glyph_set set, size_t w, const char *want)
{
	char out[GLYPH_BUF(64)];

	assert_cols(out, glyph_bar(frac, set, w, out, sizeof(out)), w);
	assert_string_equal(out, want);
}

static void fit_is(const char *s, size_t w, enum glyph_align align, enum glyph_set set,
		   const char *want)
{
	char out[GLYPH_FIT_BUF(32)];

	assert_cols(out, glyph_fit(s, w, align, set, out, sizeof(out)), w);
	assert_string_equal(out, want);
}

static void meter_is(double frac, const char *label, enum glyph_set set, size_t w, const char *want)
{
	char out[GLYPH_FIT_BUF(32)];

	assert_cols(out, glyph_meter(frac, label, set, w, out, sizeof(out)), w);
	assert_string_equal(out, want);
}

/* Builds segments from values, letters 'A', 'B', ... and the given UTF-8 glyphs. */
static void make_segs(struct glyph_segment *seg, const double *v, size_t n,
		      const char *const *glyphs)
{
	for (size_t i = 0; i < n; i++) {
		seg[i].value = v[i];
		seg[i].glyph = glyphs != NULL ? glyphs[i] : NULL;
		seg[i].letter = (char)('A' + i);
	}
}

/* Stacks v in w cells (ASCII letters); checks the string and the counts. */
static void stack_is(const double *v, size_t n, size_t w, const char *want, const size_t *cells)
{
	struct glyph_segment seg[8] = {{0}};
	size_t got[8];
	char out[GLYPH_BUF(64)];

	make_segs(seg, v, n, NULL);
	assert_cols(out, glyph_stack(seg, n, GLYPH_ASCII, w, got, out, sizeof(out)), w);
	assert_string_equal(out, want);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], cells[i]);
}

static void test_no_buffer(void **state)
{
	double v[] = {1, 2};
	struct glyph_segment seg = {.value = 1, .letter = 'x'};
	size_t cells = 99;

	(void)state;
	assert_int_equal(glyph_sparkline(v, 2, 0, GLYPH_UTF8, 4, NULL, 16), 0);
	assert_int_equal(glyph_bar(0.5, GLYPH_UTF8, 4, NULL, 16), 0);
	assert_int_equal(glyph_stack(&seg, 1, GLYPH_UTF8, 4, &cells, NULL, 16), 0);
	assert_int_equal(cells, 0);
	assert_int_equal(glyph_fit("abc", 4, GLYPH_LEFT, GLYPH_UTF8, NULL, 16), 0);
	assert_int_equal(glyph_meter(0.5, "x", GLYPH_UTF8, 4, NULL, 16), 0);
}

static void test_zero_size_and_one_byte(void **state)
{
	double v[] = {1, 2};
	struct glyph_segment seg = {.value = 1, .letter = 'x'};
	size_t cells = 99;
	char out[4] = "zzz";

	(void)state;
	/* out_size 0: not even the NUL */
	assert_int_equal(glyph_bar(0.5, GLYPH_ASCII, 4, out, 0), 0);
	assert_int_equal(glyph_fit("abc", 4, GLYPH_LEFT, GLYPH_ASCII, out, 0), 0);
	assert_string_equal(out, "zzz");
	/* out_size 1: the NUL only */
	assert_int_equal(glyph_sparkline(v, 2, 0, GLYPH_ASCII, 4, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(glyph_bar(0.5, GLYPH_ASCII, 4, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(glyph_stack(&seg, 1, GLYPH_ASCII, 4, &cells, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(cells, 0);
	assert_int_equal(glyph_fit("abc", 4, GLYPH_LEFT, GLYPH_ASCII, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(glyph_meter(0.5, "x", GLYPH_ASCII, 4, out, 1), 0);
	assert_string_equal(out, "");
}

static void test_zero_width(void **state)
{
	double v[] = {1, 2};
	struct glyph_segment seg = {.value = 1, .letter = 'x'};
	size_t cells = 99;

	(void)state;
	for (int set = GLYPH_UTF8; set <= GLYPH_ASCII; set++) {
		spark_is(v, 2, 0, (enum glyph_set)set, 0, "");
		bar_is(0.5, (enum glyph_set)set, 0, "");
		bar_is(NAN, (enum glyph_set)set, 0, "");
		fit_is("abc", 0, GLYPH_RIGHT, (enum glyph_set)set, "");
		meter_is(0.5, "50%", (enum glyph_set)set, 0, "");
	}
	stack_is((double[]){1}, 1, 0, "", (size_t[]){0});
	assert_int_equal(glyph_stack(&seg, 1, GLYPH_UTF8, 0, &cells, (char[4]){0}, 4), 0);
	assert_int_equal(cells, 0);
}

static void test_set_pick(void **state)
{
	(void)state;
	assert_int_equal(glyph_set_pick(false, "UTF-8"), GLYPH_UTF8);
	assert_int_equal(glyph_set_pick(false, "utf-8"), GLYPH_UTF8);
	assert_int_equal(glyph_set_pick(false, "utf8"), GLYPH_UTF8);
	assert_int_equal(glyph_set_pick(true, "UTF-8"), GLYPH_ASCII);
	assert_int_equal(glyph_set_pick(false, "ANSI_X3.4-1968"), GLYPH_ASCII);
	assert_int_equal(glyph_set_pick(false, "ISO-8859-1"), GLYPH_ASCII);
	assert_int_equal(glyph_set_pick(false, ""), GLYPH_ASCII);
	assert_int_equal(glyph_set_pick(false, NULL), GLYPH_ASCII);
}

static void test_spark_empty_and_gaps(void **state)
{
	double nan4[] = {NAN, NAN, NAN, NAN};
	double odd[] = {1, NAN, 1, INFINITY, -INFINITY, 1};

	(void)state;
	spark_is(NULL, 0, 0, GLYPH_UTF8, 3, "   ");
	spark_is(NULL, 5, 0, GLYPH_UTF8, 3, "   "); /* NULL values: nothing to show */
	spark_is(nan4, 0, 0, GLYPH_ASCII, 3, "   ");
	spark_is(nan4, 4, 0, GLYPH_UTF8, 4, "    ");
	spark_is(nan4, 4, 10, GLYPH_ASCII, 6, "      ");
	/* infinities are gaps too, and do not become the auto scale */
	spark_is(odd, 6, 1, GLYPH_UTF8, 6, "█ █  █");
	spark_is(odd, 6, 0, GLYPH_ASCII, 6, "_ _  _");
	/* W = 1 shows the newest value */
	spark_is(odd, 6, 1, GLYPH_UTF8, 1, "█");
	spark_is(odd, 5, 1, GLYPH_UTF8, 1, " ");
}

static void test_spark_levels(void **state)
{
	double v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

	(void)state;
	/* floor(8 v / max), the top level from 7/8 of max, clipped above max */
	spark_is(v, 10, 8, GLYPH_UTF8, 10, "▁▂▃▄▅▆▇███");
	spark_is(v, 10, 8, GLYPH_ASCII, 10, "_.:-=+*###");
	/* max of 0, negative, NaN or infinite: auto, the largest value shown */
	spark_is(v, 9, 0, GLYPH_UTF8, 9, "▁▂▃▄▅▆▇██");
	spark_is(v, 9, -5, GLYPH_UTF8, 9, "▁▂▃▄▅▆▇██");
	spark_is(v, 9, NAN, GLYPH_ASCII, 9, "_.:-=+*##");
	spark_is(v, 9, INFINITY, GLYPH_ASCII, 9, "_.:-=+*##");
	spark_is((double[]){0, 1, 2, 4}, 4, 0, GLYPH_UTF8, 4, "▁▃▅█");
	spark_is((double[]){0, 1, 2, 4}, 4, 0, GLYPH_ASCII, 4, "_:=#");
}

static void test_spark_flat_and_negative(void **state)
{
	double zero[] = {0, 0, 0};
	double flat[] = {5, 5, 5};

	(void)state;
	spark_is(zero, 3, 0, GLYPH_UTF8, 3, "▁▁▁");
	spark_is(zero, 3, 0, GLYPH_ASCII, 3, "___");
	spark_is(flat, 3, 0, GLYPH_UTF8, 3, "▁▁▁");
	spark_is((double[]){5}, 1, 0, GLYPH_UTF8, 2, " ▁");
	/* a flat series against a given max keeps its level */
	spark_is(flat, 3, 10, GLYPH_UTF8, 3, "▅▅▅");
	spark_is(zero, 3, 10, GLYPH_UTF8, 3, "▁▁▁");
	/* negative values count as 0 */
	spark_is((double[]){-3, 4}, 2, 0, GLYPH_UTF8, 2, "▁█");
	spark_is((double[]){-3, -1}, 2, 0, GLYPH_ASCII, 2, "__");
	spark_is((double[]){-3, 4}, 2, 8, GLYPH_ASCII, 2, "_=");
	/* a huge value scales without overflow */
	spark_is((double[]){1e308, 1.7e308, 0}, 3, 0, GLYPH_UTF8, 3, "▅█▁");
}

static void test_spark_window(void **state)
{
	double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

	(void)state;
	/* longer than W: the last W, scaled to what is shown */
	spark_is(v, 10, 10, GLYPH_UTF8, 4, "▆▇██");
	spark_is(v, 10, 0, GLYPH_ASCII, 4, "+*##");
	/* shorter: blanks on the left */
	spark_is((double[]){8}, 1, 8, GLYPH_UTF8, 3, "  █");
	spark_is(v, 3, 3, GLYPH_ASCII, 5, "  :+#");
	spark_is(v, 10, 10, GLYPH_ASCII, 10, "_.:-==+*##");
}

/* Random series through the sparkline: always W cells, gaps blank, ASCII stays ASCII. */
static void test_spark_random(void **state)
{
	double v[200];
	char out[GLYPH_BUF(100)];

	(void)state;
	rng_state = 0xA0761D6478BD642Fu;
	for (int round = 0; round < 5000; round++) {
		size_t n = rng_below(201), w = rng_below(101);
		enum glyph_set set = (enum glyph_set)rng_below(2);
		double max = rng_below(3) == 0 ? 0 : rng_unit() * 100;
		size_t blanks = 0;

		for (size_t i = 0; i < n; i++) {
			size_t kind = rng_below(10);

			v[i] = kind == 0 ? NAN : kind == 1 ? -rng_unit() : rng_unit() * 150;
		}
		assert_cols(out, glyph_sparkline(v, n, max, set, w, out, sizeof(out)), w);
		if (set == GLYPH_ASCII)
			assert_ascii(out);
		for (const char *p = out; *p != '\0'; p++)
			blanks += *p == ' ';
		/* blanks are the padding and the gaps shown, nothing else */
		for (size_t i = n > w ? n - w : 0; i < n; i++)
			blanks -= isnan(v[i]);
		assert_int_equal(blanks, n < w ? w - n : 0);
	}
}

static void test_bar_ends(void **state)
{
	(void)state;
	bar_is(0, GLYPH_UTF8, 4, "    ");
	bar_is(1, GLYPH_UTF8, 4, "████");
	bar_is(0, GLYPH_ASCII, 4, "----");
	bar_is(1, GLYPH_ASCII, 4, "####");
	/* out of range clamps */
	bar_is(-0.5, GLYPH_UTF8, 3, "   ");
	bar_is(7, GLYPH_UTF8, 3, "███");
	bar_is(-1e300, GLYPH_ASCII, 3, "---");
	bar_is(1.0000001, GLYPH_ASCII, 3, "###");
	/* only 1 fills the bar */
	bar_is(0.999999, GLYPH_UTF8, 4, "███▉");
	bar_is(0.999999, GLYPH_ASCII, 4, "###-");
	bar_is(1 - 1e-9, GLYPH_UTF8, 4, "███▉");
	bar_is(1 - 1e-12, GLYPH_ASCII, 1, "-");
	/* unknown */
	bar_is(NAN, GLYPH_UTF8, 3, "░░░");
	bar_is(INFINITY, GLYPH_UTF8, 3, "░░░");
	bar_is(-INFINITY, GLYPH_ASCII, 3, "???");
	bar_is(NAN, GLYPH_ASCII, 1, "?");
}

static void test_bar_eighths(void **state)
{
	static const char *const part[] = {" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};

	(void)state;
	for (size_t k = 0; k <= 8; k++) {
		bar_is((double)k / 8, GLYPH_UTF8, 1, part[k]);
		bar_is((double)k / 8, GLYPH_ASCII, 1, k == 8 ? "#" : "-");
	}
	bar_is(0.5, GLYPH_UTF8, 4, "██  ");
	bar_is(17.0 / 32, GLYPH_UTF8, 4, "██▏ ");
	bar_is(0.5, GLYPH_ASCII, 4, "##--");
	bar_is(0.74, GLYPH_ASCII, 4, "##--");
	/* 0.3 * 10 cells is not 2.999... cells */
	bar_is(0.3, GLYPH_UTF8, 10, "███       ");
	bar_is(0.3, GLYPH_ASCII, 10, "###-------");
	bar_is(0.7, GLYPH_ASCII, 10, "#######---");
}

/* Fractions whose product lands a hair under a whole unit in binary still reach it. */
static void test_rounding_slack(void **state)
{
	char want[64];

	(void)state;
	/* 0.145 * 200 eighths is 28.999999999999996 */
	snprintf(want, sizeof(want), "███▋%21s", "");
	bar_is(0.145, GLYPH_UTF8, 25, want);
	/* 0.58 * 50 inner columns is 28.999999999999996 */
	snprintf(want, sizeof(want), "[%.29s%21s]", "||||||||||||||||||||||||||||||", "");
	meter_is(0.58, NULL, GLYPH_ASCII, 52, want);
}

/* Any fraction in any width: exactly W cells, and more fraction never fewer filled. */
static void test_bar_random(void **state)
{
	char out[GLYPH_BUF(100)];

	(void)state;
	rng_state = 0x9E3779B97F4A7C15u;
	for (int i = 0; i < 20000; i++) {
		size_t w = rng_below(101);
		double f = rng_unit() * 1.5 - 0.25;
		enum glyph_set set = (enum glyph_set)rng_below(2);
		size_t filled, more;

		assert_cols(out, glyph_bar(f, set, w, out, sizeof(out)), w);
		assert_true(strlen(out) < GLYPH_BUF(w));
		if (set == GLYPH_ASCII)
			assert_ascii(out);
		filled = strspn(out, "#");
		glyph_bar(f + 0.01, set, w, out, sizeof(out));
		more = strspn(out, "#");
		assert_true(more >= filled);
	}
}

static void test_bar_small_buffer(void **state)
{
	char out[GLYPH_BUF(4)];

	(void)state;
	/* UTF-8 cells take 3 bytes: a whole cell or none, never a split one */
	assert_int_equal(glyph_bar(1, GLYPH_UTF8, 4, out, 13), 4);
	assert_int_equal(glyph_bar(1, GLYPH_UTF8, 4, out, 12), 3);
	assert_string_equal(out, "███");
	assert_int_equal(glyph_bar(1, GLYPH_UTF8, 4, out, 9), 2);
	assert_string_equal(out, "██");
	assert_int_equal(glyph_bar(1, GLYPH_UTF8, 4, out, 3), 0);
	assert_string_equal(out, "");
	/* a partial cell that does not fit ends the bar there */
	assert_int_equal(glyph_bar(0.5 + 1.0 / 16, GLYPH_UTF8, 4, out, 8), 2);
	assert_string_equal(out, "██");
	assert_int_equal(glyph_bar(0.5, GLYPH_ASCII, 4, out, 4), 3);
	assert_string_equal(out, "##-");
	assert_int_equal(glyph_sparkline((double[]){1, 2, 3}, 3, 3, GLYPH_UTF8, 4, out, 7), 2);
	assert_string_equal(out, " ▃");
	/* a huge W is drawn no wider than the buffer */
	assert_int_equal(glyph_bar(0.5, GLYPH_ASCII, SIZE_MAX, out, sizeof(out)), sizeof(out) - 1);
	assert_int_equal(glyph_sparkline(NULL, 0, 0, GLYPH_ASCII, SIZE_MAX, out, 5), 4);
	/* ... and scaled as GLYPH_MAX_W, without overflow: half of it is all '#' here */
	assert_int_equal(glyph_bar(0.5, GLYPH_ASCII, SIZE_MAX / 8 + 2, out, sizeof(out)), 16);
	assert_string_equal(out, "################");
}

static void test_stack_exact(void **state)
{
	(void)state;
	stack_is((double[]){50, 30, 20}, 3, 10, "AAAAABBBCC", (size_t[]){5, 3, 2});
	/* largest remainder, ties to the earlier segment */
	stack_is((double[]){1, 1, 1}, 3, 10, "AAAABBBCCC", (size_t[]){4, 3, 3});
	stack_is((double[]){2, 1}, 2, 2, "AB", (size_t[]){1, 1});
	stack_is((double[]){1, 2}, 2, 4, "ABBB", (size_t[]){1, 3});
	stack_is((double[]){1, 1, 1}, 3, 2, "AB", (size_t[]){1, 1, 0});
	/* a small non-zero segment gets a cell when W allows ... */
	stack_is((double[]){100, 1}, 2, 5, "AAAAB", (size_t[]){4, 1});
	stack_is((double[]){10, 10, 1, 1}, 4, 4, "ABCD", (size_t[]){1, 1, 1, 1});
	stack_is((double[]){1, 1000, 1}, 3, 3, "ABC", (size_t[]){1, 1, 1});
	/* ... and not when it does not */
	stack_is((double[]){100, 1, 1}, 3, 1, "A", (size_t[]){1, 0, 0});
	stack_is((double[]){100, 1, 1}, 3, 2, "AA", (size_t[]){2, 0, 0});
	stack_is((double[]){1}, 1, 1, "A", (size_t[]){1});
}

static void test_stack_odd_values(void **state)
{
	(void)state;
	/* zero, negative, NaN and infinite values count as 0 */
	stack_is((double[]){NAN, 5, -1, INFINITY, 5, 0}, 6, 4, "BBEE",
		 (size_t[]){0, 2, 0, 0, 2, 0});
	stack_is((double[]){0, 0}, 2, 3, "   ", (size_t[]){0, 0});
	stack_is((double[]){NAN, -INFINITY}, 2, 2, "  ", (size_t[]){0, 0});
	stack_is(NULL, 0, 3, "   ", NULL);
	/* huge values do not overflow the sum */
	stack_is((double[]){1e308, 1.7e308, 1e308}, 3, 6, "AABBBC", (size_t[]){2, 3, 1});
	stack_is((double[]){1e-300, 3e-300}, 2, 4, "ABBB", (size_t[]){1, 3});
}

static void test_stack_glyphs(void **state)
{
	static const char *const glyphs[] = {"█", "▓", NULL, HAN, "\x1B", "ab", "e" ACUTE};
	struct glyph_segment seg[7];
	size_t cells[7];
	char out[GLYPH_BUF(16)];

	(void)state;
	make_segs(seg, (double[]){1, 1, 1, 1, 1, 1, 1}, 7, glyphs);
	seg[5].letter = '\n';
	/* NULL, wide, control and two-column glyphs fall back to the letter */
	assert_cols(out, glyph_stack(seg, 7, GLYPH_UTF8, 7, cells, out, sizeof(out)), 7);
	assert_string_equal(out, "█▓CDE#e" ACUTE);
	assert_cols(out, glyph_stack(seg, 7, GLYPH_ASCII, 7, cells, out, sizeof(out)), 7);
	assert_string_equal(out, "ABCDE#G");
	assert_cols(out, glyph_stack(seg, 2, GLYPH_UTF8, 5, cells, out, sizeof(out)), 5);
	assert_string_equal(out, "███▓▓");
}

static void test_stack_small_buffer(void **state)
{
	struct glyph_segment seg[2];
	size_t cells[2] = {9, 9};
	char out[GLYPH_BUF(4)];

	(void)state;
	make_segs(seg, (double[]){1, 1}, 2, (const char *const[]){"█", "▓"});
	/* the counts say what was written */
	assert_int_equal(glyph_stack(seg, 2, GLYPH_UTF8, 4, cells, out, 8), 2);
	assert_string_equal(out, "██");
	assert_int_equal(cells[0], 2);
	assert_int_equal(cells[1], 0);
	assert_int_equal(glyph_stack(seg, 2, GLYPH_UTF8, 4, cells, out, 12), 3);
	assert_string_equal(out, "██▓");
	assert_int_equal(cells[1], 1);
	/* no cells array: nothing drawn */
	assert_int_equal(glyph_stack(seg, 2, GLYPH_UTF8, 4, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* Random segments: cells sum to W, every non-zero one shows when W allows. */
static void check_stack(size_t n, size_t w, const size_t *cells, const double *quota)
{
	size_t sum = 0, nonzero = 0;
	bool all_whole = true;

	for (size_t i = 0; i < n; i++) {
		sum += cells[i];
		nonzero += quota[i] > 0;
		all_whole = all_whole && (quota[i] == 0 || quota[i] >= 1);
		if (quota[i] == 0)
			assert_int_equal(cells[i], 0);
	}
	assert_int_equal(sum, nonzero > 0 ? w : 0);
	for (size_t i = 0; i < n; i++) {
		if (quota[i] > 0 && nonzero <= w)
			assert_true(cells[i] >= 1);
		/* no minimum to enforce: plain largest remainder, within a cell */
		if (all_whole)
			assert_true(fabs((double)cells[i] - quota[i]) < 1);
	}
}

static void test_stack_random(void **state)
{
	struct glyph_segment seg[8];
	size_t cells[8];
	double v[8], quota[8];
	char out[GLYPH_BUF(80)];

	(void)state;
	rng_state = 0x2545F4914F6CDD1Du;
	for (int round = 0; round < 20000; round++) {
		size_t n = rng_below(9), w = rng_below(81);
		double total = 0;

		for (size_t i = 0; i < n; i++) {
			size_t kind = rng_below(8);

			v[i] = kind == 0 ? 0 : kind == 1 ? NAN : kind == 2 ? -1 : rng_unit() * 1000;
			total += kind > 2 ? v[i] : 0;
		}
		for (size_t i = 0; i < n; i++)
			quota[i] = total > 0 && isfinite(v[i]) && v[i] > 0 ? v[i] / total * w : 0;
		make_segs(seg, v, n, (const char *const[]){"█", "▓", "▒", "░", "█", "▓", "▒", "░"});
		assert_cols(out,
			    glyph_stack(seg, n, (enum glyph_set)rng_below(2), w, cells, out,
					sizeof(out)),
			    w);
		check_stack(n, w, cells, quota);
	}
}

static void test_fit_pad(void **state)
{
	(void)state;
	fit_is("abc", 5, GLYPH_LEFT, GLYPH_UTF8, "abc  ");
	fit_is("abc", 5, GLYPH_RIGHT, GLYPH_UTF8, "  abc");
	fit_is("abc", 5, GLYPH_CENTER, GLYPH_ASCII, " abc ");
	fit_is("abcd", 7, GLYPH_CENTER, GLYPH_ASCII, " abcd  ");
	fit_is("abcd", 4, GLYPH_RIGHT, GLYPH_UTF8, "abcd");
	fit_is(NULL, 3, GLYPH_LEFT, GLYPH_UTF8, "   ");
	fit_is("", 1, GLYPH_RIGHT, GLYPH_ASCII, " ");
	fit_is("e" ACUTE "x", 3, GLYPH_RIGHT, GLYPH_UTF8, " e" ACUTE "x");
	fit_is(HAN WEN, 5, GLYPH_LEFT, GLYPH_UTF8, HAN WEN " ");
}

static void test_fit_cut(void **state)
{
	(void)state;
	fit_is("abcdef", 4, GLYPH_LEFT, GLYPH_UTF8, "abc" ELL);
	fit_is("abcdef", 4, GLYPH_RIGHT, GLYPH_ASCII, "abc~");
	fit_is("ab", 1, GLYPH_LEFT, GLYPH_UTF8, ELL);
	fit_is("ab", 1, GLYPH_LEFT, GLYPH_ASCII, "~");
	fit_is("a", 1, GLYPH_LEFT, GLYPH_ASCII, "a");
	/* wide characters: never split, the column left over is a space */
	fit_is(HAN WEN, 4, GLYPH_LEFT, GLYPH_UTF8, HAN WEN);
	fit_is(HAN WEN, 3, GLYPH_LEFT, GLYPH_UTF8, HAN ELL);
	fit_is(HAN WEN "x", 4, GLYPH_LEFT, GLYPH_UTF8, HAN ELL " ");
	fit_is(HAN WEN "x", 4, GLYPH_RIGHT, GLYPH_UTF8, " " HAN ELL);
	fit_is("ab" HAN, 3, GLYPH_LEFT, GLYPH_UTF8, "ab" ELL);
	fit_is(HAN, 1, GLYPH_LEFT, GLYPH_UTF8, ELL);
	fit_is(GRIN GRIN, 3, GLYPH_CENTER, GLYPH_UTF8, GRIN ELL);
	/* ASCII: one '?' a character, whatever its width */
	fit_is(HAN WEN, 4, GLYPH_LEFT, GLYPH_ASCII, "??  ");
	fit_is("caf\xC3\xA9 ok", 6, GLYPH_LEFT, GLYPH_ASCII, "caf? ~");
	/* unsanitized input is sanitized on the way */
	fit_is("a\x1B[31mb\tc", 6, GLYPH_LEFT, GLYPH_UTF8, "a" R "b c ");
	fit_is("a\x1B[31mb", 4, GLYPH_RIGHT, GLYPH_ASCII, " a?b");
}

static void test_fit_small_buffer(void **state)
{
	char out[GLYPH_FIT_BUF(8)];

	(void)state;
	/* out_size > W: still exactly W columns, the text gives way to padding */
	assert_cols(out, glyph_fit("abcdef", 4, GLYPH_LEFT, GLYPH_UTF8, out, 5), 4);
	assert_string_equal(out, "ab  ");
	assert_cols(out, glyph_fit("abcdef", 4, GLYPH_RIGHT, GLYPH_ASCII, out, 5), 4);
	assert_string_equal(out, "abc~");
	/* a cut always shows its mark, and "…" + 3 spaces is 6 bytes: all spaces */
	assert_cols(out, glyph_fit(HAN WEN, 4, GLYPH_RIGHT, GLYPH_UTF8, out, 6), 4);
	assert_string_equal(out, "    ");
	assert_cols(out, glyph_fit(HAN WEN, 4, GLYPH_RIGHT, GLYPH_UTF8, out, 7), 4);
	assert_string_equal(out, HAN WEN);
	assert_cols(out, glyph_fit("ab", 4, GLYPH_CENTER, GLYPH_UTF8, out, 5), 4);
	assert_string_equal(out, " ab ");
	/* out_size <= W: as many spaces as fit */
	assert_cols(out, glyph_fit("abcdef", 4, GLYPH_LEFT, GLYPH_UTF8, out, 4), 3);
	assert_string_equal(out, "   ");
	assert_cols(out, glyph_fit(HAN, 4, GLYPH_LEFT, GLYPH_UTF8, out, 2), 1);
	assert_string_equal(out, " ");
}

/* Pieces of text a server might send: wide, zero-width, hostile, broken. */
/* clang-format off */
static const char *const pieces[] = {
	"a", "Z", " ", "0", HAN, WEN, GRIN, ACUTE, ("e" ACUTE), ELL, R,
	"\x1B[31m", "\x1B]0;t\x07", "\xFF", "\xE4\xB8", "\t", "\n", "\xE2\x80\xAE", "\xC2\x9B;1m",
};
/* clang-format on */

static void random_text(char *buf, size_t size)
{
	size_t k = rng_below(12), len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		const char *p = pieces[rng_below(ARRAY_LEN(pieces))];

		if (len + strlen(p) >= size)
			break;
		memcpy(buf + len, p, strlen(p) + 1);
		len += strlen(p);
	}
}

/* Random text fitted and used as a meter label: always the asked width. */
static void test_text_random(void **state)
{
	char in[128], out[GLYPH_FIT_BUF(40)];

	(void)state;
	rng_state = 0xD1B54A32D192ED03u;
	for (int round = 0; round < 20000; round++) {
		size_t w = rng_below(41);
		enum glyph_align align = (enum glyph_align)rng_below(3);
		enum glyph_set set = (enum glyph_set)rng_below(2);
		size_t size = 1 + rng_below(GLYPH_FIT_BUF(w));

		random_text(in, sizeof(in));
		assert_cols(out, glyph_fit(in, w, align, set, out, GLYPH_FIT_BUF(w)), w);
		if (set == GLYPH_ASCII)
			assert_ascii(out);
		/* any smaller buffer: W columns while it has more than W bytes */
		assert_cols(out, glyph_fit(in, w, align, set, out, size), size > w ? w : size - 1);
		assert_cols(out, glyph_meter(rng_unit() * 1.4 - 0.2, in, set, w, out, sizeof(out)),
			    w);
		assert_true(strlen(out) < GLYPH_FIT_BUF(w));
	}
}

static void test_meter(void **state)
{
	(void)state;
	meter_is(0.42, "42%", GLYPH_UTF8, 14, "[|||||    42%]");
	meter_is(0.42, "42%", GLYPH_ASCII, 14, "[|||||    42%]");
	meter_is(0.9, "90%", GLYPH_ASCII, 12, "[|||||||90%]");
	meter_is(1, "100%", GLYPH_ASCII, 8, "[||100%]");
	meter_is(0, "0%", GLYPH_ASCII, 6, "[  0%]");
	meter_is(NAN, "-", GLYPH_ASCII, 6, "[   -]");
	meter_is(0.5, NULL, GLYPH_ASCII, 6, "[||  ]");
	meter_is(-2, NULL, GLYPH_ASCII, 4, "[  ]");
	meter_is(2, "", GLYPH_ASCII, 4, "[||]");
	/* the label is cut to the inside */
	meter_is(0.5, "123456", GLYPH_UTF8, 5, "[12" ELL "]");
	meter_is(0.5, "123456", GLYPH_ASCII, 5, "[12~]");
	meter_is(0.5, HAN "x", GLYPH_UTF8, 5, "[" HAN "x]");
	meter_is(0.5, HAN "x", GLYPH_ASCII, 5, "[|?x]");
	/* too narrow for brackets and inside */
	meter_is(0.5, "50%", GLYPH_ASCII, 2, "[]");
	meter_is(1, NULL, GLYPH_ASCII, 1, "|");
	meter_is(1, "50%", GLYPH_ASCII, 1, "~");
}

static void test_meter_small_buffer(void **state)
{
	char out[16];

	(void)state;
	/* a short buffer ends the meter early, never mid-character */
	assert_int_equal(glyph_meter(1, "ab", GLYPH_UTF8, 6, out, 7), 6);
	assert_string_equal(out, "[||ab]");
	assert_int_equal(glyph_meter(1, "ab", GLYPH_UTF8, 6, out, 6), 5);
	assert_string_equal(out, "[||ab");
	/* no bytes for the label: the bars still show */
	assert_int_equal(glyph_meter(1, HAN, GLYPH_UTF8, 6, out, 6), 5);
	assert_string_equal(out, "[||||");
	assert_int_equal(glyph_meter(1, HAN, GLYPH_UTF8, 6, out, 2), 1);
	assert_string_equal(out, "[");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_buffer),
		cmocka_unit_test(test_zero_size_and_one_byte),
		cmocka_unit_test(test_zero_width),
		cmocka_unit_test(test_set_pick),
		cmocka_unit_test(test_spark_empty_and_gaps),
		cmocka_unit_test(test_spark_levels),
		cmocka_unit_test(test_spark_flat_and_negative),
		cmocka_unit_test(test_spark_window),
		cmocka_unit_test(test_spark_random),
		cmocka_unit_test(test_bar_ends),
		cmocka_unit_test(test_bar_eighths),
		cmocka_unit_test(test_rounding_slack),
		cmocka_unit_test(test_bar_random),
		cmocka_unit_test(test_bar_small_buffer),
		cmocka_unit_test(test_stack_exact),
		cmocka_unit_test(test_stack_odd_values),
		cmocka_unit_test(test_stack_glyphs),
		cmocka_unit_test(test_stack_small_buffer),
		cmocka_unit_test(test_stack_random),
		cmocka_unit_test(test_fit_pad),
		cmocka_unit_test(test_fit_cut),
		cmocka_unit_test(test_fit_small_buffer),
		cmocka_unit_test(test_text_random),
		cmocka_unit_test(test_meter),
		cmocka_unit_test(test_meter_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
