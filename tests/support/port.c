/*
 * port: ports outside the kernel's ephemeral range, one per lock directory.
 * mkdir is atomic, so of two processes asking for the same port one gets it;
 * the lock holds the owner's pid for whoever reads it. A lock left by a
 * killed test is not taken back (telling a dead owner from a live one is a
 * race): that port is skipped, and /tmp is cleared at boot.
 */
#include "port.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PORT_LOCKS "/tmp/boxtop-ports"
#define PORT_SPAN  1000 /* ports tried; the shell helper uses the same range */
#define MAX_HELD   16

static int held[MAX_HELD];
static int n_held;
static pid_t owner;

/* The first port of PORT_SPAN ports clear of the ephemeral range, or -1. */
static int port_base(void)
{
	int lo = 32768, hi = 60999;
	const int bases[] = {20000, 10000};
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	if (f != NULL) {
		if (fscanf(f, "%d %d", &lo, &hi) != 2) {
			lo = 32768;
			hi = 60999;
		}
		fclose(f);
	}
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (bases[i] + PORT_SPAN <= lo || bases[i] > hi)
			return bases[i];
	return hi + PORT_SPAN < 65536 ? hi + 1 : -1;
}

/* Whether something is bound to PORT on loopback (or on every address). */
static int port_busy(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	int busy;

	if (fd < 0)
		return 1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* SO_REUSEADDR: a closed connection's TIME_WAIT does not count, a listener does */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	busy = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0;
	close(fd);
	return busy;
}

static void lock_paths(int port, char dir[64], char pidfile[64])
{
	snprintf(dir, 64, "%s/%d", PORT_LOCKS, port);
	snprintf(pidfile, 64, "%s/%d/pid", PORT_LOCKS, port);
}

static void unlock_port(int port)
{
	char dir[64], pidfile[64];

	lock_paths(port, dir, pidfile);
	unlink(pidfile);
	rmdir(dir);
}

/* atexit: only the process that took the locks (not a forked child) drops them */
static void release_all(void)
{
	if (getpid() != owner)
		return;
	for (int i = 0; i < n_held; i++)
		unlock_port(held[i]);
}

/* Takes PORT's lock; 0 when this process now holds it. */
static int lock_port(int port)
{
	char dir[64], pidfile[64];
	FILE *f;

	lock_paths(port, dir, pidfile);
	if (mkdir(dir, 0755) < 0)
		return -1;
	f = fopen(pidfile, "w");
	if (f != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	held[n_held++] = port;
	if (owner == 0) {
		owner = getpid();
		atexit(release_all);
	}
	return 0;
}

int port_reserve(void)
{
	int base = port_base();

	if (base < 0 || n_held == MAX_HELD) {
		fprintf(stderr, "port: no range clear of the ephemeral ports, or %d held\n",
			MAX_HELD);
		return -1;
	}
	/* the lock directory is shared by every user's tests: sticky and open */
	if (mkdir(PORT_LOCKS, 01777) == 0)
		chmod(PORT_LOCKS, 01777);
	for (int i = 0; i < PORT_SPAN; i++) {
		int port = base + (int)((getpid() + i) % PORT_SPAN);

		if (lock_port(port) < 0)
			continue;
		if (!port_busy(port))
			return port;
		unlock_port(held[--n_held]);
	}
	fprintf(stderr, "port: every port of %d..%d is locked or busy\n", base,
		base + PORT_SPAN - 1);
	return -1;
}
