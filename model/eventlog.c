/* eventlog: a bounded ring of timestamped lines. */
#include "eventlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

void eventlog_add(struct eventlog *log, int64_t at, enum event_level level, const char *fmt, ...)
{
	struct event *e;
	va_list ap;
	char *text;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = xmalloc((size_t)(len < 0 ? 0 : len) + 1);
	text[0] = '\0';
	va_start(ap, fmt);
	if (len >= 0)
		vsnprintf(text, (size_t)len + 1, fmt, ap);
	va_end(ap);
	if (log->n == EVENTLOG_KEPT) {
		e = &log->items[log->first];
		free(e->text);
		log->first = (log->first + 1) % EVENTLOG_KEPT;
		log->n--;
	}
	e = &log->items[(log->first + log->n) % EVENTLOG_KEPT];
	*e = (struct event){.at = at, .level = level, .text = text};
	log->n++;
	log->added++;
}

const struct event *eventlog_at(const struct eventlog *log, size_t i)
{
	if (i >= log->n)
		return NULL;
	return &log->items[(log->first + i) % EVENTLOG_KEPT];
}

void eventlog_clear(struct eventlog *log)
{
	for (size_t i = 0; i < log->n; i++)
		free(log->items[(log->first + i) % EVENTLOG_KEPT].text);
	log->first = 0;
	log->n = 0;
	log->added++;
}

const char *event_level_name(enum event_level level)
{
	static const char *const names[] = {"info", "ok", "warn", "error"};

	return (unsigned)level < ARRAY_LEN(names) ? names[level] : "info";
}
