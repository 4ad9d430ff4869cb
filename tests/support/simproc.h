/*
 * simproc: a boxlite-sim process for C tests that talk to a live server.
 * The binary is $SIM, else build/boxlite-sim (relative to the repository
 * root, where make runs tests).
 */
#ifndef BOXTOP_TESTS_SIMPROC_H
#define BOXTOP_TESTS_SIMPROC_H

#include <sys/types.h>

struct simproc {
	pid_t pid;
	char url[64]; /* http://127.0.0.1:PORT */
};

/*
 * Starts the simulator with --port 0 and the NULL-terminated extra args,
 * and waits (bounded) for its "listening on" line. Returns 0, or -1 after
 * printing why.
 */
int simproc_start(struct simproc *s, const char *const *args);
/* SIGTERM and wait; returns its exit status (0 after a clean shutdown). */
int simproc_stop(struct simproc *s);

#endif
