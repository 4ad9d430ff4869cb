/*
 * nullable: numbers as servers send them. A JSON field can be absent, null or
 * a value, and for some fields the three mean different things: a box's
 * exit_code absent means "still running", 0 means "exited cleanly"; a
 * cpu_percent of null means "not measured", not idle.
 */
#ifndef BOXTOP_MODEL_NULLABLE_H
#define BOXTOP_MODEL_NULLABLE_H

#include <stdbool.h>
#include <stdint.h>

enum opt_state {
	OPT_ABSENT = 0, /* the field was not in the object */
	OPT_NULL,       /* the field was JSON null */
	OPT_SET,        /* the field held a value */
};

struct opt_i64 {
	enum opt_state state;
	int64_t v;
};

struct opt_f64 {
	enum opt_state state;
	double v;
};

static inline bool opt_i64_has(struct opt_i64 o)
{
	return o.state == OPT_SET;
}

static inline bool opt_f64_has(struct opt_f64 o)
{
	return o.state == OPT_SET;
}

#endif
