/*
 * files: see files.h.
 *
 * Both directions read a tar answer the same way: http_download writes the
 * 2xx body into a pipe and a reader thread gives it to libarchive, so
 * nothing but libarchive's block and the pipe's buffer is in memory. The
 * request's cancel flag is the reader's own (`stop`): the reader sets it
 * when it has what it wanted (a peek) or cannot go on (a refused entry, a
 * full disk), and the progress callback copies the caller's cancel into it.
 * A reader that stops keeps draining the pipe to its end, so the writer
 * never blocks on it and no SIGPIPE is ever raised.
 *
 * The temporary directory holds the whole copy before anything gets its
 * final name; placing it is renames only (same file system: the directory
 * is made where the copy goes), so a cut transfer leaves nothing but that
 * directory, which is removed on every failure path.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include "files.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"

#define CHUNK     (256u * 1024)
#define PIPE_SIZE (1 << 20)

bool files_split_arg(const char *arg, char **box, char **path)
{
	const char *colon = arg != NULL ? strchr(arg, ':') : NULL;

	if (colon == NULL || colon == arg || arg[0] == '/' || arg[0] == '.' ||
	    memchr(arg, '/', (size_t)(colon - arg)) != NULL)
		return false;
	*box = xasprintf("%.*s", (int)(colon - arg), arg);
	*path = xstrdup(colon + 1);
	return true;
}

/* ---- small helpers ---- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* path without trailing '/' (and, with dot, a trailing "/."); "/" stays, "" is ".". Caller frees.
 */
static char *trimmed(const char *path, bool dot)
{
	size_t n = strlen(path);

	if (dot && ends_with(path, "/."))
		n -= 2;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return xstrdup(path[0] == '/' ? "/" : ".");
	return xasprintf("%.*s", (int)n, path);
}

/* The last component of a trimmed path ("/" for the root). */
static const char *base_of(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : p;
}

/* The directory of a trimmed path. Caller frees. */
static char *dir_of(const char *p)
{
	const char *slash = strrchr(p, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == p)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - p), p);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the reader: a tar answer from a pipe ---- */

enum peek_kind { PEEK_NONE, PEEK_FILE, PEEK_DIR };

struct reader {
	pthread_t thread;
	int rd, wr;
	atomic_bool stop; /* the request's cancel flag */
	bool peek;        /* only the first entry's type is wanted */
	enum peek_kind kind;
	const char *tmp; /* unpack: into this directory */
	char top[256];   /* unpack: the first top-level name, "" for "." */
	unsigned tops;   /* how many different top-level names */
	bool failed;
	enum net_err_kind fail_kind;
	char why[400];
};

static void reader_fail(struct reader *r, enum net_err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reader_fail(struct reader *r, enum net_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (!r->failed) {
		va_start(ap, fmt);
		vsnprintf(r->why, sizeof(r->why), fmt, ap);
		va_end(ap);
		r->failed = true;
		r->fail_kind = kind;
	}
	atomic_store(&r->stop, true);
}

/* An entry's name: not absolute, no ".." component. */
static bool name_safe(const char *name)
{
	if (name[0] == '/')
		return false;
	for (const char *p = name; *p != '\0';) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		p += *p == '/';
	}
	return true;
}

static const char *strip_dot(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/' && name[1] == '\0')
		name++;
	return name;
}

static void note_top(struct reader *r, const char *name)
{
	size_t n = strcspn(name, "/");

	if (r->tops == 0) {
		snprintf(r->top, sizeof(r->top), "%.*s", (int)n, name);
		r->tops = 1;
	} else if (strlen(r->top) != n || strncmp(r->top, name, n) != 0) {
		r->tops = 2;
	}
}

static int copy_data(struct reader *r, struct archive *in, struct archive *out, const char *name)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int rc;

	while ((rc = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
		if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN) {
			reader_fail(r, NET_LOCAL, "cannot write %s: %s", name,
				    archive_error_string(out));
			return -1;
		}
	}
	if (rc != ARCHIVE_EOF) {
		reader_fail(r, NET_DECODE, "the answer's tar is cut or damaged at %s: %s", name,
			    archive_error_string(in));
		return -1;
	}
	return 0;
}

/* One entry into r->tmp, renamed under it. */
static int unpack_entry(struct reader *r, struct archive *in, struct archive *out,
			struct archive_entry *e)
{
	const char *name = strip_dot(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
	const char *link = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	char *full, *shown = xstrdup(name);
	int rc = -1;

	if (!name_safe(name) || (link != NULL && !name_safe(strip_dot(link)))) {
		reader_fail(r, NET_LOCAL, "refused the entry '%s': absolute or with '..'", name);
		goto out;
	}
	if (name[0] == '\0' || strcmp(name, ".") == 0 ||
	    (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)) {
		rc = archive_read_data_skip(in) < ARCHIVE_WARN ? -1 : 0; /* the root; devices */
		goto out;
	}
	note_top(r, name);
	full = xasprintf("%s/%s", r->tmp, name);
	archive_entry_set_pathname(e, full);
	free(full);
	if (link != NULL) {
		full = xasprintf("%s/%s", r->tmp, strip_dot(link));
		archive_entry_set_hardlink(e, full);
		free(full);
	}
	if (archive_write_header(out, e) < ARCHIVE_WARN) {
		reader_fail(r, NET_LOCAL, "cannot write %s: %s", shown, archive_error_string(out));
		goto out;
	}
	if (archive_entry_size(e) > 0 && copy_data(r, in, out, shown) < 0)
		goto out;
	if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
		reader_fail(r, NET_LOCAL, "cannot write %s: %s", shown, archive_error_string(out));
		goto out;
	}
	rc = 0;
out:
	free(shown);
	return rc;
}

static struct archive *disk_writer(void)
{
	struct archive *out = archive_write_disk_new();

	if (out == NULL)
		fatal("files: out of memory");
	/* no owners (we are not root); a path through a symlink or with ".." is refused */
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
						    ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						    ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	return out;
}

static void read_entries(struct reader *r, struct archive *in)
{
	struct archive *out = r->peek ? NULL : disk_writer();
	struct archive_entry *e;
	int rc;

	while (!r->failed && (rc = archive_read_next_header(in, &e)) != ARCHIVE_EOF) {
		if (rc < ARCHIVE_WARN) {
			reader_fail(r, NET_DECODE, "the answer is not a tar: %s",
				    archive_error_string(in));
		} else if (r->peek) {
			r->kind = archive_entry_filetype(e) == AE_IFDIR ? PEEK_DIR : PEEK_FILE;
			atomic_store(&r->stop, true);
			break;
		} else if (unpack_entry(r, in, out, e) < 0) {
			reader_fail(r, NET_DECODE, "the answer's tar is damaged: %s",
				    archive_error_string(in));
		}
	}
	if (out != NULL && archive_write_close(out) < ARCHIVE_WARN)
		reader_fail(r, NET_LOCAL, "cannot finish the copy: %s", archive_error_string(out));
	if (out != NULL)
		archive_write_free(out);
}

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	struct archive *in = archive_read_new();
	char sink[65536];

	if (in == NULL)
		fatal("files: out of memory");
	archive_read_support_format_tar(in);
	if (archive_read_open_fd(in, r->rd, 65536) != ARCHIVE_OK)
		reader_fail(r, NET_DECODE, "the answer is not a tar: %s", archive_error_string(in));
	else
		read_entries(r, in);
	archive_read_free(in);
	while (read(r->rd, sink, sizeof(sink)) > 0)
		;
	return NULL;
}

static int reader_start(struct reader *r, struct net_error *err)
{
	int p[2];

	atomic_init(&r->stop, false);
	if (pipe2(p, O_CLOEXEC) < 0) {
		net_error_set(err, NET_LOCAL, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	r->rd = p[0];
	r->wr = p[1];
	fcntl(r->wr, F_SETPIPE_SZ, PIPE_SIZE);
	if (pthread_create(&r->thread, NULL, reader_run, r) != 0) {
		close(p[0]);
		close(p[1]);
		net_error_set(err, NET_LOCAL, "cannot start a thread");
		return -1;
	}
	return 0;
}

static void reader_finish(struct reader *r)
{
	close(r->wr);
	r->wr = -1;
	pthread_join(r->thread, NULL);
	close(r->rd);
	r->rd = -1;
}

/* ---- the GET ---- */

/* The caller's progress, stopping the reader on its cancel; a peek's is nobody's business. */
struct watch {
	const struct xfer_opts *o;
	struct reader *r;
};

static void watch_progress(void *arg, int64_t done, int64_t total)
{
	struct watch *w = arg;

	if (w->o->cancel != NULL && atomic_load(w->o->cancel))
		atomic_store(&w->r->stop, true);
	if (w->o->progress != NULL && !w->r->peek)
		w->o->progress(w->o->progress_arg, done, total);
}

static void watch_waiting(void *arg, const char *what)
{
	struct watch *w = arg;

	if (w->o->waiting != NULL && !w->r->peek)
		w->o->waiting(w->o->progress_arg, what);
}

/* .../boxes/{id}/files?path=PATH; caller frees. */
static char *files_url(struct api *a, const char *id, const char *path)
{
	char *epath = api_escape(path);
	char *tail = xasprintf("/files?path=%s", epath);
	char *url = api_item_url(a, "boxes", id, tail);

	free(tail);
	free(epath);
	return url;
}

/* A 409 says why in the server's words; boxtop adds what to do. */
static void explain(struct net_error *err, const char *id)
{
	size_t n = strlen(err->message);

	if (err->kind == NET_STATUS && err->api.http_status == 409)
		snprintf(err->message + n, sizeof(err->message) - n,
			 "; the box must be running to copy files (boxtop start %s)", id);
}

/*
 * The GET, its 2xx body into r; sent again on 429/502/503/504 (nothing of
 * such an answer reaches the pipe). 0 once the reader has what it wanted.
 */
static int fetch(struct api *a, const char *id, const char *path, struct reader *r,
		 const struct xfer_opts *o, struct net_error *err)
{
	char *url = files_url(a, id, path);
	struct http_req req = {.method = "GET", .url = url, .cancel = &r->stop};
	struct http_resp resp = {0};
	struct watch w = {.o = o, .r = r};
	struct xfer_opts fo = {.cancel = o->cancel,
			       .progress = watch_progress,
			       .progress_arg = &w,
			       .waiting = watch_waiting};
	int rc = -1;

	err->kind = NET_OK;
	if (reader_start(r, err) < 0)
		goto out;
	rc = xfer_download(a, &req, r->wr, -1, &fo, &resp, err);
	watch_waiting(&w, NULL);
	reader_finish(r);
	if (o->cancel != NULL && atomic_load(o->cancel)) {
		net_error_set(err, NET_CANCELLED, "cancelled");
		rc = -1;
	} else if (r->failed && (rc == 0 || err->kind == NET_CANCELLED)) {
		net_error_set(err, r->fail_kind, "%s", r->why);
		rc = -1;
	} else if (rc < 0 && r->peek && r->kind != PEEK_NONE && err->kind == NET_CANCELLED) {
		rc = 0; /* the reader stopped it: it saw the first entry */
	}
	explain(err, id);
out:
	http_resp_clear(&resp);
	free(url);
	return rc;
}

/* ---- placing the unpacked copy ---- */

static int place(const char *src, const char *dst, struct net_error *err);

static int no_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Every entry of the directory src placed in the directory dst. */
static int place_children(const char *src, const char *dst, struct net_error *err)
{
	struct dirent **list = NULL;
	int n = scandir(src, &list, no_dots, alphasort), rc = 0;

	if (n < 0) {
		net_error_set(err, NET_LOCAL, "cannot read %s: %s", src, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *s = xasprintf("%s/%s", src, list[i]->d_name);
		char *d = xasprintf("%s/%s", dst, list[i]->d_name);

		if (rc == 0 && place(s, d, err) < 0)
			rc = -1;
		free(s);
		free(d);
		free(list[i]);
	}
	free(list);
	return rc;
}

/*
 * Moves src to dst: renamed when dst is missing or both are not
 * directories (a file replaced whole), merged entry by entry when both are
 * directories, refused when one is a directory and the other not.
 */
static int place(const char *src, const char *dst, struct net_error *err)
{
	struct stat s, d;
	bool exists;

	if (lstat(src, &s) < 0) {
		net_error_set(err, NET_LOCAL, "cannot read %s: %s", src, strerror(errno));
		return -1;
	}
	exists = lstat(dst, &d) == 0;
	if (!exists && errno != ENOENT) {
		net_error_set(err, NET_LOCAL, "cannot use %s: %s", dst, strerror(errno));
		return -1;
	}
	if (exists && S_ISDIR(s.st_mode) && S_ISDIR(d.st_mode))
		return place_children(src, dst, err);
	if (exists && S_ISDIR(s.st_mode) != S_ISDIR(d.st_mode)) {
		net_error_set(err, NET_LOCAL, "cannot overwrite %s%s with a %s",
			      S_ISDIR(d.st_mode) ? "directory " : "non-directory ", dst,
			      S_ISDIR(s.st_mode) ? "directory" : "file");
		return -1;
	}
	if (rename(src, dst) < 0) {
		net_error_set(err, NET_LOCAL, "cannot move the copy to %s: %s", dst,
			      strerror(errno));
		return -1;
	}
	return 0;
}

/* Where a copy out goes, worked out before a byte moves. */
struct out_plan {
	bool contents;  /* the path ended in "/." */
	bool dest_dir;  /* dest is a directory */
	bool dest_file; /* dest exists and is not a directory */
	bool slash;     /* dest ends with '/' */
	char *dest;     /* trimmed */
	char *tmp;      /* the temporary directory */
};

static int plan_out(struct out_plan *p, const char *path, const char *dest, struct net_error *err)
{
	struct stat st;
	char *parent, *tmpl;

	p->contents = ends_with(path, "/.");
	p->slash = ends_with(dest, "/");
	p->dest = trimmed(dest, false);
	if (stat(p->dest, &st) == 0) {
		p->dest_dir = S_ISDIR(st.st_mode);
		p->dest_file = !p->dest_dir;
	} else if (errno != ENOENT) {
		net_error_set(err, NET_LOCAL, "cannot use %s: %s", dest, strerror(errno));
		return -1;
	}
	if (p->dest_file && p->contents) {
		net_error_set(err, NET_LOCAL, "%s is not a directory: cannot copy %s into it", dest,
			      path);
		return -1;
	}
	parent = p->dest_dir ? xstrdup(p->dest) : dir_of(p->dest);
	tmpl = xasprintf("%s/" FILES_TMP_PREFIX "XXXXXX", parent);
	if (mkdtemp(tmpl) == NULL) {
		net_error_set(err, NET_LOCAL, "cannot write in %s: %s", parent, strerror(errno));
		free(tmpl);
		free(parent);
		return -1;
	}
	free(parent);
	/* libarchive refuses a path through a symlink: the prefix must have none */
	p->tmp = realpath(tmpl, NULL);
	if (p->tmp == NULL) {
		net_error_set(err, NET_LOCAL, "cannot use %s: %s", tmpl, strerror(errno));
		rmdir(tmpl);
	}
	free(tmpl);
	return p->tmp != NULL ? 0 : -1;
}

/* Renames what was unpacked into place; *saved is where it went. */
static int place_out(const struct out_plan *p, const struct reader *r, char **saved,
		     struct net_error *err)
{
	char *src, *dst;
	struct stat st;
	int rc;

	if (p->contents) {
		chmod(p->tmp, 0755);
		*saved = xstrdup(p->dest);
		return p->dest_dir ? place_children(p->tmp, p->dest, err)
				   : place(p->tmp, p->dest, err);
	}
	if (r->tops != 1) {
		net_error_set(err, NET_DECODE, "the answer holds %s top-level entry, expected one",
			      r->tops == 0 ? "no" : "more than one");
		return -1;
	}
	src = xasprintf("%s/%s", p->tmp, r->top);
	dst = p->dest_dir ? xasprintf("%s/%s", p->dest, r->top) : xstrdup(p->dest);
	if (!p->dest_dir && p->slash && lstat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
		net_error_set(err, NET_LOCAL, "no directory %s to copy the file into", p->dest);
		rc = -1;
	} else {
		rc = place(src, dst, err);
	}
	*saved = rc == 0 ? dst : NULL;
	if (rc < 0)
		free(dst);
	free(src);
	return rc;
}

int files_copy_out(struct api *a, const char *id, const char *path, const char *dest,
		   const struct xfer_opts *o, char **saved, struct net_error *err)
{
	struct out_plan p = {0};
	struct reader r = {.rd = -1, .wr = -1};
	char *asked = NULL;
	int rc = -1;

	*saved = NULL;
	if (path == NULL || path[0] == '\0') {
		net_error_set(err, NET_LOCAL, "copy-from needs a path in the box");
		return -1;
	}
	if (plan_out(&p, path, dest, err) < 0)
		goto out;
	r.tmp = p.tmp;
	/* "dir/" is the directory itself, as in docker cp; only "dir/." is its contents */
	asked = p.contents ? xstrdup(path) : trimmed(path, false);
	if (fetch(a, id, asked, &r, o, err) < 0)
		goto out;
	rc = place_out(&p, &r, saved, err);
out:
	if (p.tmp != NULL)
		rm_tree(p.tmp);
	free(p.tmp);
	free(p.dest);
	free(asked);
	return rc;
}

/* ---- copying in ---- */

static int disk_failed(struct archive *ar, const char *src, struct net_error *err)
{
	net_error_set(err, NET_LOCAL, "cannot read %s: %s", src, archive_error_string(ar));
	return -1;
}

static struct archive *disk_reader(const char *src, struct net_error *err)
{
	struct archive *disk = archive_read_disk_new();

	if (disk == NULL)
		fatal("files: out of memory");
	archive_read_disk_set_symlink_physical(disk);
	archive_read_disk_set_standard_lookup(disk);
	if (archive_read_disk_open(disk, src) != ARCHIVE_OK) {
		disk_failed(disk, src, err);
		archive_read_free(disk);
		return NULL;
	}
	return disk;
}

/* The bytes of every regular file under src: the job's total while packing. */
static int64_t walk_total(const char *src, struct net_error *err)
{
	struct archive *disk = disk_reader(src, err);
	struct archive_entry *e = archive_entry_new();
	int64_t total = 0;
	int rc;

	if (disk == NULL) {
		archive_entry_free(e);
		return -1;
	}
	while ((rc = archive_read_next_header2(disk, e)) != ARCHIVE_EOF) {
		if (rc < ARCHIVE_WARN) {
			total = disk_failed(disk, src, err);
			break;
		}
		if (archive_entry_filetype(e) == AE_IFREG)
			total += archive_entry_size(e);
		archive_read_disk_descend(disk);
	}
	archive_entry_free(e);
	archive_read_free(disk);
	return total;
}

struct pack {
	const char *src;    /* trimmed */
	const char *prefix; /* each name's start: "name" or "" for contents */
	const struct xfer_opts *o;
	int64_t done, total;
	unsigned char *buf;
};

static int pack_data(struct pack *k, struct archive *disk, struct archive *w, const char *name,
		     struct net_error *err)
{
	la_ssize_t n;

	while ((n = archive_read_data(disk, k->buf, CHUNK)) > 0) {
		if (archive_write_data(w, k->buf, (size_t)n) != n) {
			net_error_set(err, NET_LOCAL, "cannot write the tar (%s): %s", name,
				      archive_error_string(w));
			return -1;
		}
		k->done += n;
		if (k->o->progress != NULL)
			k->o->progress(k->o->progress_arg, k->done, k->total);
		if (k->o->cancel != NULL && atomic_load(k->o->cancel)) {
			net_error_set(err, NET_CANCELLED, "cancelled");
			return -1;
		}
	}
	return n < 0 ? disk_failed(disk, name, err) : 0;
}

/* One entry from disk into w under its name in the tar; the root of contents is left out. */
static int pack_entry(struct pack *k, struct archive *disk, struct archive *w,
		      struct archive_entry *e, struct net_error *err)
{
	const char *p = archive_entry_pathname(e);
	const char *rel = p + (strncmp(p, k->src, strlen(k->src)) == 0 ? strlen(k->src) : 0);
	char *name;
	int rc = 0;

	while (*rel == '/')
		rel++;
	if (rel[0] == '\0' && k->prefix[0] == '\0')
		return 0;
	name = rel[0] == '\0'         ? xstrdup(k->prefix)
	       : k->prefix[0] == '\0' ? xstrdup(rel)
				      : xasprintf("%s/%s", k->prefix, rel);
	archive_entry_set_pathname(e, name);
	if (archive_write_header(w, e) < ARCHIVE_WARN) {
		net_error_set(err, NET_LOCAL, "cannot pack %s: %s", name, archive_error_string(w));
		rc = -1;
	} else if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
		rc = pack_data(k, disk, w, name, err);
	}
	free(name);
	return rc;
}

static int pack_all(struct pack *k, struct archive *disk, struct archive *w, struct net_error *err)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	for (;;) {
		rc = archive_read_next_header2(disk, e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN || pack_entry(k, disk, w, e, err) < 0) {
			if (rc < ARCHIVE_WARN)
				disk_failed(disk, k->src, err);
			archive_entry_free(e);
			return -1;
		}
		archive_read_disk_descend(disk);
	}
	archive_entry_free(e);
	if (archive_write_close(w) != ARCHIVE_OK) {
		net_error_set(err, NET_LOCAL, "cannot write the tar: %s", archive_error_string(w));
		return -1;
	}
	return 0;
}

/* An unlinked temporary file in $TMPDIR (else /tmp). */
static int temp_file(struct net_error *err)
{
	const char *dir =
		getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] != '\0' ? getenv("TMPDIR") : "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		char *tmpl = xasprintf("%s/" FILES_TMP_PREFIX "XXXXXX", dir);

		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
		free(tmpl);
	}
	if (fd < 0)
		net_error_set(err, NET_LOCAL, "cannot make a temporary tar in %s: %s", dir,
			      strerror(errno));
	return fd;
}

/* src packed into a temporary tar; its fd and size, or -1. */
static int pack(struct pack *k, int64_t *size, struct net_error *err)
{
	struct archive *disk = NULL, *w = NULL;
	struct stat st;
	int fd = temp_file(err);

	if (fd < 0)
		return -1;
	k->buf = xmalloc(CHUNK);
	disk = disk_reader(k->src, err);
	w = archive_write_new();
	if (w == NULL)
		fatal("files: out of memory");
	if (disk == NULL || archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(w, fd) != ARCHIVE_OK || pack_all(k, disk, w, err) < 0 ||
	    fstat(fd, &st) < 0) {
		if (disk != NULL && w != NULL && err->kind == NET_OK)
			net_error_set(err, NET_LOCAL, "cannot write the tar: %s",
				      archive_error_string(w));
		close(fd);
		fd = -1;
	} else {
		*size = (int64_t)st.st_size;
	}
	if (disk != NULL)
		archive_read_free(disk);
	archive_write_free(w);
	free(k->buf);
	k->buf = NULL;
	return fd;
}

/*
 * Where the PUT goes, and each entry's name: a file as its own name at
 * path; a directory's contents into path ("path/": made when missing); a
 * directory as itself into path when the box has that directory, else as
 * the contents of a path made.
 */
static int plan_in(struct api *a, const char *id, const char *path, bool dir, bool contents,
		   const char *base, const struct xfer_opts *o, char **put_path, char **prefix,
		   char **where, struct net_error *err)
{
	struct reader r = {.rd = -1, .wr = -1, .peek = true};
	char *p = trimmed(path, false);
	bool into = contents;

	if (dir && !contents) {
		if (fetch(a, id, p, &r, o, err) < 0 &&
		    !(err->kind == NET_STATUS && err->api.http_status == 404)) {
			free(p);
			return -1;
		}
		if (r.kind == PEEK_FILE) {
			net_error_set(err, NET_LOCAL, "cannot copy a directory onto the file %s",
				      p);
			free(p);
			return -1;
		}
		into = r.kind != PEEK_DIR;
	}
	*prefix = xstrdup(dir && !into ? base : !dir ? base : "");
	*put_path = into && !ends_with(p, "/") ? xasprintf("%s/", p) : xstrdup(p);
	*where = dir && !into ? xasprintf("%s%s%s", p, ends_with(p, "/") ? "" : "/", base) : p;
	if (*where != p)
		free(p);
	return 0;
}

static int send_tar(struct api *a, const char *id, const char *put_path, int fd, int64_t size,
		    const struct xfer_opts *o, struct net_error *err)
{
	char *url = files_url(a, id, put_path);
	struct http_req req = {.method = "PUT", .url = url, .cancel = o->cancel};
	struct xfer_upload up = {.req = &req, .fd = fd, .size = size, .o = o};
	struct http_resp resp = {0};
	int rc = api_mutate(a, &req, NULL, xfer_upload_try, &up, &resp, err);

	if (rc < 0)
		explain(err, id);
	http_resp_clear(&resp);
	free(url);
	return rc;
}

int files_copy_in(struct api *a, const char *id, const char *src, const char *path,
		  const struct xfer_opts *o, char **where, struct net_error *err)
{
	bool contents = ends_with(src, "/.");
	char *s = trimmed(src, true), *put_path = NULL, *prefix = NULL, *dest = NULL;
	struct pack k = {.src = s, .o = o};
	struct stat st;
	int64_t size = 0;
	int fd = -1, rc = -1;

	*where = NULL;
	err->kind = NET_OK;
	if (path == NULL || path[0] == '\0') {
		net_error_set(err, NET_LOCAL, "copy-to needs a path in the box");
		goto out;
	}
	if (lstat(s, &st) < 0) {
		net_error_set(err, NET_LOCAL, "cannot copy %s: %s", src, strerror(errno));
		goto out;
	}
	if (contents && !S_ISDIR(st.st_mode)) {
		net_error_set(err, NET_LOCAL, "cannot copy %s: not a directory", src);
		goto out;
	}
	k.total = walk_total(s, err);
	if (k.total < 0 || plan_in(a, id, path, S_ISDIR(st.st_mode), contents, base_of(s), o,
				   &put_path, &prefix, &dest, err) < 0)
		goto out;
	k.prefix = prefix;
	err->kind = NET_OK;
	fd = pack(&k, &size, err);
	if (fd < 0 || send_tar(a, id, put_path, fd, size, o, err) < 0)
		goto out;
	*where = dest;
	dest = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(put_path);
	free(prefix);
	free(dest);
	free(s);
	return rc;
}
