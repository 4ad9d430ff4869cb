/*
 * eventlog: what happened, newest last, for the dashboard's Events view:
 * actions asked for and how they ended, errors with their request ids,
 * connection changes. A ring of EVENTLOG_KEPT entries; the oldest goes
 * first. One thread (the UI's) uses a log; it has no lock.
 */
#ifndef BOXTOP_MODEL_EVENTLOG_H
#define BOXTOP_MODEL_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#define EVENTLOG_KEPT 500

enum event_level {
	EVENT_INFO,
	EVENT_OK,
	EVENT_WARN,
	EVENT_ERROR,
};

struct event {
	int64_t at; /* unix seconds */
	enum event_level level;
	char *text; /* as given: sanitize it before drawing */
};

struct eventlog {
	struct event items[EVENTLOG_KEPT];
	size_t first; /* ring index of the oldest */
	size_t n;
	uint64_t added; /* how many were ever added: changes whenever the log does */
};

/* Adds a copy of the formatted text at unix time at; the oldest goes when full. */
void eventlog_add(struct eventlog *log, int64_t at, enum event_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The i-th event, oldest first (i < log->n), or NULL. */
const struct event *eventlog_at(const struct eventlog *log, size_t i);
/* Frees every text and empties the log. */
void eventlog_clear(struct eventlog *log);
/* "info", "ok", "warn", "error". */
const char *event_level_name(enum event_level level);

#endif
