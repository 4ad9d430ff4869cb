/*
 * timeutil: RFC 3339 timestamps to and from unix seconds, and the
 * monotonic clock every interval is measured on.
 */
#ifndef BOXTOP_MODEL_TIMEUTIL_H
#define BOXTOP_MODEL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses "2025-01-02T03:04:05Z", with optional fractional seconds (dropped)
 * and a "Z" or "+hh:mm"/"-hh:mm" offset; 't' and 'z' are accepted as RFC 3339
 * allows, and so is a space between date and time. Returns 0 and the unix
 * seconds in *out, or -1 when s is not such a timestamp or a field is out of
 * range.
 */
int time_parse_rfc3339(const char *s, int64_t *out);

/* Writes t as "2025-01-02T03:04:05Z" into buf (at least 21 bytes). Returns buf. */
char *time_format_rfc3339(int64_t t, char *buf, size_t size);

/* Writes t as "20250102-030405" (UTC), for names made from the time, into buf (at least 16 bytes).
 * Returns buf. */
char *time_format_stamp(int64_t t, char *buf, size_t size);

/* Milliseconds since the epoch on the wall clock: for dates (a log line's time), not intervals. */
int64_t time_wall_ms(void);

/* Milliseconds on the monotonic clock: for intervals and deadlines, never for dates. */
int64_t time_mono_ms(void);

#endif
