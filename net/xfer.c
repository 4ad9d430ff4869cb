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
#include "model/timeutil.h"
#include "model/xalloc.h"

#define SAFE_NAME_MAX 64

char *xfer_default_name(const char *dir, const char *box_name, int64_t now)
{
	char safe[SAFE_NAME_MAX + 1];
	char stamp[32];
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
	return xasprintf("%s/%s-%s.boxlite", dir != NULL && dir[0] != '\0' ? dir : ".", safe,
			 time_format_stamp(now, stamp, sizeof(stamp)));
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

int xfer_commit_part(int fd, const char *part, const char *dest, bool force, struct net_error *err)
{
	if (fsync(fd) < 0) {
		net_error_set(err, NET_LOCAL, "cannot write %s: %s", part, strerror(errno));
		return -1;
	}
	if (renameat2(AT_FDCWD, part, AT_FDCWD, dest, force ? 0 : RENAME_NOREPLACE) < 0) {
		net_error_set(err, NET_LOCAL, "cannot rename %s to %s: %s", part, dest,
			      errno == EEXIST ? "it appeared meanwhile" : strerror(errno));
		return -1;
	}
	sync_dir(dest);
	return 0;
}

/* Progress as the caller's, telling it when the silence before or after the bytes begins or ends.
 */
struct watch {
	const struct xfer_opts *o;
	const char *said; /* what waiting last said */
	bool upload;
};

static void say_waiting(struct watch *w, const char *what)
{
	if (w->o->waiting != NULL && what != w->said)
		w->o->waiting(w->o->progress_arg, what);
	w->said = what;
}

static void watch_progress(void *arg, int64_t done, int64_t total)
{
	struct watch *w = arg;

	if (!w->upload)
		say_waiting(w, done > 0 ? NULL : XFER_WAIT_BUILD);
	else
		say_waiting(w, total > 0 && done >= total ? XFER_WAIT_CHECK : NULL);
	if (w->o->progress != NULL)
		w->o->progress(w->o->progress_arg, done, total);
}

int xfer_download(struct api *a, const struct http_req *req, int fd, int tee,
		  const struct xfer_opts *o, struct http_resp *resp, struct net_error *err)
{
	struct watch w = {.o = o};

	say_waiting(&w, XFER_WAIT_BUILD);
	for (unsigned attempt = 0;; attempt++) {
		int rc = http_download(api_http(a), req, fd, tee, watch_progress, &w, resp, err);

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
	char *url = api_item_url(a, "boxes", id, "/export");
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
	rc = xfer_download(a, &req, fd, v.wr, o, &resp, err);
	verifying = false;
	if (!o->no_verify && verifier_finish(&v, rc == 0 ? err : NULL) < 0)
		rc = -1;
	if (rc == 0)
		rc = xfer_commit_part(fd, part, dest, o->force, err);
out:
	if (verifying)
		verifier_finish(&v, NULL);
	if (fd >= 0)
		close(fd);
	if (rc < 0 && fd >= 0)
		unlink(part);
	http_resp_clear(&resp);
	free(url);
	free(part);
	return rc;
}

/* The file is a .boxlite (manifest read, disk not), its size known, its box name in *archived. */
static int check_file(const char *path, int *fd, int64_t *size, char **archived,
		      struct net_error *err)
{
	struct archive_info info;
	struct stat st;
	char why[256];
	enum archive_rc rc = archive_peek(path, &info, why, sizeof(why));

	*archived = rc == ARCHIVE_RC_OK ? xstrdup(info.box_name) : NULL;
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

int xfer_upload_try(struct api *a, void *arg, struct http_resp *out, struct net_error *err)
{
	struct xfer_upload *u = arg;
	struct watch w = {.o = u->o, .upload = true};
	int rc;

	if (lseek(u->fd, 0, SEEK_SET) < 0) {
		net_error_set(err, NET_LOCAL, "cannot read what is sent: %s", strerror(errno));
		return -1;
	}
	rc = http_upload(api_http(a), u->req, u->fd, u->size, watch_progress, &w, out, err);
	say_waiting(&w, NULL);
	return rc;
}

/*
 * The name an import is sent with when the server announces no
 * idempotency, so a lost answer can be looked for: the one asked for (which
 * must be free), else the archive's box name made free the way the server
 * would ("web-1", "web-1-2", ...). NULL with err when none can be had.
 */
static char *import_name(struct api *a, const char *asked, const char *archived,
			 const atomic_bool *cancel, struct net_error *err)
{
	const char *base = archived != NULL && archived[0] != '\0' ? archived : "imported";
	char *name = xstrdup(asked != NULL ? asked : base);

	for (int i = 2; api_box_name_free(a, name, cancel, err) < 0; i++) {
		free(name);
		if (asked != NULL || err->kind != NET_REFUSED || i > 100)
			return NULL;
		name = xasprintf("%.100s-%d", base, i);
	}
	return name;
}

int xfer_import(struct api *a, const char *path, const char *name, const struct xfer_opts *o,
		struct box **out, struct net_error *err)
{
	struct http_req req = {.method = "POST", .cancel = o->cancel};
	struct api_look look = {0};
	struct http_resp resp = {0};
	struct decode_error derr = {0};
	struct xfer_upload up = {.req = &req, .fd = -1, .o = o};
	char *archived = NULL, *sent = NULL, *ename = NULL, *p = NULL, *url = NULL;
	char msg[300];
	int rc = -1;

	*out = NULL;
	if (check_file(path, &up.fd, &up.size, &archived, err) < 0)
		goto out;
	sent = api_idempotent(a) ? xstrdup(name) : import_name(a, name, archived, o->cancel, err);
	if (sent == NULL && !api_idempotent(a))
		goto out;
	ename = sent != NULL ? api_escape(sent) : NULL;
	p = ename != NULL ? xasprintf("/boxes/import?name=%s", ename) : xstrdup("/boxes/import");
	url = api_url(a, true, p);
	req.url = url;
	api_look_box_named(&look, sent);
	if (api_mutate(a, &req, sent != NULL ? &look : NULL, xfer_upload_try, &up, &resp, err) < 0)
		goto out;
	if (box_decode(resp.body, resp.len, out, &derr) < 0) {
		net_error_set(err, NET_DECODE, "import answer: %s",
			      decode_error_str(&derr, msg, sizeof(msg)));
		goto out;
	}
	rc = 0;
out:
	if (up.fd >= 0)
		close(up.fd);
	http_resp_clear(&resp);
	free(url);
	free(p);
	free(ename);
	free(sent);
	free(archived);
	return rc;
}
