/*
 * port: a loopback port a test may free and take again (a server restarted
 * on the same port), which nothing else can take meanwhile. A simulator on
 * --port 0 gets its port from the kernel's ephemeral range, so a port from
 * that range freed by one test could be handed to another suite's simulator
 * running in parallel. These ports come from outside the ephemeral range
 * (no port-0 socket can get one) and are locked by mkdir of
 * /tmp/boxtop-ports/PORT, the same lock tests/e2e/run.sh's reserve_port
 * takes, so two suites never hold the same one.
 */
#ifndef BOXTOP_TESTS_PORT_H
#define BOXTOP_TESTS_PORT_H

/*
 * A port nobody listens on, locked for this process until it exits (the
 * lock is removed by an atexit handler). Returns -1 after printing why when
 * none is left.
 */
int port_reserve(void);

#endif
