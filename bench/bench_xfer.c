/*
 * Transfer benchmark: boxtop's export and import engine (net/xfer.c)
 * against curl on the same archive from the same boxlite-sim, for a 64 MiB
 * and a 1 GiB disk: throughput (median of RUNS) and peak RSS. boxtop's
 * engine runs in a forked child so its peak RSS is its own (wait4), the same
 * way curl's is measured.
 *
 * Usage: bench_xfer [SIM]   (default build/boxlite-sim; RUNS env, default 3)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/xalloc.h"
#include "net/xfer.h"
#include "tests/support/simproc.h"

struct sample {
	double seconds;
	long rss_kib;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn(arg) in a child; its time and peak RSS. */
static struct sample in_child(int (*fn)(void *), void *arg)
{
	struct sample s = {0};
	struct rusage ru;
	double t0 = now_s();
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg) == 0 ? 0 : 1);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	s.seconds = now_s() - t0;
	s.rss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_xfer: a run failed\n");
		exit(1);
	}
	return s;
}

struct job {
	const char *url;
	const char *path;
	bool import;
	bool no_verify;
};

static int boxtop_run(void *arg)
{
	const struct job *j = arg;
	struct http_conf conf = {0};
	struct xfer_opts o = {.force = true, .no_verify = j->no_verify};
	struct net_error err;
	struct box *box = NULL;
	struct api *a;
	int rc;

	http_global_init();
	a = api_new(j->url, NULL, &conf);
	if (j->import) {
		rc = xfer_import(a, j->path, NULL, &o, &box, &err);
		box_free(&box);
	} else {
		rc = xfer_export(a, "web-2", j->path, &o, &err);
	}
	if (rc < 0)
		fprintf(stderr, "bench_xfer: %s\n", err.message);
	api_free(&a);
	return rc;
}

static int curl_run(void *arg)
{
	const struct job *j = arg;
	char *url = xasprintf("%s/v1/boxes/%s", j->url, j->import ? "import" : "web-2/export");
	char *data = xasprintf("@%s", j->path);
	int devnull = open("/dev/null", O_WRONLY);

	dup2(devnull, STDOUT_FILENO);
	if (j->import)
		execlp("curl", "curl", "-sf", "-X", "POST", "-H",
		       "Content-Type: application/octet-stream", "--data-binary", data, url,
		       (char *)NULL);
	else
		execlp("curl", "curl", "-sf", "-X", "POST", "-o", j->path, url, (char *)NULL);
	return 127;
}

static int by_seconds(const void *a, const void *b)
{
	double x = ((const struct sample *)a)->seconds;
	double y = ((const struct sample *)b)->seconds;

	return (x > y) - (x < y);
}

/* The median time of runs and the largest RSS seen. */
static struct sample measure(int (*fn)(void *), struct job *j, int runs)
{
	struct sample *s = xcalloc((size_t)runs, sizeof(*s));
	struct sample m;
	long rss = 0;

	for (int i = 0; i < runs; i++) {
		s[i] = in_child(fn, j);
		rss = s[i].rss_kib > rss ? s[i].rss_kib : rss;
	}
	qsort(s, (size_t)runs, sizeof(*s), by_seconds);
	m = s[runs / 2];
	m.rss_kib = rss;
	free(s);
	return m;
}

static void row(const char *what, const char *who, const struct sample *s, double bytes)
{
	printf("| %-7s | %-12s | %8.0f MB/s | %6.2f s | %6.1f MiB |\n", what, who,
	       bytes / s->seconds / 1e6, s->seconds, (double)s->rss_kib / 1024);
}

static void one_size(const char *sim, const char *disk, int runs)
{
	const char *args[] = {"--disk-size", disk, "--boxes", "3", NULL};
	char tmpl[] = "/tmp/bench-xfer-XXXXXX";
	char *dir = mkdtemp(tmpl);
	char *a_path = xasprintf("%s/a.boxlite", dir);
	char *b_path = xasprintf("%s/b.boxlite", dir);
	struct simproc s;
	struct job j;
	struct stat st;

	setenv("SIM", sim, 1);
	if (simproc_start(&s, args) < 0)
		exit(1);
	j = (struct job){.url = s.url, .path = a_path};
	in_child(curl_run, &j); /* builds and caches the archive on the server */
	stat(a_path, &st);
	printf("\ndisk %s, archive %.1f MiB\n\n", disk, (double)st.st_size / 1048576);
	printf("| what    | client       | throughput   | median   | peak RSS   |\n");
	printf("|---------|--------------|-------------:|---------:|-----------:|\n");
	j.path = b_path;
	{
		struct sample c = measure(curl_run, &j, runs);
		struct sample b = measure(boxtop_run, &j, runs);

		struct sample n;

		j.no_verify = true;
		n = measure(boxtop_run, &j, runs);
		j.no_verify = false;
		row("export", "curl", &c, (double)st.st_size);
		row("export", "boxtop", &b, (double)st.st_size);
		row("export", "boxtop -nv", &n, (double)st.st_size);
	}
	j.path = a_path;
	j.import = true;
	{
		struct sample c = measure(curl_run, &j, runs);
		struct sample b = measure(boxtop_run, &j, runs);

		row("import", "curl", &c, (double)st.st_size);
		row("import", "boxtop", &b, (double)st.st_size);
	}
	simproc_stop(&s);
	unlink(a_path);
	unlink(b_path);
	rmdir(dir);
	free(a_path);
	free(b_path);
}

int main(int argc, char **argv)
{
	const char *sim = argc > 1 ? argv[1] : "build/boxlite-sim";
	int runs = getenv("RUNS") != NULL ? atoi(getenv("RUNS")) : 3;

	if (runs < 1)
		runs = 1;
	printf("boxtop export/import vs curl, boxlite-sim on loopback, median of %d runs\n", runs);
	printf("(boxtop's export includes verifying the archive, curl's does not;\n"
	       " \"boxtop -nv\" is the same export with --no-verify)\n");
	one_size(sim, "64M", runs);
	one_size(sim, "1G", runs);
	return 0;
}
