/*
 * sanitize: one pass over the input, writing straight into the caller's
 * buffer, with no allocation. Each step reads one unit (a character, an
 * invalid byte sequence, or a whole escape sequence) and emits at most one
 * character for it, so the output is safe by construction: only code points
 * that passed cp_width() as printable are ever encoded, and they are encoded
 * here, never copied byte for byte.
 *
 * Truncation: the writer remembers the last point at which the one-column
 * mark would still fit, in columns and in bytes. When a character does not
 * fit, the output is cut back to that point and the mark written there, and
 * the input is read no further. Zero-width characters join the character
 * before them (and are dropped when there is none, or after
 * SANITIZE_MAX_MARKS of them, so "Zalgo" text cannot pile up).
 *
 * Invalid UTF-8 is replaced by the Unicode "maximal subpart" practice: a lead
 * byte and the continuation bytes that could still belong to it become one
 * U+FFFD; every other bad byte becomes one U+FFFD of its own.
 */
#include "sanitize.h"

#include <string.h>

#include "xalloc.h"

#define BAD_CP      0xFFFFFFFFu
#define REPLACEMENT 0xFFFDu
#define ESC         0x1B
struct range {
	uint32_t lo, hi;
};

/*
 * The width tables, written from the Unicode 15 character database:
 * EastAsianWidth.txt W and F for wide (gaps of unassigned code points merged
 * away), general categories Mn and Me and the invisible Cf for zero width.
 * They were checked against glibc 2.36's wcwidth() in C.UTF-8, which agrees
 * on every wide character. Limits: zero width covers the general-purpose
 * combining blocks and the marks of Hebrew, Arabic, Devanagari and Thai only;
 * the marks of other scripts (Bengali, Tamil, Tibetan, Myanmar, ...) count
 * one column, which overstates a width and so never overflows a column.
 * Unassigned code points count one column; an emoji sequence joined with ZWJ
 * counts each of its parts; ambiguous-width characters (U+2026 "…" among
 * them) count one column, as they do outside CJK locales.
 */

/* Never shown: controls, bidi controls, line/paragraph separators, noncharacters. */
static const struct range nonprint[] = {
	{0x0000, 0x001F}, {0x007F, 0x009F}, {0x061C, 0x061C}, {0x200E, 0x200F},
	{0x2028, 0x202E}, {0x2066, 0x2069}, {0xD800, 0xDFFF}, {0xFDD0, 0xFDEF},
};

static const struct range zero_width[] = {
	{0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},   {0x05BF, 0x05BF},
	{0x05C1, 0x05C2},   {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},
	{0x064B, 0x065F},   {0x0670, 0x0670},   {0x06D6, 0x06DC},   {0x06DF, 0x06E4},
	{0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x0900, 0x0902},   {0x093A, 0x093A},
	{0x093C, 0x093C},   {0x0941, 0x0948},   {0x094D, 0x094D},   {0x0951, 0x0957},
	{0x0962, 0x0963},   {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},
	{0x1160, 0x11FF},   {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},   {0x200B, 0x200D},
	{0x2060, 0x2064},   {0x20D0, 0x20FF},   {0x302A, 0x302D},   {0x3099, 0x309A},
	{0xD7B0, 0xD7FF},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},
	{0x16FE4, 0x16FE4}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

static const struct range wide[] = {
	{0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
	{0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
	{0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
	{0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
	{0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
	{0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
	{0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
	{0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
	{0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
	{0x3040, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
	{0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},
	{0x16FE0, 0x16FE3}, {0x16FF0, 0x16FF1}, {0x17000, 0x18DFF}, {0x1AFF0, 0x1B2FF},
	{0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
	{0x1F200, 0x1F2FF}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C},
	{0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0},
	{0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC},
	{0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A},
	{0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5},
	{0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6DF}, {0x1F6EB, 0x1F6EC},
	{0x1F6F4, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A},
	{0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
	{0x30000, 0x3FFFD},
};

static bool in_table(uint32_t cp, const struct range *t, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > t[mid].hi)
			lo = mid + 1;
		else if (cp < t[mid].lo)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* The columns cp takes: 0, 1 or 2, or -1 for one that must not be shown. */
static int cp_width(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7F)
		return 1;
	if (cp > 0x10FFFF || (cp & 0xFFFE) == 0xFFFE || in_table(cp, nonprint, ARRAY_LEN(nonprint)))
		return -1;
	if (in_table(cp, zero_width, ARRAY_LEN(zero_width)))
		return 0;
	return in_table(cp, wide, ARRAY_LEN(wide)) ? 2 : 1;
}

/*
 * Decodes the character at p (n >= 1 bytes). Returns the bytes it took; *cp
 * is BAD_CP for an invalid sequence, which then took its maximal subpart.
 * The second-byte bounds refuse overlongs, surrogates and values past
 * U+10FFFF (Unicode table 3-7).
 */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t v;

	*cp = BAD_CP;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xC2 || p[0] > 0xF4)
		return 1;
	need = p[0] < 0xE0 ? 1 : p[0] < 0xF0 ? 2 : 3;
	v = p[0] & (0x3F >> need);
	if (p[0] == 0xE0)
		lo = 0xA0;
	else if (p[0] == 0xED)
		hi = 0x9F;
	else if (p[0] == 0xF0)
		lo = 0x90;
	else if (p[0] == 0xF4)
		hi = 0x8F;
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi)
			return i;
		v = v << 6 | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* Encodes a valid code point into buf; returns its length. */
static size_t utf8_encode(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Escape sequences. A sequence ends where a terminal would end it; a byte
 * that cannot be part of it ends it too and is read as text again, so a
 * broken sequence cannot hide what follows it (beyond a string's body).
 */

/* CSI parameters and intermediates, then a final byte 0x40-0x7E. */
static size_t csi_len(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] >= 0x20 && p[i] <= 0x3F)
		i++;
	if (i < n && p[i] >= 0x40 && p[i] <= 0x7E)
		i++;
	return i;
}

/* An OSC, DCS, SOS, PM or APC body: to BEL, ST (ESC \ or U+009C), CAN, SUB or the end. */
static size_t string_len(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0x07 || p[i] == 0x18 || p[i] == 0x1A)
			return i + 1;
		if (p[i] == ESC)
			return i + 1 < n && p[i + 1] == '\\' ? i + 2 : i;
		if (p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0x9C)
			return i + 2;
	}
	return n;
}

/* The whole sequence at p, which starts with ESC. */
static size_t esc_len(const unsigned char *p, size_t n)
{
	size_t i = 1;

	if (n >= 2 && p[1] == '[')
		return 2 + csi_len(p + 2, n - 2);
	if (n >= 2 && p[1] != '\0' && memchr("]PX^_", p[1], 5) != NULL)
		return 2 + string_len(p + 2, n - 2);
	while (i < n && p[i] >= 0x20 && p[i] <= 0x2F)
		i++;
	if (i < n && p[i] >= 0x30 && p[i] <= 0x7E)
		i++;
	return i;
}

/* The body that follows an 8-bit C1 introducer (CSI, OSC, DCS, SOS, PM, APC). */
static size_t c1_body_len(uint32_t cp, const unsigned char *p, size_t n)
{
	if (cp == 0x9B)
		return csi_len(p, n);
	if (cp == 0x9D || cp == 0x90 || cp == 0x98 || cp == 0x9E || cp == 0x9F)
		return string_len(p, n);
	return 0;
}

struct writer {
	char *out;
	size_t room; /* bytes of out for text: out_size - 1 */
	size_t len;
	size_t cols;
	size_t max_cols;
	size_t fit_len, fit_cols; /* the last cut point with room for the mark */
	bool can_mark;            /* fit_len and fit_cols are set */
	unsigned marks;           /* zero-width characters after the last base */
	bool ascii;
	bool done; /* truncated: read no further */
};

static const char *mark_text(const struct writer *w)
{
	return w->ascii ? "~" : "\xE2\x80\xA6";
}

static void note_fit(struct writer *w)
{
	if (w->cols < w->max_cols && w->len + strlen(mark_text(w)) <= w->room) {
		w->fit_len = w->len;
		w->fit_cols = w->cols;
		w->can_mark = true;
	}
}

/* Cuts back to the last fit point and writes the mark there, when there is one. */
static void truncate_here(struct writer *w)
{
	const char *mark = mark_text(w);

	if (w->can_mark) {
		memcpy(w->out + w->fit_len, mark, strlen(mark));
		w->len = w->fit_len + strlen(mark);
		w->cols = w->fit_cols + 1;
	}
	w->done = true;
}

/* Appends cp, `width` columns wide, or truncates when it does not fit. */
static void put(struct writer *w, uint32_t cp, int width)
{
	char enc[4];
	size_t n;

	if (w->ascii && cp >= 0x80) {
		cp = '?';
		width = 1;
	}
	/* nothing to join (len == 0 means no base yet), or too many joined */
	if (width == 0 && (w->len == 0 || w->marks >= SANITIZE_MAX_MARKS))
		return;
	n = utf8_encode(cp, enc);
	if ((size_t)width > w->max_cols - w->cols || n > w->room - w->len) {
		truncate_here(w);
		return;
	}
	memcpy(w->out + w->len, enc, n);
	w->len += n;
	w->cols += (size_t)width;
	w->marks = width == 0 ? w->marks + 1 : 0;
	note_fit(w);
}

/* Handles the unit at p (n >= 1 bytes); returns the bytes it took. */
static size_t step(struct writer *w, const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len;
	int width;

	if (p[0] == ESC) {
		put(w, REPLACEMENT, 1);
		return esc_len(p, n);
	}
	if (p[0] == '\t' || p[0] == '\n' || p[0] == '\r') {
		put(w, ' ', 1);
		return 1;
	}
	len = utf8_decode(p, n, &cp);
	if (cp >= 0x80 && cp <= 0x9F)
		len += c1_body_len(cp, p + len, n - len);
	width = cp == BAD_CP ? -1 : cp_width(cp);
	if (width < 0)
		put(w, REPLACEMENT, 1);
	else
		put(w, cp, width);
	return len;
}

size_t sanitize_display_opts(const char *in, size_t in_len, size_t max_cols,
			     const struct sanitize_opts *opts, char *out, size_t out_size)
{
	const unsigned char *p = (const unsigned char *)in;
	struct writer w = {0};
	size_t pos = 0;

	if (out == NULL || out_size == 0)
		return 0;
	w.out = out;
	w.room = out_size - 1;
	w.max_cols = max_cols;
	w.ascii = opts != NULL && opts->ascii;
	note_fit(&w);
	while (p != NULL && pos < in_len && !w.done)
		pos += step(&w, p + pos, in_len - pos);
	out[w.len] = '\0';
	return w.cols;
}

size_t sanitize_display(const char *in, size_t in_len, size_t max_cols, char *out, size_t out_size)
{
	return sanitize_display_opts(in, in_len, max_cols, NULL, out, out_size);
}

/*
 * A buffer that never cuts the output short for lack of bytes: a unit of
 * input grows to at most 3 bytes (one byte to U+FFFD), and a column holds at
 * most a 4-byte character and its SANITIZE_MAX_MARKS 4-byte marks. Plus the
 * mark and the NUL.
 */
static size_t dup_size(size_t len, size_t max_cols)
{
	const size_t per_col = 4 + 4 * SANITIZE_MAX_MARKS;
	size_t by_len = len <= (SIZE_MAX - 4) / 3 ? len * 3 : SIZE_MAX - 4;
	size_t by_cols = max_cols <= (SIZE_MAX - 4) / per_col ? max_cols * per_col : SIZE_MAX - 4;

	return (by_len < by_cols ? by_len : by_cols) + 4;
}

char *sanitize_dup_opts(const char *s, size_t max_cols, const struct sanitize_opts *opts)
{
	size_t len, size;
	char *out;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	size = dup_size(len, max_cols);
	out = xmalloc(size);
	sanitize_display_opts(s, len, max_cols, opts, out, size);
	return xrealloc(out, strlen(out) + 1);
}

char *sanitize_dup(const char *s, size_t max_cols)
{
	return sanitize_dup_opts(s, max_cols, NULL);
}

size_t sanitize_prefix(const char *utf8, size_t len, size_t max_cols, size_t *cols)
{
	const unsigned char *p = (const unsigned char *)utf8;
	size_t used = 0, width = 0;

	while (used < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + used, len - used, &cp);
		int w = cp == BAD_CP ? 1 : cp_width(cp);
		size_t wc = w < 0 ? 1 : (size_t)w;

		if (width + wc > max_cols)
			break;
		width += wc;
		used += n;
	}
	if (cols != NULL)
		*cols = width;
	return used;
}

size_t sanitize_width(const char *utf8)
{
	size_t cols = 0;

	if (utf8 != NULL)
		sanitize_prefix(utf8, strlen(utf8), SIZE_MAX, &cols);
	return cols;
}
