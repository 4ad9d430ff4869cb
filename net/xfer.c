/*
 * xfer: the file side of transfers. The .part name is fixed (dest +
 * ".part"), so a second export to the same path while one runs fails on
 * O_EXCL instead of interleaving writes; a stale .part from a crash must be
 * removed by hand, which the message says. The rename refuses to replace a
 * file (renameat2 RENAME_NOREPLACE) unless force is set, so even a file
 * that appeared while the download ran is never clobbered.
 */
#define _GNU_SOURCE /* renameat2 */
#include "xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "model/xalloc.h"

#define SAFE_NAME_MAX 64

char *xfer_default_name(const char *dir, const char *box_name, int64_t now)
{
	char safe[SAFE_NAME_MAX + 1];
	char stamp[32];
	time_t t = (time_t)now;
	struct tm tm;
	size_t n = 0;

	for (const char *p = box_name != NULL ? box_name : ""; *p != '\0' && n < SAFE_NAME_MAX;
	     p++) {
		char ch = *p;

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			ch = '_';
		if (n == 0 && ch == '.')
			ch = '_';
		safe[n++] = ch;
	}
	safe[n] = '\0';
	if (n == 0)
		snprintf(safe, sizeof(safe), "box");
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s/%s-%s.boxlite", dir != NULL && dir[0] != '\0' ? dir : ".", safe,
			 stamp);
}

/* fsync of the directory holding path, so the rename survives a crash. */
static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static int open_part(const char *dest, const char *part, bool force, struct net_error *err)
{
	struct stat st;
	int fd;

	if (!force && lstat(dest, &st) == 0) {
		net_error_set(err, NET_LOCAL, "%s exists; not replacing it (use --force)", dest);
		return -1;
	}
	fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno == EEXIST)
		net_error_set(err, NET_LOCAL,
			      "%s exists: another export to %s is running, or an old one died "
			      "(remove it)",
			      part, dest);
	else
		net_error_set(err, NET_LOCAL, "cannot create %s: %s", part, strerror(errno));
	return -1;
}

/*
 * The verifier: reads the download through a pipe as it arrives, so the
 * archive is checked by the time the last byte lands instead of in a second
 * pass. It always drains the pipe to its end, so the writer never blocks
 * on a verifier that has stopped reading.
 */
struct verifier {
	pthread_t thread;
	int rd, wr; /* the pipe; wr is the download's tee */
	enum archive_rc rc;
	char why[256];
};

static void *verify_run(void *arg)
{
	struct verifier *v = arg;
	struct archive_info info;
	char sink[65536];

	v->rc = archive_verify_fd(v->rd, &info, v->why, sizeof(v->why));
	archive_info_clear(&info);
	while (read(v->rd, sink, sizeof(sink)) > 0)
		;
	return NULL;
}

static int verifier_start(struct verifier *v, struct net_error *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		net_error_set(err, NET_LOCAL, "cannot verify: %s", strerror(errno));
		return -1;
	}
	v->rd = p[0];
	v->wr = p[1];
	fcntl(v->wr, F_SETPIPE_SZ, 1 << 20);
	if (pthread_create(&v->thread, NULL, verify_run, v) != 0) {
		close(p[0]);
		close(p[1]);
		net_error_set(err, NET_LOCAL, "cannot verify: no thread");
		return -1;
	}
	return 0;
}

/* Ends the stream and waits for the verdict. */
static int verifier_finish(struct verifier *v, struct net_error *err)
{
	close(v->wr);
	v->wr = -1;
	pthread_join(v->thread, NULL);
	close(v->rd);
	if (v->rc == ARCHIVE_RC_OK)
		return 0;
	if (err != NULL)
		net_error_set(err, v->rc == ARCHIVE_INVALID ? NET_DECODE : NET_LOCAL,
			      "the exported archive does not verify: %s", v->why);
	return -1;
}

/* fsync, rename into place, fsync the directory. */
static int commit(int fd, const char *part, const char *dest, const struct xfer_opts *o,
		  struct net_error *err)
{
	if (fsync(fd) < 0) {
		net_error_set(err, NET_LOCAL, "cannot write %s: %s", part, strerror(errno));
		return -1;
	}
	if (renameat2(AT_FDCWD, part, AT_FDCWD, dest, o->force ? 0 : RENAME_NOREPLACE) < 0) {
		net_error_set(err, NET_LOCAL, "cannot rename %s to %s: %s", part, dest,
			      errno == EEXIST ? "it appeared meanwhile (use --force)"
					      : strerror(errno));
		return -1;
	}
	sync_dir(dest);
	return 0;
}

/*
 * The export's request, sent again (same Idempotency-Key) on a 429, 502,
 * 503 or 504 with Retry-After honoured: such an answer wrote nothing to the
 * file (only a 2xx body goes there). A connection cut mid-body is not
 * retried: the caller cleans up and says so.
 */
static int download(struct api *a, const struct http_req *req, int fd, int tee,
		    const struct xfer_opts *o, struct http_resp *resp, struct net_error *err)
{
	for (unsigned attempt = 0;; attempt++) {
		int rc = http_download(api_http(a), req, fd, tee, o->progress, o->progress_arg,
				       resp, err);

		if (rc == 0 && resp->status >= 200 && resp->status < 300)
			return 0;
		if (rc == 0)
			net_error_from_resp(resp, err);
		if (err->kind != NET_STATUS || !api_retry_wait(a, attempt, err, o->cancel))
			return -1;
		http_resp_clear(resp);
	}
}

int xfer_export(struct api *a, const char *id, const char *dest, const struct xfer_opts *o,
		struct net_error *err)
{
	char *part = xasprintf("%s.part", dest);
	char *eid = api_escape(id);
	char *path = xasprintf("/boxes/%s/export", eid);
	char *url = api_url(a, true, path);
	struct http_req req = {.method = "POST", .url = url, .json = "{}", .cancel = o->cancel};
	struct http_resp resp = {0};
	struct verifier v = {.rd = -1, .wr = -1};
	char key[37];
	bool verifying = false;
	int fd = open_part(dest, part, o->force, err);
	int rc = -1;

	if (fd < 0)
		goto out;
	if (!o->no_verify && verifier_start(&v, err) < 0)
		goto out;
	verifying = !o->no_verify;
	api_new_idem_key(key);
	req.idem_key = key;
	rc = download(a, &req, fd, v.wr, o, &resp, err);
	verifying = false;
	if (!o->no_verify && verifier_finish(&v, rc == 0 ? err : NULL) < 0)
		rc = -1;
	if (rc == 0)
		rc = commit(fd, part, dest, o, err);
out:
	if (verifying)
		verifier_finish(&v, NULL);
	if (fd >= 0)
		close(fd);
	if (rc < 0 && fd >= 0)
		unlink(part);
	http_resp_clear(&resp);
	free(url);
	free(path);
	free(eid);
	free(part);
	return rc;
}

/* The file is a .boxlite (manifest read, disk not) and its size is known. */
static int check_file(const char *path, int *fd, int64_t *size, struct net_error *err)
{
	struct archive_info info;
	struct stat st;
	char why[256];
	enum archive_rc rc = archive_peek(path, &info, why, sizeof(why));

	archive_info_clear(&info);
	if (rc != ARCHIVE_RC_OK) {
		net_error_set(err, rc == ARCHIVE_INVALID ? NET_DECODE : NET_LOCAL,
			      "%s is not a .boxlite archive: %s", path, why);
		return -1;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		net_error_set(err, NET_LOCAL, "cannot read %s: %s", path,
			      *fd < 0 ? strerror(errno) : "not a regular file");
		return -1;
	}
	*size = (int64_t)st.st_size;
	return 0;
}

/* The import's upload, from the file's start each time, retried like download's. */
static int upload(struct api *a, struct http_req *req, int fd, int64_t size,
		  const struct xfer_opts *o, struct http_resp *resp, struct net_error *err)
{
	char key[37];

	api_new_idem_key(key);
	req->idem_key = key;
	for (unsigned attempt = 0;; attempt++) {
		int rc;

		if (lseek(fd, 0, SEEK_SET) < 0) {
			net_error_set(err, NET_LOCAL, "cannot read the archive: %s",
				      strerror(errno));
			break;
		}
		rc = http_upload(api_http(a), req, fd, size, o->progress, o->progress_arg, resp,
				 err);
		if (rc == 0 && resp->status >= 200 && resp->status < 300) {
			req->idem_key = NULL;
			return 0;
		}
		if (rc == 0)
			net_error_from_resp(resp, err);
		if (err->kind != NET_STATUS || !api_retry_wait(a, attempt, err, o->cancel))
			break;
		http_resp_clear(resp);
	}
	req->idem_key = NULL;
	return -1;
}

int xfer_import(struct api *a, const char *path, const char *name, const struct xfer_opts *o,
		struct box **out, struct net_error *err)
{
	char *ename = name != NULL ? api_escape(name) : NULL;
	char *p = ename != NULL ? xasprintf("/boxes/import?name=%s", ename)
				: xstrdup("/boxes/import");
	char *url = api_url(a, true, p);
	struct http_req req = {.method = "POST", .url = url, .cancel = o->cancel};
	struct http_resp resp = {0};
	struct decode_error derr = {0};
	char msg[300];
	int64_t size = 0;
	int fd = -1;
	int rc = -1;

	*out = NULL;
	if (check_file(path, &fd, &size, err) < 0)
		goto out;
	if (upload(a, &req, fd, size, o, &resp, err) < 0)
		goto out;
	if (box_decode(resp.body, resp.len, out, &derr) < 0) {
		net_error_set(err, NET_DECODE, "import answer: %s",
			      decode_error_str(&derr, msg, sizeof(msg)));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	http_resp_clear(&resp);
	free(url);
	free(p);
	free(ename);
	return rc;
}
