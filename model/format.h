/*
 * format: numbers, sizes and times as the dashboard shows them.
 *
 * Every function writes into a buffer the caller owns and returns it; the
 * result is always NUL-terminated (cut short if the buffer is too small) and
 * never depends on the locale: decimals are written with a '.', whatever
 * LC_NUMERIC says. A value that cannot be shown (unknown, NaN, out of range)
 * is written as "-". Every result fits in FMT_BUF bytes.
 */
#ifndef BOXTOP_MODEL_FORMAT_H
#define BOXTOP_MODEL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A buffer size that holds the result of any fmt_ function. */
#define FMT_BUF 32

/*
 * A byte count in binary units: "0 B", "1023 B", "1.0 KiB", "12.3 MiB",
 * "123 MiB", up to EiB. One decimal below 100, none from 100 on; a value that
 * would round to 1024 of a unit is shown in the next ("1.0 MiB"). Negative
 * counts get a '-' in front ("-1.5 KiB").
 */
char *fmt_bytes(int64_t n, char *buf, size_t size);

/* A rate in the same units with "/s": "0 B/s", "1.2 MiB/s"; NaN, infinite or negative give "-". */
char *fmt_rate(double bytes_per_sec, char *buf, size_t size);

/*
 * A duration as its two largest units, the second zero-padded so columns line
 * up: "0s", "45s", "3m05s", "2h03m", "4d02h", "3y012d" (a year is 365 days).
 * Negative durations give "-".
 */
char *fmt_duration(int64_t seconds, char *buf, size_t size);

/*
 * How long ago `then` was at `now`, in its largest whole unit, as k9s shows
 * ages: "12s", "5m", "3h", "2d", "1y". then == 0 means unknown and gives "-";
 * a `then` after `now` (clock skew) gives "0s".
 */
char *fmt_age(int64_t then, int64_t now, char *buf, size_t size);

/*
 * Unix seconds as "2025-01-02 03:04:05", in UTC or the local zone (TZ).
 * A time the C library cannot break down gives "-".
 */
char *fmt_timestamp(int64_t t, bool utc, char *buf, size_t size);

/*
 * The time left to move total bytes with done moved at `rate` bytes per
 * second, as fmt_duration() writes it, rounded up. Unknown (total < 0,
 * done < 0, rate not a positive number, or too long to show) gives "-";
 * done >= total gives "0s".
 */
char *fmt_eta(int64_t done, int64_t total, double rate, char *buf, size_t size);

/*
 * A percentage with one decimal below 1000: "42.5%", "-3.0%", "250.0%";
 * whole from there: "1000%", "1600%". NaN, infinite or absurd (magnitude
 * 1e15 and more) give "-".
 */
char *fmt_percent(double p, char *buf, size_t size);

/*
 * An image digest as docker shows an image id: its first 12 characters
 * after the algorithm ("sha256:4f8a19c0b2d3e5..." gives "4f8a19c0b2d3").
 * NULL or empty gives "-". The characters are the server's: sanitize them.
 */
char *fmt_digest(const char *digest, char *buf, size_t size);

#endif
