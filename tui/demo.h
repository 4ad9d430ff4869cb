/*
 * demo: `boxtop --demo`, boxtop against a boxlite-sim of its own, so the
 * whole product runs with no server to install.
 *
 * demo_start runs boxlite-sim (the one next to the running boxtop, from
 * /proc/self/exe, else the one on PATH) on 127.0.0.1 with a free port (the
 * simulator's --port 0), a fresh temporary state directory and a demo fleet
 * of a dozen boxes, about half of them running. No API key: the simulator
 * is started without one whatever the environment holds, so boxtop must not
 * send one either. The simulator's stdout and stderr go to sim.log in the
 * state directory, never to the terminal (curses owns it); it runs in its
 * own process group (Ctrl-C in batch mode reaches boxtop, which stops it)
 * and gets SIGTERM if the thread that started it dies (PR_SET_PDEATHSIG).
 * Call demo_start from the main thread before any other thread exists: it
 * forks, and the child does more than async-signal-safe work before exec.
 */
#ifndef BOXTOP_TUI_DEMO_H
#define BOXTOP_TUI_DEMO_H

#include <stddef.h>

#define DEMO_READY_MS 5000 /* how long demo_start waits for GET /v1/config */

struct demo;

/*
 * Starts the simulator and waits (at most DEMO_READY_MS) until GET
 * /v1/config answers. argv0 is boxtop's argv[0], a fallback when
 * /proc/self/exe cannot be read. http_global_init must have run. Returns
 * the demo (stop and free it with demo_stop), or NULL with one line in err,
 * e.g. "boxlite-sim did not answer within 5 s (log: /tmp/boxtop-demo-x/sim.log)";
 * on failure nothing is left running, and once the simulator was started
 * its state directory is kept (it holds only the log) so the path in err
 * can be read.
 */
struct demo *demo_start(const char *argv0, char *err, size_t errlen);

/* The simulator's base URL, "http://127.0.0.1:PORT"; valid until demo_stop. No prefix. */
const char *demo_url(const struct demo *d);

/* The simulator's log file; valid until demo_stop. */
const char *demo_log_path(const struct demo *d);

/*
 * SIGTERM, a bounded wait (then SIGKILL), the state directory removed, *d
 * freed and NULLed. d and *d may be NULL.
 */
void demo_stop(struct demo **d);

#endif
