/*
 * exec: what runs inside the boxes, and the routes that reach it (api.md,
 * "Exec and attach"): POST .../exec starts an execution of the built-in
 * shell (shell.h) on a thread of its own; .../executions/{eid} reads, kills,
 * signals and resizes it; .../attach (of an execution, or of a box's main
 * session, the log-writing "init" every running box has) upgrades to a
 * WebSocket (wss.h) that carries its output out and its input in.
 *
 * The executions live in one registry per process, started with the server
 * (exec_start) and stopped with it (exec_stop). It hooks the fleet: a box
 * that stops or goes away ends its executions (exit 137) and main session.
 */
#ifndef BOXTOP_SIM_EXEC_H
#define BOXTOP_SIM_EXEC_H

#include <microhttpd.h>

#include "fleet.h"
#include "opts.h"

#define EXEC_BACKLOG     (256u * 1024) /* per stream, replayed on every attach */
#define EXEC_PER_BOX     64            /* running executions per box (429 above) */
#define EXEC_MAX         4096          /* executions kept in all (429 above) */
#define EXEC_KILLED_CODE 137           /* DELETE, a stopped box, a timeout: SIGKILL */

struct call;

/*
 * Starts the registry over fleet (borrowed: it must outlive exec_stop) with
 * the run's options (borrowed; NULL: defaults), and its reaper thread.
 */
void exec_start(struct fleet *fleet, const struct sim_opts *opts);
/* Ends every execution and main session, waits for their threads, unhooks the fleet. */
void exec_stop(void);

/* The route handlers (routes.c's table). c->segs: boxes, ID, ... */
enum MHD_Result exec_create(struct call *c);
enum MHD_Result exec_get(struct call *c);
enum MHD_Result exec_kill(struct call *c);
enum MHD_Result exec_signal(struct call *c);
enum MHD_Result exec_resize(struct call *c);
enum MHD_Result exec_attach(struct call *c);
enum MHD_Result exec_attach_box(struct call *c);

#endif
