/*
 * format: every decimal is built from integers (a count of tenths printed as
 * "%d.%d"), never with %f, because the TUI sets the locale for ncurses and a
 * locale's LC_NUMERIC could turn "1.5" into "1,5". Rounding is to nearest;
 * when rounding carries a value to 1024 of a unit it moves to the next unit,
 * so "1024 KiB" is never shown. Calendar work is left to the C library's
 * gmtime_r/localtime_r; everything else is integer arithmetic on int64_t,
 * done in uint64_t where a difference or a magnitude could overflow.
 */
#include "format.h"
#include "xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MINUTE INT64_C(60)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)
#define YEAR   (365 * DAY)
/* Larger values are refused: past YiB and past what uint64_t can round. */
#define BYTES_MAX 1e27

static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

/* A duration is its largest unit and the next one, padded to `pad` digits. */
struct unit_pair {
	int64_t big;
	const char *big_name;
	int64_t small;
	const char *small_name;
	int pad;
};

static const struct unit_pair pairs[] = {
	{YEAR, "y", DAY, "d", 3},
	{DAY, "d", HOUR, "h", 2},
	{HOUR, "h", MINUTE, "m", 2},
	{MINUTE, "m", 1, "s", 2},
};

struct unit {
	int64_t secs;
	const char *name;
};

static const struct unit ages[] = {
	{YEAR, "y"}, {DAY, "d"}, {HOUR, "h"}, {MINUTE, "m"}, {1, "s"},
};

static char *unknown(char *buf, size_t size)
{
	snprintf(buf, size, "-");
	return buf;
}

/* v bytes (v >= 0) in the largest unit that keeps it under 1024, then suffix. */
static char *scaled(const char *sign, double v, const char *suffix, char *buf, size_t size)
{
	size_t k = 0;
	uint64_t tenths;

	if (!(v >= 0 && v < BYTES_MAX))
		return unknown(buf, size);
	while (k + 1 < ARRAY_LEN(units) && v >= 1023.5) {
		v /= 1024;
		k++;
	}
	tenths = (uint64_t)(v * 10 + 0.5);
	if (k == 0 || tenths >= 1000)
		snprintf(buf, size, "%s%" PRIu64 " %s%s", sign, (uint64_t)(v + 0.5), units[k],
			 suffix);
	else
		snprintf(buf, size, "%s%" PRIu64 ".%" PRIu64 " %s%s", sign, tenths / 10,
			 tenths % 10, units[k], suffix);
	return buf;
}

char *fmt_bytes(int64_t n, char *buf, size_t size)
{
	/* negated in uint64_t, where INT64_MIN has a magnitude too */
	uint64_t mag = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;

	return scaled(n < 0 ? "-" : "", (double)mag, "", buf, size);
}

char *fmt_rate(double bytes_per_sec, char *buf, size_t size)
{
	return scaled("", bytes_per_sec, "/s", buf, size);
}

char *fmt_duration(int64_t seconds, char *buf, size_t size)
{
	if (seconds < 0)
		return unknown(buf, size);
	for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
		const struct unit_pair *u = &pairs[i];

		if (seconds >= u->big) {
			snprintf(buf, size, "%" PRId64 "%s%0*" PRId64 "%s", seconds / u->big,
				 u->big_name, u->pad, seconds % u->big / u->small, u->small_name);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRId64 "s", seconds);
	return buf;
}

char *fmt_age(int64_t then, int64_t now, char *buf, size_t size)
{
	uint64_t d;
	size_t i = 0;

	if (then == 0)
		return unknown(buf, size);
	/* now > then, so the difference fits in uint64_t even from INT64_MIN */
	d = then >= now ? 0 : (uint64_t)now - (uint64_t)then;
	while (i + 1 < ARRAY_LEN(ages) && d < (uint64_t)ages[i].secs)
		i++;
	snprintf(buf, size, "%" PRIu64 "%s", d / (uint64_t)ages[i].secs, ages[i].name);
	return buf;
}

char *fmt_timestamp(int64_t t, bool utc, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char tmp[FMT_BUF * 2];

	if ((int64_t)tt != t || (utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
	    strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return unknown(buf, size);
	snprintf(buf, size, "%s", tmp);
	return buf;
}

char *fmt_eta(int64_t done, int64_t total, double rate, char *buf, size_t size)
{
	double secs;
	int64_t whole;

	if (total < 0 || done < 0 || !(rate > 0))
		return unknown(buf, size);
	if (done >= total)
		return fmt_duration(0, buf, size);
	secs = (double)(total - done) / rate;
	/* 9e18 is under INT64_MAX, so the conversion below is defined */
	if (!(secs < 9e18))
		return unknown(buf, size);
	whole = (int64_t)secs;
	return fmt_duration(whole + ((double)whole < secs), buf, size);
}

char *fmt_percent(double p, char *buf, size_t size)
{
	uint64_t tenths;

	/* NaN fails both comparisons; 1e15 keeps tenths well inside uint64_t */
	if (!(p > -1e15 && p < 1e15))
		return unknown(buf, size);
	tenths = (uint64_t)(fabs(p) * 10 + 0.5);
	if (tenths >= 10000) /* from 1000%: whole, so a busy many-core box fits a column */
		snprintf(buf, size, "%s%" PRIu64 "%%", p < 0 ? "-" : "", (uint64_t)(fabs(p) + 0.5));
	else
		snprintf(buf, size, "%s%" PRIu64 ".%" PRIu64 "%%", p < 0 && tenths > 0 ? "-" : "",
			 tenths / 10, tenths % 10);
	return buf;
}

char *fmt_digest(const char *digest, char *buf, size_t size)
{
	const char *colon = digest != NULL ? strchr(digest, ':') : NULL;
	const char *hex = colon != NULL ? colon + 1 : digest;

	if (hex == NULL || hex[0] == '\0')
		return unknown(buf, size);
	snprintf(buf, size, "%.12s", hex);
	return buf;
}
