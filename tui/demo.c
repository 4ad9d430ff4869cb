/*
 * demo: see demo.h. The simulator picks its own port (--port 0) and says
 * which in its first line, "listening on http://127.0.0.1:PORT", which goes
 * to the log file like everything else it writes; demo_start reads the URL
 * from there, so no port is ever picked here and then raced for. Ready
 * means GET /v1/config answered, asked once per poll with one try and short
 * timeouts so the whole wait stays within DEMO_READY_MS.
 */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "model/timeutil.h"
#include "net/api.h"

#define DEMO_SIM       "boxlite-sim"
#define DEMO_LOG_NAME  "sim.log"
#define DEMO_BOXES     "12"
#define DEMO_SEED      "6" /* with 12 boxes: 6 running, 3 stopped, 2 configured, 1 failed */
#define DEMO_DISK_SIZE "16M"
#define DEMO_POLL_MS   20
#define DEMO_STOP_MS   3000 /* after SIGTERM, before SIGKILL */

struct demo {
	pid_t pid; /* 0 once reaped */
	char *dir; /* the state directory, removed by demo_stop */
	char *log;
	char url[64];
};

static void nap_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* dir/boxlite-sim when it is there and executable, else NULL. Caller frees. */
static char *sim_in(const char *dir, size_t dir_len)
{
	char *path = xasprintf("%.*s/%s", (int)dir_len, dir, DEMO_SIM);

	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* The directory part of path (which has a '/') into sim_in. */
static char *sim_beside(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? sim_in(path, (size_t)(slash - path)) : NULL;
}

static char *sim_on_path(void)
{
	const char *p = getenv("PATH");
	char *found = NULL;

	while (p != NULL && found == NULL) {
		const char *end = strchr(p, ':');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		/* An empty PATH entry means the current directory. */
		found = n != 0 ? sim_in(p, n) : sim_in(".", 1);
		p = end != NULL ? end + 1 : NULL;
	}
	return found;
}

/* Beside the running boxtop (a build tree or an install), else on PATH. Caller frees. */
static char *find_sim(const char *argv0)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *found = NULL;

	if (n > 0) {
		self[n] = '\0';
		found = sim_beside(self);
	}
	if (found == NULL && argv0 != NULL && strchr(argv0, '/') != NULL)
		found = sim_beside(argv0);
	return found != NULL ? found : sim_on_path();
}

/* The child: output to the log, own process group, dies with us, then the simulator. */
static void run_child(const char *sim, const struct demo *d, int log_fd, pid_t parent)
{
	const char *argv[] = {sim,       "--host",      "127.0.0.1",    "--port",
			      "0",       "--boxes",     DEMO_BOXES,     "--seed",
			      DEMO_SEED, "--disk-size", DEMO_DISK_SIZE, "--state-dir",
			      d->dir,    NULL};
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(log_fd, STDOUT_FILENO);
	dup2(log_fd, STDERR_FILENO);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* A parent that died before the line above took effect has no one to tell. */
	if (getppid() != parent)
		_exit(1);
	/* No secrets: the demo never requires a key, whatever the environment says. */
	unsetenv("BOXLITE_SERVE_API_KEY");
	execv(sim, (char *const *)(uintptr_t)argv);
	fprintf(stderr, "boxtop --demo: exec %s: %s\n", sim, strerror(errno));
	_exit(127);
}

/* Forks the simulator with its output going to d->log. */
static int spawn(struct demo *d, const char *sim, char *err, size_t errlen)
{
	int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	pid_t parent = getpid();

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", d->log, strerror(errno));
		return -1;
	}
	d->pid = fork();
	if (d->pid == 0)
		run_child(sim, d, fd, parent);
	close(fd);
	if (d->pid < 0) {
		d->pid = 0;
		snprintf(err, errlen, "cannot start %s: %s", sim, strerror(errno));
		return -1;
	}
	return 0;
}

/* The URL from the simulator's "listening on URL" line, once it is in the log. */
static bool read_url(struct demo *d)
{
	char buf[512];
	FILE *fp = fopen(d->log, "r");
	bool found = false;

	while (fp != NULL && !found && fgets(buf, sizeof(buf), fp) != NULL)
		found = strchr(buf, '\n') != NULL &&
			sscanf(buf, "listening on %63s", d->url) == 1 &&
			strncmp(d->url, "http://", 7) == 0;
	if (fp != NULL)
		fclose(fp);
	if (!found)
		d->url[0] = '\0';
	return found;
}

/* One quick GET /v1/config. */
static bool config_answers(const char *url)
{
	struct http_conf conf = {.connect_timeout_s = 1, .timeout_s = 1};
	struct api *a = api_new(url, NULL, &conf);
	struct server_config *cfg = NULL;
	struct net_error err;
	bool ok;

	api_set_read_tries(a, 1);
	ok = api_config(a, NULL, &cfg, &err) == 0;
	server_config_free(&cfg);
	api_free(&a);
	return ok;
}

/* Whether the child has exited; reaps it and says how in why. */
static bool child_gone(struct demo *d, char *why, size_t size)
{
	int status = 0;

	if (waitpid(d->pid, &status, WNOHANG) != d->pid)
		return false;
	d->pid = 0;
	if (WIFEXITED(status))
		snprintf(why, size, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(why, size, "was killed by signal %d", WTERMSIG(status));
	return true;
}

/* Waits until the simulator answers, it exits, or DEMO_READY_MS pass. */
static int wait_ready(struct demo *d, char *err, size_t errlen)
{
	int64_t deadline = time_mono_ms() + DEMO_READY_MS;
	char why[64];

	for (;;) {
		if (child_gone(d, why, sizeof(why))) {
			snprintf(err, errlen, "boxlite-sim %s before it was ready (log: %s)", why,
				 d->log);
			return -1;
		}
		if ((d->url[0] != '\0' || read_url(d)) && config_answers(d->url))
			return 0;
		if (time_mono_ms() >= deadline)
			break;
		nap_ms(DEMO_POLL_MS);
	}
	snprintf(err, errlen, "boxlite-sim did not answer within %d s (log: %s)",
		 DEMO_READY_MS / 1000, d->log);
	return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Ends the child: SIGTERM, up to DEMO_STOP_MS, then SIGKILL. */
static void end_child(struct demo *d)
{
	int64_t deadline = time_mono_ms() + DEMO_STOP_MS;
	char why[64];

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	while (!child_gone(d, why, sizeof(why)) && time_mono_ms() < deadline)
		nap_ms(10);
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGKILL);
	while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
}

static void demo_free(struct demo *d, bool remove_dir)
{
	end_child(d);
	if (remove_dir && d->dir != NULL)
		nftw(d->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(d->dir);
	free(d->log);
	free(d);
}

/* A fresh private directory under $TMPDIR (else /tmp). Caller frees. */
static char *make_dir(char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *dir =
		xasprintf("%s/boxtop-demo-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");

	if (mkdtemp(dir) != NULL)
		return dir;
	snprintf(err, errlen, "cannot make a directory for the demo (%s): %s", dir,
		 strerror(errno));
	free(dir);
	return NULL;
}

struct demo *demo_start(const char *argv0, char *err, size_t errlen)
{
	struct demo *d = xcalloc(1, sizeof(*d));
	char *sim = find_sim(argv0);
	bool keep_log = false; /* once the simulator ran, its log may say why it failed */
	int rc = -1;

	if (sim == NULL) {
		snprintf(err, errlen, "%s not found next to boxtop or on PATH", DEMO_SIM);
		goto out;
	}
	d->dir = make_dir(err, errlen);
	if (d->dir == NULL)
		goto out;
	d->log = xasprintf("%s/%s", d->dir, DEMO_LOG_NAME);
	if (spawn(d, sim, err, errlen) < 0)
		goto out;
	keep_log = true;
	if (wait_ready(d, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	free(sim);
	if (rc < 0) {
		demo_free(d, !keep_log);
		d = NULL;
	}
	return d;
}

const char *demo_url(const struct demo *d)
{
	return d->url;
}

const char *demo_log_path(const struct demo *d)
{
	return d->log;
}

void demo_stop(struct demo **d)
{
	if (d == NULL || *d == NULL)
		return;
	demo_free(*d, true);
	*d = NULL;
}
