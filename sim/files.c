/*
 * files: a box's files as tar archives, read and written with libarchive.
 *
 * Upload: server.c streams the body to a file in the state directory (as
 * an import's, bounded by file_transfer_max_bytes); it is unpacked entry by
 * entry into a scratch tree of the box's budget, then grafted into the
 * box's tree: nothing changes unless every entry was good and everything
 * fits. An entry naming ".." is refused; an absolute name is taken under
 * the destination; a link is stored as written and only ever resolved
 * inside the tree (ftree.c), so none leads out.
 *
 * Download: a snapshot of the entries (contents shared, not copied) is
 * written as a pax/ustar stream from MHD's content callback, a header or
 * at most FILES_CHUNK bytes of content at a time: memory stays bounded
 * however large the files, and the box may change while it streams. It is
 * sent through reply.c's stream, so the fault plan's drip, drop_after and
 * corrupt_at (offsets into the tar) and lost apply as to an export.
 *
 * As boxlite serve: a missing box is 404; the box must be running (409),
 * except that serve's copy_in/copy_out bring a stopped box up first; serve
 * ignores overwrite (its handler passes default copy options).
 */
#include "files.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "fleet.h"
#include "ftree.h"
#include "model/xalloc.h"

#define FILES_CHUNK (64 * 1024)

/* A query flag: absent gives dflt; -1 when it is neither true nor false. */
static int query_flag(struct call *c, const char *name, bool dflt, bool *out)
{
	bool bad = false;
	char *v = call_query(c, name, &bad);
	int rc = 0;

	*out = dflt;
	if (v != NULL && strcmp(v, "true") == 0)
		*out = true;
	else if (v != NULL && strcmp(v, "false") == 0)
		*out = false;
	else if (v != NULL || bad)
		rc = -1;
	free(v);
	return rc;
}

/* The box's tree, or -1 having answered (404, 409). */
static int box_files(struct call *c, struct ftree **t, enum MHD_Result *r)
{
	struct effect_cause cause = call_cause(c);
	enum fleet_rc rc = fleet_files(c->env->fleet, c->segs[1], call_serve(c), &cause, t);

	if (rc == FLEET_OK)
		return 0;
	if (rc == FLEET_NOT_FOUND)
		*r = call_error(c, CALL_NOT_FOUND, "box not found: %s", c->segs[1]);
	else
		*r = call_runtime_error(c, CALL_INVALID_STATE, "box %s is not running", c->segs[1]);
	return -1;
}

/* ?path=, required: NULL having answered 400. Caller frees. */
static char *query_path(struct call *c, enum MHD_Result *r)
{
	bool bad = false;
	char *path = call_query(c, "path", &bad);

	if (path != NULL && path[0] != '\0' && !bad)
		return path;
	free(path);
	*r = call_error(c, CALL_INVALID_ARGUMENT, "path is required");
	return NULL;
}

/* Upload */

static enum ftree_rc read_file_entry(struct archive *a, struct archive_entry *e,
				     struct ftree *scratch, const char *name)
{
	la_int64_t size = archive_entry_size(e);
	unsigned char *data;
	size_t got = 0;

	if (size < 0 || (uint64_t)size > ftree_max(scratch))
		return FTREE_FULL;
	data = size > 0 ? xmalloc((size_t)size) : NULL;
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, data + got, (size_t)size - got);

		if (n <= 0) {
			free(data);
			return FTREE_BAD_PATH; /* truncated: the caller calls it not a tar */
		}
		got += (size_t)n;
	}
	return ftree_put(scratch, name, FTREE_FILE, archive_entry_perm(e), archive_entry_mtime(e),
			 ftree_blob_take(data, got), NULL);
}

static enum ftree_rc unpack_entry(struct archive *a, struct archive_entry *e, struct ftree *scratch)
{
	const char *name = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	struct ftree_blob *blob = NULL;
	enum ftree_rc rc;

	if (name == NULL)
		return FTREE_BAD_PATH;
	if (hard != NULL) {
		rc = ftree_blob_at(scratch, hard, &blob);
		if (rc != FTREE_OK)
			return rc;
		return ftree_put(scratch, name, FTREE_FILE, archive_entry_perm(e),
				 archive_entry_mtime(e), blob, NULL);
	}
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return ftree_mkdir(scratch, name, archive_entry_perm(e));
	case AE_IFREG:
		return read_file_entry(a, e, scratch, name);
	case AE_IFLNK:
		return ftree_put(scratch, name, FTREE_LINK, 0777, archive_entry_mtime(e), NULL,
				 archive_entry_symlink(e) != NULL ? archive_entry_symlink(e) : "");
	default:
		return FTREE_OK; /* devices and fifos: a box of files has no use for them */
	}
}

/*
 * Unpacks the body into scratch: FTREE_OK, or the first refusal with
 * *not_tar set when libarchive could not read it.
 */
static enum ftree_rc unpack(struct call *c, struct ftree *scratch, bool *not_tar)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	enum ftree_rc rc = FTREE_OK;
	int r;

	*not_tar = true;
	archive_read_support_format_tar(a);
	if (c->upload_path != NULL)
		r = archive_read_open_filename(a, c->upload_path, FILES_CHUNK);
	else
		r = archive_read_open_memory(a, c->body, c->body_len);
	if (r != ARCHIVE_OK)
		goto out;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		rc = unpack_entry(a, e, scratch);
		if (rc != FTREE_OK)
			break;
	}
	*not_tar = r != ARCHIVE_EOF && rc == FTREE_OK;
	if (rc == FTREE_BAD_PATH && archive_errno(a) != 0)
		*not_tar = true;
out:
	archive_read_free(a);
	return rc;
}

static enum MHD_Result graft_error(struct call *c, enum ftree_rc rc, const char *path)
{
	switch (rc) {
	case FTREE_FULL:
		return call_error(
			c, CALL_PAYLOAD_TOO_LARGE, "the box's files would exceed %llu bytes",
			(unsigned long long)(c->env->opts != NULL && c->env->opts->files_max
						     ? c->env->opts->files_max
						     : 64ull << 20));
	case FTREE_EXISTS:
		return call_error(c, CALL_CONFLICT,
				  "%s: a file is in the way and overwrite is false", path);
	case FTREE_BAD_PATH:
		return call_error(c, CALL_INVALID_ARGUMENT,
				  "invalid path in archive or destination (\"..\" or a name "
				  "over 255 bytes)");
	default:
		return call_error(c, CALL_INVALID_ARGUMENT, "cannot extract to %s: %s", path,
				  ftree_strerror(rc));
	}
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s);

	return n >= strlen(tail) && strcmp(s + n - strlen(tail), tail) == 0;
}

enum MHD_Result files_upload(struct call *c)
{
	enum MHD_Result r = MHD_NO;
	char *path = query_path(c, &r);
	struct ftree *tree = NULL;
	struct ftree *scratch = NULL;
	bool overwrite = true;
	bool not_tar = false;
	enum ftree_rc rc;

	if (path == NULL)
		return r;
	if (query_flag(c, "overwrite", true, &overwrite) < 0) {
		r = call_error(c, CALL_INVALID_ARGUMENT, "overwrite must be true or false");
		goto out;
	}
	if (box_files(c, &tree, &r) < 0)
		goto out;
	scratch = ftree_new(ftree_max(tree));
	rc = unpack(c, scratch, &not_tar);
	if (not_tar) {
		r = call_error(c, CALL_INVALID_ARGUMENT,
			       "failed to extract tar: not a tar archive");
		goto out;
	}
	if (rc == FTREE_OK)
		rc = ftree_graft(tree, path, scratch, ends_with(path, "/") || ends_with(path, "/."),
				 overwrite || call_serve(c));
	r = rc == FTREE_OK ? call_reply(c, MHD_HTTP_NO_CONTENT, NULL) : graft_error(c, rc, path);
out:
	ftree_free(&scratch);
	ftree_free(&tree);
	free(path);
	return r;
}

/* Download */

struct tar_stream {
	struct archive *a;
	struct ftree_entry *e;
	size_t n, next;
	size_t off; /* into e[next]'s content while in_data */
	bool in_data, done, failed;
	unsigned char *buf; /* what libarchive wrote and MHD has not taken */
	size_t len, pos, cap;
};

static la_ssize_t tar_write(struct archive *a, void *cls, const void *data, size_t n)
{
	struct tar_stream *st = cls;

	(void)a;
	if (st->len + n > st->cap) {
		st->cap = st->len + n > 2 * st->cap ? st->len + n : 2 * st->cap;
		st->buf = xrealloc(st->buf, st->cap);
	}
	memcpy(st->buf + st->len, data, n);
	st->len += n;
	return (la_ssize_t)n;
}

static int tar_header(struct tar_stream *st, const struct ftree_entry *fe)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, fe->path);
	archive_entry_set_perm(e, fe->mode);
	archive_entry_set_mtime(e, fe->mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	if (fe->type == FTREE_DIR) {
		archive_entry_set_filetype(e, AE_IFDIR);
	} else if (fe->type == FTREE_LINK) {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, fe->target);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)ftree_blob_len(fe->blob));
	}
	r = archive_write_header(st->a, e);
	archive_entry_free(e);
	return r;
}

/* Writes the next piece: a chunk of content, a header, or the end. */
static int tar_produce(struct tar_stream *st)
{
	const struct ftree_entry *fe = st->next < st->n ? &st->e[st->next] : NULL;

	if (st->in_data && fe != NULL && st->off < ftree_blob_len(fe->blob)) {
		size_t n = ftree_blob_len(fe->blob) - st->off;
		la_ssize_t w = archive_write_data(st->a, ftree_blob_data(fe->blob) + st->off,
						  n < FILES_CHUNK ? n : FILES_CHUNK);

		if (w <= 0)
			return -1;
		st->off += (size_t)w;
		return 0;
	}
	if (st->in_data) {
		st->in_data = false;
		st->next++;
		return 0;
	}
	if (fe != NULL) {
		if (tar_header(st, fe) < ARCHIVE_WARN)
			return -1;
		st->in_data = fe->type == FTREE_FILE;
		st->off = 0;
		if (!st->in_data)
			st->next++;
		return 0;
	}
	st->done = true;
	return archive_write_close(st->a) == ARCHIVE_OK ? 0 : -1;
}

static ssize_t tar_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct tar_stream *st = cls;
	size_t n;

	(void)pos;
	while (st->pos == st->len) {
		st->pos = st->len = 0;
		if (st->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (tar_produce(st) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = st->len - st->pos < max ? st->len - st->pos : max;
	memcpy(out, st->buf + st->pos, n);
	st->pos += n;
	return (ssize_t)n;
}

static void tar_free(void *cls)
{
	struct tar_stream *st = cls;

	archive_write_free(st->a);
	ftree_entries_free(st->e, st->n);
	free(st->buf);
	free(st);
}

static struct tar_stream *tar_new(struct ftree_entry *e, size_t n)
{
	struct tar_stream *st = xcalloc(1, sizeof(*st));

	st->e = e;
	st->n = n;
	st->a = archive_write_new();
	if (st->a == NULL)
		fatal("files: out of memory");
	archive_write_set_format_pax_restricted(st->a);
	if (archive_write_open(st->a, st, NULL, tar_write, NULL) != ARCHIVE_OK)
		fatal("files: cannot start a tar: %s", archive_error_string(st->a));
	return st;
}

/* The tar through reply.c's stream: the plan's lost, drip, drop and corrupt as an export's. */
static enum MHD_Result send_tar(struct call *c, struct ftree_entry *e, size_t n)
{
	return call_stream_producer(c, "application/x-tar", tar_read, tar_new(e, n), tar_free);
}

/* "/x/." or "/x/" asks for the contents of /x: the path without it, and true. */
static bool contents_only(char *path)
{
	size_t n = strlen(path);
	bool only = false;

	while (n > 1 && (path[n - 1] == '/' || (path[n - 1] == '.' && path[n - 2] == '/'))) {
		n -= path[n - 1] == '.' ? 2 : 1;
		only = true;
	}
	path[n > 0 ? n : 1] = '\0';
	return only;
}

enum MHD_Result files_download(struct call *c)
{
	enum MHD_Result r = MHD_NO;
	char *path = query_path(c, &r);
	struct ftree *tree = NULL;
	struct ftree_entry *e = NULL;
	size_t n = 0;
	bool follow = false;
	bool only;
	enum ftree_rc rc;

	if (path == NULL)
		return r;
	if (query_flag(c, "follow_symlinks", false, &follow) < 0) {
		r = call_error(c, CALL_INVALID_ARGUMENT, "follow_symlinks must be true or false");
		goto out;
	}
	if (box_files(c, &tree, &r) < 0)
		goto out;
	only = contents_only(path);
	rc = FTREE_OK;
	if (follow) {
		char *real = NULL;

		rc = ftree_realpath(tree, path, &real);
		if (rc == FTREE_OK) {
			free(path);
			path = real;
		}
	}
	if (rc == FTREE_OK)
		rc = ftree_snapshot(tree, path, only, &e, &n);
	if (rc == FTREE_NOT_FOUND)
		r = call_error(c, CALL_NOT_FOUND, "%s: not found", path);
	else if (rc != FTREE_OK)
		r = call_error(c, CALL_INVALID_ARGUMENT, "%s: %s", path, ftree_strerror(rc));
	else
		r = send_tar(c, e, n);
	if (rc != FTREE_OK)
		ftree_entries_free(e, n);
out:
	ftree_free(&tree);
	free(path);
	return r;
}
