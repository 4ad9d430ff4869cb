/*
 * archive: see archive.h.
 *
 * Export puts manifest.json before disk.qcow2, as a reader that streams the
 * archive wants, so the manifest's checksum must be known before the disk
 * is stored: the disk is read once to hash it and once to compress it.
 * Both passes go through one 1 MiB buffer. Generated disks cost nothing to
 * read twice; the price is a second read of a file-backed disk, which is
 * in the page cache by then.
 *
 * Import extracts disk.qcow2 to "<disk_out>.part" while hashing it, so the
 * members may come in either order; the manifest is checked when it is met
 * and the checksum once both have been seen. Only then is the part renamed.
 *
 * libarchive errors on the read side are the archive's fault (400) unless
 * libarchive reports EIO or ENOMEM; failures to open, write, sync or rename
 * local files are ours (500).
 */
#include "net/archive.h"

/* libarchive's header: angle brackets never look in sim/, and -I. is the repo root. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/json.h"
#include "model/timeutil.h"
#include "model/xalloc.h"

#define CHUNK         (1024u * 1024)
#define CLUSTER       (64u * 1024) /* qcow2's default cluster size */
#define ZSTD_LEVEL    "1"
#define ZSTD_THREADS  2
#define MANIFEST_NAME "manifest.json"
#define DISK_NAME     "disk.qcow2"
#define CHECKSUM_LEN  71 /* "sha256:" and 64 hex digits */
#define CHECKSUM_ABBR 19 /* "sha256:" and 12 hex digits, for messages */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void archive_info_clear(struct archive_info *info)
{
	if (info == NULL)
		return;
	free(info->box_name);
	free(info->image);
	memset(info, 0, sizeof(*info));
}

/* ---- the generated disk ---- */

/* splitmix64's finalizer: a bijective mix good enough to defeat zstd. */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t cluster_key(uint64_t seed, uint64_t cluster)
{
	return mix64(seed ^ mix64(cluster + 0x9E3779B97F4A7C15ULL));
}

/* Cluster 0 holds the header, so it is never a zero cluster. */
static bool cluster_is_zero(uint64_t key, uint64_t cluster)
{
	return cluster != 0 && (key >> 63) != 0;
}

/* Word w of a data cluster: counter-based, so any word can be made alone. */
static inline uint64_t data_word(uint64_t key, uint64_t w)
{
	return mix64(key + w * 0x9E3779B97F4A7C15ULL);
}

/* Bytes [in, in+n) of the data cluster with this key into p. */
static void fill_data(uint64_t key, size_t in, unsigned char *p, size_t n)
{
	size_t w = in / 8, skip = in % 8;
	uint64_t v;

	if (skip != 0) {
		size_t take = 8 - skip < n ? 8 - skip : n;

		v = data_word(key, w++);
		memcpy(p, (unsigned char *)&v + skip, take);
		p += take;
		n -= take;
	}
	for (; n >= 8; n -= 8, p += 8) {
		v = data_word(key, w++);
		memcpy(p, &v, 8);
	}
	if (n > 0) {
		v = data_word(key, w);
		memcpy(p, &v, n);
	}
}

/* The start of a qcow2 v3 header: magic, version, no backing file, 64 KiB clusters. */
static const unsigned char qcow2_header[] = {
	'Q', 'F', 'I', 0xfb, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
};

void disk_fill(uint64_t seed, uint64_t off, void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		uint64_t cluster = off / CLUSTER, key = cluster_key(seed, cluster);
		size_t in = (size_t)(off % CLUSTER);
		size_t take = CLUSTER - in < n ? CLUSTER - in : n;

		if (cluster_is_zero(key, cluster))
			memset(p, 0, take);
		else
			fill_data(key, in, p, take);
		if (off < sizeof(qcow2_header)) {
			size_t hn = sizeof(qcow2_header) - (size_t)off;

			memcpy(p, qcow2_header + off, hn < take ? hn : take);
		}
		p += take;
		off += take;
		n -= take;
	}
}

/* ---- sha256 ---- */

static EVP_MD_CTX *sha_new(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatal("archive: cannot set up sha256");
	return ctx;
}

static void sha_update(EVP_MD_CTX *ctx, const void *buf, size_t n)
{
	if (EVP_DigestUpdate(ctx, buf, n) != 1)
		fatal("archive: sha256 update failed");
}

/* Writes "sha256:<hex>" into out (CHECKSUM_LEN + 1 bytes) and frees ctx. */
static void sha_finish(EVP_MD_CTX **ctx, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(*ctx, md, &len) != 1 || len != 32)
		fatal("archive: sha256 final failed");
	EVP_MD_CTX_free(*ctx);
	*ctx = NULL;
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/* ---- local files ---- */

/* Reads exactly n bytes; -1 with errno set (0 for an early end of file). */
static int read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = read(fd, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = 0;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

static int pwrite_full(int fd, const unsigned char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t put = pwrite(fd, p, n, (off_t)off);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -1;
		p += put;
		off += (uint64_t)put;
		n -= (size_t)put;
	}
	return 0;
}

/*
 * Writes buf at off, leaving a hole for every all-zero cluster: disks are
 * half zeros, and not writing them halves the time an import takes. The
 * caller gives the file its full size with ftruncate at the end.
 */
static int write_sparse(int fd, const unsigned char *buf, size_t n, uint64_t off)
{
	while (n > 0) {
		size_t take = n < CLUSTER ? n : CLUSTER;
		bool zero = buf[0] == 0 && memcmp(buf, buf + 1, take - 1) == 0;

		if (!zero && pwrite_full(fd, buf, take, off) < 0)
			return -1;
		buf += take;
		off += take;
		n -= take;
	}
	return 0;
}

/* Makes a rename in path's directory durable. Best effort: the rename has happened. */
static void sync_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	fd = open(slash != NULL ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* fsyncs and closes *fd, then renames part to path. -1 with errno set. */
static int commit_part(int *fd, const char *part, const char *path)
{
	int rc = fsync(*fd);
	int saved = errno;

	if (close(*fd) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	*fd = -1;
	if (rc == 0 && rename(part, path) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0)
		sync_parent(path);
	errno = saved;
	return rc;
}

/* ---- the disk source ---- */

struct src {
	const struct disk_src *d;
	int fd; /* -1 for generated content */
	uint64_t size, off;
};

static int src_open(struct src *s, const struct disk_src *d, char *err, size_t errlen)
{
	struct stat st;

	s->d = d;
	s->fd = -1;
	s->off = 0;
	s->size = d->size;
	if (d->file == NULL)
		return 0;
	s->fd = open(d->file, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) < 0) {
		set_err(err, errlen, "%s: %s", d->file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", d->file);
		return -1;
	}
	s->size = (uint64_t)st.st_size;
	return 0;
}

static int src_rewind(struct src *s, char *err, size_t errlen)
{
	s->off = 0;
	if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) < 0) {
		set_err(err, errlen, "%s: %s", s->d->file, strerror(errno));
		return -1;
	}
	return 0;
}

/* The next min(n, bytes left) bytes into buf: their count (0 at the end), or -1. */
static ssize_t src_read(struct src *s, void *buf, size_t n, char *err, size_t errlen)
{
	size_t want = s->size - s->off < n ? (size_t)(s->size - s->off) : n;

	if (want == 0)
		return 0;
	if (s->fd < 0) {
		disk_fill(s->d->seed, s->off, buf, want);
	} else if (read_full(s->fd, buf, want) < 0) {
		set_err(err, errlen, "%s: %s", s->d->file,
			errno != 0 ? strerror(errno) : "file shrank while being archived");
		return -1;
	}
	s->off += want;
	return (ssize_t)want;
}

static void src_close(struct src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int src_hash(struct src *s, unsigned char *buf, char *checksum, char *err, size_t errlen)
{
	EVP_MD_CTX *sha = sha_new();
	ssize_t n = src_read(s, buf, CHUNK, err, errlen);

	for (; n > 0; n = src_read(s, buf, CHUNK, err, errlen))
		sha_update(sha, buf, (size_t)n);
	sha_finish(&sha, checksum);
	return n < 0 ? -1 : 0;
}

/* ---- export ---- */

/* The manifest for meta; caller frees. */
/* cJSON returns NULL when out of memory, which is fatal here as everywhere. */
static void need(const void *p)
{
	if (p == NULL)
		fatal("archive: out of memory");
}

/* The manifest for meta, its fields in the order api.md lists them; caller frees. */
static char *manifest_json(const struct archive_info *meta, const char *checksum,
			   int64_t exported_at)
{
	cJSON *root = cJSON_CreateObject(), *opts;
	char when[32];
	char *out;

	need(root);
	need(cJSON_AddNumberToObject(root, "version", ARCHIVE_VERSION_WRITE));
	if (meta->box_name != NULL)
		need(cJSON_AddStringToObject(root, "box_name", meta->box_name));
	else
		need(cJSON_AddNullToObject(root, "box_name"));
	need(cJSON_AddStringToObject(root, "image", meta->image != NULL ? meta->image : ""));
	opts = cJSON_AddObjectToObject(root, "box_options");
	need(opts);
	need(cJSON_AddNumberToObject(opts, "cpus", (double)meta->cpus));
	need(cJSON_AddNumberToObject(opts, "memory_mib", (double)meta->memory_mib));
	need(cJSON_AddStringToObject(root, "guest_disk_checksum", ""));
	need(cJSON_AddStringToObject(root, "container_disk_checksum", checksum));
	time_format_rfc3339(exported_at, when, sizeof(when));
	need(cJSON_AddStringToObject(root, "exported_at", when));
	out = cJSON_PrintUnformatted(root);
	need(out);
	cJSON_Delete(root);
	return out;
}

static int write_failed(struct archive *a, const char *what, char *err, size_t errlen)
{
	const char *msg = archive_error_string(a);

	set_err(err, errlen, "%s: %s", what, msg != NULL ? msg : strerror(archive_errno(a)));
	return -1;
}

static struct archive *writer_new(int fd, char *err, size_t errlen)
{
	struct archive *a = archive_write_new();
	char threads[16];

	if (a == NULL)
		fatal("archive: out of memory");
	snprintf(threads, sizeof(threads), "%d", ZSTD_THREADS);
	/* A libarchive without zstd threading says so with a warning; one thread is fine. */
	if (archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "zstd", "compression-level", ZSTD_LEVEL) !=
		    ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "zstd", "threads", threads) < ARCHIVE_WARN ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, (int)CHUNK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		write_failed(a, "cannot set up the archive writer", err, errlen);
		archive_write_free(a);
		return NULL;
	}
	return a;
}

static int put_header(struct archive *a, const char *name, uint64_t size, int64_t mtime, char *err,
		      size_t errlen)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (e == NULL)
		fatal("archive: out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return write_failed(a, name, err, errlen);
	return 0;
}

static int put_data(struct archive *a, const char *name, const void *buf, size_t n, char *err,
		    size_t errlen)
{
	la_ssize_t put = archive_write_data(a, buf, n);

	if (put < 0 || (size_t)put != n)
		return write_failed(a, name, err, errlen);
	return 0;
}

static int put_disk(struct archive *a, struct src *s, unsigned char *buf, int64_t mtime, char *err,
		    size_t errlen)
{
	ssize_t n;

	if (src_rewind(s, err, errlen) < 0 ||
	    put_header(a, DISK_NAME, s->size, mtime, err, errlen) < 0)
		return -1;
	for (n = src_read(s, buf, CHUNK, err, errlen); n > 0;
	     n = src_read(s, buf, CHUNK, err, errlen))
		if (put_data(a, DISK_NAME, buf, (size_t)n, err, errlen) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

/* Both members into the archive open on fd; the checksum was computed already. */
static int put_members(int fd, const char *manifest, struct src *s, unsigned char *buf,
		       int64_t mtime, char *err, size_t errlen)
{
	struct archive *a = writer_new(fd, err, errlen);
	int rc = -1;

	if (a == NULL)
		return -1;
	if (put_header(a, MANIFEST_NAME, strlen(manifest), mtime, err, errlen) < 0 ||
	    put_data(a, MANIFEST_NAME, manifest, strlen(manifest), err, errlen) < 0 ||
	    put_disk(a, s, buf, mtime, err, errlen) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		write_failed(a, "finishing the archive", err, errlen);
		goto out;
	}
	rc = 0;
out:
	archive_write_free(a);
	return rc;
}

int archive_write(const char *path, struct archive_info *meta, const struct disk_src *disk,
		  int64_t exported_at, char *err, size_t errlen)
{
	char *part = xasprintf("%s.part", path);
	unsigned char *buf = xmalloc(CHUNK);
	char checksum[CHECKSUM_LEN + 1];
	char *manifest = NULL;
	struct src s = {.fd = -1};
	int fd, rc = -1;

	set_err(err, errlen, "%s", "");
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", part, strerror(errno));
		goto out;
	}
	if (src_open(&s, disk, err, errlen) < 0 || src_hash(&s, buf, checksum, err, errlen) < 0)
		goto out;
	manifest = manifest_json(meta, checksum, exported_at);
	if (put_members(fd, manifest, &s, buf, exported_at, err, errlen) < 0)
		goto out;
	if (commit_part(&fd, part, path) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	memcpy(meta->checksum, checksum, sizeof(checksum));
	meta->disk_size = s.size;
	meta->version = ARCHIVE_VERSION_WRITE;
	meta->exported_at = exported_at;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(part);
	src_close(&s);
	free(manifest);
	free(buf);
	free(part);
	return rc;
}

/* ---- the manifest ---- */

static enum archive_rc decode_failed(const struct decode_error *de, char *err, size_t errlen)
{
	char msg[300];

	set_err(err, errlen, "%s", decode_error_str(de, msg, sizeof(msg)));
	return ARCHIVE_INVALID;
}

static bool checksum_valid(const char *s)
{
	return strlen(s) == CHECKSUM_LEN && strncmp(s, "sha256:", 7) == 0 &&
	       strspn(s + 7, "0123456789abcdefABCDEF") == CHECKSUM_LEN - 7;
}

static int decode_checksum(const cJSON *root, const struct json_ctx *ctx, char *out)
{
	char *sum = NULL;
	int rc = -1;

	if (json_req_string(root, "container_disk_checksum", ctx, &sum) < 0)
		return -1;
	if (!checksum_valid(sum)) {
		json_fail(ctx, "container_disk_checksum", "expected \"sha256:<64 hex digits>\"");
		goto out;
	}
	for (size_t i = 0; i <= CHECKSUM_LEN; i++)
		out[i] = (char)((sum[i] >= 'A' && sum[i] <= 'F') ? sum[i] - 'A' + 'a' : sum[i]);
	rc = 0;
out:
	free(sum);
	return rc;
}

static int decode_options(const cJSON *root, struct decode_error *de, struct archive_info *info)
{
	const struct json_ctx ctx = {"manifest.box_options", de};
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "box_options");
	struct opt_i64 cpus, mem;

	if (opts == NULL || cJSON_IsNull(opts))
		return 0;
	if (json_want_object(opts, NULL, &ctx) < 0 ||
	    json_opt_i64(opts, "cpus", 0, INT32_MAX, &ctx, &cpus) < 0 ||
	    json_opt_i64(opts, "memory_mib", 0, INT32_MAX, &ctx, &mem) < 0)
		return -1;
	info->cpus = cpus.state == OPT_SET ? cpus.v : 0;
	info->memory_mib = mem.state == OPT_SET ? mem.v : 0;
	return 0;
}

/* The fields after version; -1 with de set. */
static int decode_fields(const cJSON *root, struct decode_error *de, struct archive_info *info)
{
	const struct json_ctx ctx = {"manifest", de};
	struct opt_i64 when;

	if (json_req_string(root, "image", &ctx, &info->image) < 0)
		return -1;
	if (info->image[0] == '\0')
		return json_fail(&ctx, "image", "must not be empty");
	if (json_opt_string(root, "box_name", &ctx, &info->box_name) < 0 ||
	    decode_options(root, de, info) < 0 || decode_checksum(root, &ctx, info->checksum) < 0 ||
	    json_opt_time(root, "exported_at", &ctx, &when) < 0)
		return -1;
	info->exported_at = when.state == OPT_SET ? when.v : 0;
	return 0;
}

static enum archive_rc decode_manifest(const cJSON *root, struct archive_info *info, char *err,
				       size_t errlen)
{
	struct decode_error de = {0};
	const struct json_ctx ctx = {"manifest", &de};
	int64_t version;

	if (json_want_object(root, NULL, &ctx) < 0 ||
	    json_req_i64(root, "version", 1, JSON_INT_MAX - 1, &ctx, &version) < 0)
		return decode_failed(&de, err, errlen);
	if (version > ARCHIVE_VERSION_MAX) {
		set_err(err, errlen, "unsupported archive version %lld (newest supported: %d)",
			(long long)version, ARCHIVE_VERSION_MAX);
		return ARCHIVE_INVALID;
	}
	info->version = (int)version;
	if (decode_fields(root, &de, info) < 0)
		return decode_failed(&de, err, errlen);
	return ARCHIVE_OK;
}

enum archive_rc archive_manifest_parse(const char *json, size_t len, struct archive_info *info,
				       char *err, size_t errlen)
{
	struct decode_error de = {0};
	const struct json_ctx ctx = {"manifest", &de};
	enum archive_rc rc = ARCHIVE_INVALID;
	cJSON *root = NULL;

	memset(info, 0, sizeof(*info));
	set_err(err, errlen, "%s", "");
	if (len == 0 || len > ARCHIVE_MANIFEST_MAX) {
		set_err(err, errlen, "manifest.json: %zu bytes, expected 1..%u", len,
			ARCHIVE_MANIFEST_MAX);
		goto out;
	}
	root = json_parse(json, len, &ctx);
	if (root == NULL)
		rc = decode_failed(&de, err, errlen);
	else
		rc = decode_manifest(root, info, err, errlen);
out:
	cJSON_Delete(root);
	if (rc != ARCHIVE_OK)
		archive_info_clear(info);
	return rc;
}

/* ---- import ---- */

struct import {
	struct archive *a;
	const char *disk_out;
	char *part; /* disk_out.part; NULL when only verifying */
	bool peek;  /* stop once the manifest is read */
	int fd;     /* open on part while the disk is extracted */
	unsigned char *buf;
	bool have_manifest, have_disk;
	char disk_sum[CHECKSUM_LEN + 1];
	uint64_t disk_size;
	char *err;
	size_t errlen;
};

/*
 * A libarchive read error while reading member `what` (NULL: the archive
 * itself): the archive's fault unless libarchive says EIO or ENOMEM.
 */
static enum archive_rc read_failed(struct import *im, const char *what)
{
	int e = archive_errno(im->a);
	bool local = e == EIO || e == ENOMEM;
	const char *msg = archive_error_string(im->a);

	set_err(im->err, im->errlen, "%s%s%s%s",
		local ? "reading the archive: " : "invalid archive: ", what != NULL ? what : "",
		what != NULL ? ": " : "", msg != NULL ? msg : "unreadable");
	return local ? ARCHIVE_IO : ARCHIVE_INVALID;
}

static enum archive_rc invalid(struct import *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum archive_rc invalid(struct import *im, const char *fmt, ...)
{
	va_list ap;

	if (im->err != NULL && im->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(im->err, im->errlen, fmt, ap);
		va_end(ap);
	}
	return ARCHIVE_INVALID;
}

static enum archive_rc local_failed(struct import *im, const char *what)
{
	set_err(im->err, im->errlen, "%s: %s", what, strerror(errno));
	return ARCHIVE_IO;
}

/* The member's name without a leading "./". */
static const char *member_name(struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);

	if (name == NULL)
		return "";
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

static const char *type_name(mode_t type)
{
	switch (type) {
	case AE_IFLNK:
		return "symlink";
	case AE_IFDIR:
		return "directory";
	case AE_IFCHR:
	case AE_IFBLK:
		return "device";
	case AE_IFIFO:
		return "fifo";
	default:
		return "special file";
	}
}

static enum archive_rc check_member(struct import *im, struct archive_entry *e, const char *name)
{
	mode_t type = archive_entry_filetype(e);

	if (archive_entry_hardlink(e) != NULL)
		return invalid(im, "member '%s' is a hardlink; only regular files are allowed",
			       name);
	if (type != AE_IFREG)
		return invalid(im, "member '%s' is a %s; only regular files are allowed", name,
			       type_name(type));
	return ARCHIVE_OK;
}

static enum archive_rc read_manifest(struct import *im, struct archive_entry *e,
				     struct archive_info *info)
{
	char *json;
	size_t len = 0;
	la_ssize_t n;
	enum archive_rc rc;

	if (im->have_manifest)
		return invalid(im, "archive has more than one %s", MANIFEST_NAME);
	im->have_manifest = true;
	if (archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > (la_int64_t)ARCHIVE_MANIFEST_MAX)
		return invalid(im, "%s is over the %u byte limit", MANIFEST_NAME,
			       ARCHIVE_MANIFEST_MAX);
	/* one byte more than allowed, so an entry that lied about its size is caught */
	json = xmalloc(ARCHIVE_MANIFEST_MAX + 1);
	for (;;) {
		n = archive_read_data(im->a, json + len, ARCHIVE_MANIFEST_MAX + 1 - len);
		if (n <= 0 || len + (size_t)n > ARCHIVE_MANIFEST_MAX)
			break;
		len += (size_t)n;
	}
	if (n < 0)
		rc = read_failed(im, MANIFEST_NAME);
	else if (n > 0)
		rc = invalid(im, "%s is over the %u byte limit", MANIFEST_NAME,
			     ARCHIVE_MANIFEST_MAX);
	else
		rc = archive_manifest_parse(json, len, info, im->err, im->errlen);
	free(json);
	return rc;
}

static enum archive_rc extract_disk(struct import *im, struct archive_entry *e)
{
	EVP_MD_CTX *sha;
	la_ssize_t n;

	if (im->have_disk)
		return invalid(im, "archive has more than one %s", DISK_NAME);
	im->have_disk = true;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)ARCHIVE_DISK_MAX)
		return invalid(im, "%s is over the %llu byte limit", DISK_NAME,
			       (unsigned long long)ARCHIVE_DISK_MAX);
	if (im->part != NULL) {
		im->fd = open(im->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (im->fd < 0)
			return local_failed(im, im->part);
	}
	sha = sha_new();
	for (;;) {
		n = archive_read_data(im->a, im->buf, CHUNK);
		if (n <= 0)
			break;
		sha_update(sha, im->buf, (size_t)n);
		if (im->disk_size + (uint64_t)n > ARCHIVE_DISK_MAX ||
		    (im->fd >= 0 && write_sparse(im->fd, im->buf, (size_t)n, im->disk_size) < 0))
			break;
		im->disk_size += (uint64_t)n;
	}
	sha_finish(&sha, im->disk_sum);
	if (n < 0)
		return read_failed(im, DISK_NAME);
	if (n > 0 && im->disk_size + (uint64_t)n > ARCHIVE_DISK_MAX)
		return invalid(im, "%s is over the %llu byte limit", DISK_NAME,
			       (unsigned long long)ARCHIVE_DISK_MAX);
	if (n > 0 || (im->fd >= 0 && ftruncate(im->fd, (off_t)im->disk_size) < 0))
		return local_failed(im, im->part);
	return ARCHIVE_OK;
}

static enum archive_rc read_member(struct import *im, struct archive_entry *e,
				   struct archive_info *info)
{
	const char *name = member_name(e);
	enum archive_rc rc = check_member(im, e, name);

	if (rc != ARCHIVE_OK)
		return rc;
	if (strcmp(name, MANIFEST_NAME) == 0)
		return read_manifest(im, e, info);
	if (strcmp(name, DISK_NAME) == 0)
		return extract_disk(im, e);
	if (archive_read_data_skip(im->a) < ARCHIVE_WARN)
		return read_failed(im, name);
	return ARCHIVE_OK;
}

static enum archive_rc read_members(struct import *im, struct archive_info *info)
{
	struct archive_entry *e;
	enum archive_rc rc = ARCHIVE_OK;

	for (int members = 1; rc == ARCHIVE_OK && !(im->peek && im->have_manifest); members++) {
		int r = archive_read_next_header(im->a, &e);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			rc = read_failed(im, NULL);
		else if (members > ARCHIVE_MEMBERS_MAX)
			rc = invalid(im, "archive has more than %d members", ARCHIVE_MEMBERS_MAX);
		else
			rc = read_member(im, e, info);
	}
	return rc;
}

/* What is left to check once every member has been read. */
static enum archive_rc check_complete(struct import *im, const struct archive_info *info)
{
	if (!im->have_manifest)
		return invalid(im, "archive has no %s", MANIFEST_NAME);
	if (im->peek)
		return ARCHIVE_OK;
	if (!im->have_disk)
		return invalid(im, "archive has no %s", DISK_NAME);
	if (strcmp(info->checksum, im->disk_sum) != 0)
		return invalid(im, "checksum mismatch: manifest says %.*s..., %s is %.*s...",
			       CHECKSUM_ABBR, info->checksum, DISK_NAME, CHECKSUM_ABBR,
			       im->disk_sum);
	return ARCHIVE_OK;
}

/* Opens path, or takes *fd as it is when path is NULL. */
static enum archive_rc open_reader(struct import *im, const char *path, int *fd)
{
	if (path != NULL)
		*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return local_failed(im, path != NULL ? path : "the stream");
	im->a = archive_read_new();
	if (im->a == NULL)
		fatal("archive: out of memory");
	/* zstd or nothing: a gzip or xz stream is then not a tar the reader knows. */
	if (archive_read_support_filter_zstd(im->a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(im->a) != ARCHIVE_OK)
		fatal("archive: libarchive lacks zstd or tar reading: %s",
		      archive_error_string(im->a));
	if (archive_read_open_fd(im->a, *fd, CHUNK) != ARCHIVE_OK)
		return read_failed(im, NULL);
	return ARCHIVE_OK;
}

/*
 * Reads path (or, when path is NULL, the descriptor in_fd, which is left
 * open); extracts the disk to disk_out unless it is NULL; stops at the
 * manifest when peek.
 */
static enum archive_rc check(const char *path, int in_fd, const char *disk_out, bool peek,
			     struct archive_info *info, char *err, size_t errlen)
{
	struct import im = {.fd = -1, .peek = peek, .err = err, .errlen = errlen};
	enum archive_rc rc;
	int in = path != NULL ? -1 : in_fd;

	memset(info, 0, sizeof(*info));
	set_err(err, errlen, "%s", "");
	im.part = disk_out != NULL ? xasprintf("%s.part", disk_out) : NULL;
	im.buf = xmalloc(CHUNK);
	rc = open_reader(&im, path, &in);
	if (rc == ARCHIVE_OK)
		rc = read_members(&im, info);
	if (rc == ARCHIVE_OK)
		rc = check_complete(&im, info);
	if (rc == ARCHIVE_OK && im.part != NULL && commit_part(&im.fd, im.part, disk_out) < 0)
		rc = local_failed(&im, disk_out);
	if (rc == ARCHIVE_OK)
		info->disk_size = im.disk_size;
	if (im.fd >= 0)
		close(im.fd);
	if (rc != ARCHIVE_OK) {
		if (im.part != NULL)
			unlink(im.part);
		archive_info_clear(info);
	}
	if (im.a != NULL)
		archive_read_free(im.a);
	if (in >= 0 && path != NULL)
		close(in);
	free(im.buf);
	free(im.part);
	return rc;
}

enum archive_rc archive_import(const char *path, const char *disk_out, struct archive_info *info,
			       char *err, size_t errlen)
{
	return check(path, -1, disk_out, false, info, err, errlen);
}

enum archive_rc archive_verify(const char *path, struct archive_info *info, char *err,
			       size_t errlen)
{
	return check(path, -1, NULL, false, info, err, errlen);
}

enum archive_rc archive_peek(const char *path, struct archive_info *info, char *err, size_t errlen)
{
	return check(path, -1, NULL, true, info, err, errlen);
}

enum archive_rc archive_verify_fd(int fd, struct archive_info *info, char *err, size_t errlen)
{
	return check(NULL, fd, NULL, false, info, err, errlen);
}
