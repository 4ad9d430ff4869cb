/*
 * libFuzzer target for model/sanitize. Every input is sanitized with a set
 * of widths and buffer sizes (some fixed, some taken from the first two
 * bytes), in both modes, and every output must keep the contract: valid
 * UTF-8 (checked by a decoder written here, not the one under test), no
 * control, DEL, ESC, C1 or bidi character, no more columns than asked, a NUL
 * inside out_size and nothing written past it. A cut output must also be the
 * uncut output up to the truncation mark, and sanitize_width() and
 * sanitize_dup() must agree with sanitize_display().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/sanitize.h"
#include "model/xalloc.h"

#define MARK "\xE2\x80\xA6"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* The valid UTF-8 character at s: its length and code point, or 0 if invalid. */
static size_t next_cp(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xF0 && s[0] < 0xF8) {
		n = 4;
		min = 0x10000;
	} else if (s[0] >= 0xE0 && s[0] < 0xF0) {
		n = 3;
		min = 0x800;
	} else if (s[0] >= 0xC0 && s[0] < 0xE0) {
		n = 2;
		min = 0x80;
	} else {
		return 0;
	}
	*cp = s[0] & (0xFFu >> (n + 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3Fu);
	}
	if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return n;
}

static bool forbidden(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C ||
	       cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The contract on one output of sanitize_display(). */
static void check_output(const char *out, size_t out_size, size_t width, size_t max_cols,
			 bool ascii)
{
	const unsigned char *p = (const unsigned char *)out;

	check(width <= max_cols);
	if (out_size == 0)
		return;
	check(memchr(out, '\0', out_size) != NULL);
	while (*p != '\0') {
		uint32_t cp;
		size_t n = next_cp(p, &cp);

		check(n > 0 && !forbidden(cp) && p[0] != 0x1B && p[0] != 0x7F);
		check(!ascii || cp < 0x80);
		p += n;
	}
	check(sanitize_width(out) == width);
}

/* A cut output is the full one up to where the mark was written. */
static void check_prefix(const char *out, const char *full, bool ascii)
{
	const char *mark = ascii ? "~" : MARK;
	size_t len = strlen(out), mlen = strlen(mark);

	if (len >= mlen && memcmp(out + len - mlen, mark, mlen) == 0)
		len -= mlen;
	check(strncmp(out, full, len) == 0);
}

/* Sanitizes into a heap buffer of exactly out_size bytes and checks the result. */
static void run(const char *in, size_t len, size_t max_cols, bool ascii, size_t out_size,
		const char *full)
{
	struct sanitize_opts opts = {.ascii = ascii};
	char *out = malloc(out_size > 0 ? out_size : 1);
	size_t width;

	out[0] = 'Z';
	width = sanitize_display_opts(in, len, max_cols, &opts, out, out_size);
	if (out_size == 0)
		check(width == 0 && out[0] == 'Z');
	check_output(out, out_size, width, max_cols, ascii);
	if (out_size > 0)
		check_prefix(out, full, ascii);
	free(out);
}

/* The uncut output (caller frees) and its width. */
static char *sanitize_full(const char *in, size_t len, bool ascii, size_t *width)
{
	struct sanitize_opts opts = {.ascii = ascii};
	size_t size = 3 * len + 4;
	char *full = malloc(size);

	*width = sanitize_display_opts(in, len, SANITIZE_NO_LIMIT, &opts, full, size);
	check_output(full, size, *width, SANITIZE_NO_LIMIT, ascii);
	return full;
}

static void fuzz_mode(const char *in, size_t len, bool ascii, const uint8_t *data)
{
	static const size_t cols[] = {0, 1, 2, 3, 7, 80};
	static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 8, 64};
	size_t full_width;
	char *full = sanitize_full(in, len, ascii, &full_width);
	char *exact = malloc(strlen(full) + 1);

	/* just enough columns and bytes: nothing is cut */
	sanitize_display_opts(in, len, full_width, &(struct sanitize_opts){.ascii = ascii}, exact,
			      strlen(full) + 1);
	check(strcmp(exact, full) == 0);
	free(exact);
	for (size_t i = 0; i < ARRAY_LEN(cols); i++)
		for (size_t j = 0; j < ARRAY_LEN(sizes); j++)
			run(in, len, cols[i], ascii, sizes[j], full);
	if (len >= 2)
		run(in, len, data[0], ascii, data[1], full);
	free(full);
}

static void fuzz_dup(const char *in, size_t len)
{
	char *z = malloc(len + 1);
	size_t width;
	char *full, *dup;

	memcpy(z, in, len);
	z[len] = '\0';
	full = sanitize_full(z, strlen(z), false, &width);
	dup = sanitize_dup(z, SANITIZE_NO_LIMIT);
	check(strcmp(dup, full) == 0);
	free(dup);
	dup = sanitize_dup(z, 5);
	check(sanitize_width(dup) <= 5);
	check_prefix(dup, full, false);
	free(dup);
	free(full);
	free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly size bytes, so reading past the end is caught */
	char *in = malloc(size > 0 ? size : 1);

	if (size > 0)
		memcpy(in, data, size);
	fuzz_mode(in, size, false, data);
	fuzz_mode(in, size, true, data);
	fuzz_dup(in, size);
	free(in);
	return 0;
}
