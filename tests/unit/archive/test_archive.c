/*
 * Unit tests for sim/archive: the generated disk, export -> import round
 * trips, and every way an uploaded archive must be refused. Archives that
 * export would never write are built here with libarchive; checksums are
 * computed here with EVP, not taken from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/xalloc.h"

#define ZSTD_MAGIC "\x28\xb5\x2f\xfd"

struct dir {
	char path[64];
};

/* A member of a test archive: a regular file unless type says otherwise. */
struct member {
	const char *name;
	const void *data;
	size_t len;
	unsigned int type; /* AE_IFREG (0 means the same), AE_IFLNK, AE_IFDIR */
	const char *link;  /* symlink target, or hardlink target when hard */
	bool hard;
};

enum filter { PLAIN, ZSTD, GZIP };

static int dir_setup(void **state)
{
	struct dir *d = xcalloc(1, sizeof(*d));

	snprintf(d->path, sizeof(d->path), "/tmp/boxtop-archive-XXXXXX");
	if (mkdtemp(d->path) == NULL)
		return -1;
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;
	DIR *dir = opendir(d->path);
	struct dirent *e;

	for (e = dir != NULL ? readdir(dir) : NULL; e != NULL; e = readdir(dir)) {
		char *p = xasprintf("%s/%s", d->path, e->d_name);

		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(p);
		free(p);
	}
	if (dir != NULL)
		closedir(dir);
	rmdir(d->path);
	free(d);
	return 0;
}

/* path of name inside the test directory; caller frees. */
static char *in_dir(void **state, const char *name)
{
	const struct dir *d = *state;

	return xasprintf("%s/%s", d->path, name);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Neither path nor path.part exists. */
static void assert_gone(const char *path)
{
	char *part = xasprintf("%s.part", path);

	assert_false(exists(path));
	assert_false(exists(part));
	free(part);
}

static void sha256_hex(const void *data, size_t len, char out[72])
{
	unsigned char md[32];
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

static unsigned char *gen_disk(uint64_t seed, size_t size)
{
	unsigned char *buf = xmalloc(size);

	disk_fill(seed, 0, buf, size);
	return buf;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long size;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = xmalloc((size_t)size + 1);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void add_member(struct archive *a, const struct member *m)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, m->name);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_filetype(e, m->type != 0 ? m->type : AE_IFREG);
	if (m->hard)
		archive_entry_set_hardlink(e, m->link);
	else if (m->link != NULL)
		archive_entry_set_symlink(e, m->link);
	archive_entry_set_size(e, (la_int64_t)m->len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (m->len > 0)
		assert_int_equal(archive_write_data(a, m->data, m->len), (la_ssize_t)m->len);
	archive_entry_free(e);
}

static void build_tar(const char *path, enum filter filter, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();

	if (filter == ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	else if (filter == GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++)
		add_member(a, &m[i]);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* A manifest of this version naming this checksum; caller frees. */
static char *manifest(int version, const char *checksum)
{
	return xasprintf("{\"version\":%d,\"box_name\":\"web\",\"image\":\"alpine:3.20\","
			 "\"box_options\":{\"cpus\":2,\"memory_mib\":512},"
			 "\"guest_disk_checksum\":\"\",\"container_disk_checksum\":\"%s\","
			 "\"exported_at\":\"2026-01-02T03:04:05Z\"}",
			 version, checksum);
}

/* Imports path into the test dir's disk.out; the result and err. */
static enum archive_rc import(void **state, const char *path, struct archive_info *info, char *err,
			      size_t errlen)
{
	char *out = in_dir(state, "disk.out");
	enum archive_rc rc = archive_import(path, out, info, err, errlen);

	if (rc != ARCHIVE_OK)
		assert_gone(out);
	free(out);
	return rc;
}

/* Builds an archive of these members and checks import refuses it with a message naming want. */
static void expect_invalid(void **state, enum filter filter, const struct member *m, size_t n,
			   const char *want)
{
	char *path = in_dir(state, "in.boxlite");
	struct archive_info info;
	char err[256] = "";

	build_tar(path, filter, m, n);
	assert_int_equal(import(state, path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, want);
	assert_null(info.image);
	unlink(path);
	free(path);
}

/* ---- the generated disk ---- */

static void test_disk_fill(void **state)
{
	const size_t size = 3 * 65536 + 100;
	unsigned char *a = gen_disk(42, size), *b = gen_disk(42, size), *c = gen_disk(43, size);
	unsigned char *parts = xmalloc(size);
	const size_t cuts[] = {1, 7, 8, 65535, 65536, 65537, 131075};

	(void)state;
	assert_memory_equal(a, "QFI\xfb", 4);
	assert_memory_equal(c, "QFI\xfb", 4);
	assert_memory_equal(a, b, size);
	assert_memory_not_equal(a + 64, c + 64, size - 64);
	for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
		memset(parts, 0xAA, size);
		disk_fill(42, 0, parts, cuts[i]);
		disk_fill(42, cuts[i], parts + cuts[i], size - cuts[i]);
		assert_memory_equal(parts, a, size);
	}
	/* a window that starts mid-word inside the header */
	disk_fill(42, 3, parts, 101);
	assert_memory_equal(parts, a + 3, 101);
	free(a);
	free(b);
	free(c);
	free(parts);
}

/* About half of a generated disk is zeros and the rest is not trivially compressible. */
static void test_disk_fill_mix(void **state)
{
	const size_t size = 16u << 20;
	unsigned char *d = gen_disk(7, size);
	size_t zero_clusters = 0, distinct = 0;
	bool seen[256] = {false};

	(void)state;
	for (size_t off = 0; off < size; off += 65536) {
		bool zero = true;

		for (size_t i = 0; i < 65536 && zero; i++)
			zero = d[off + i] == 0;
		zero_clusters += zero;
	}
	assert_in_range(zero_clusters, 256 * 35 / 100, 256 * 65 / 100);
	for (size_t i = 0; i < 4096; i++)
		seen[d[64 + i]] = true;
	for (int i = 0; i < 256; i++)
		distinct += seen[i];
	assert_true(distinct > 200);
	free(d);
}

/* ---- export and import ---- */

static void test_round_trip(void **state)
{
	const size_t size = 3 * 65536 + 777;
	char *path = in_dir(state, "box.boxlite"), *out = in_dir(state, "disk.out");
	char *part = xasprintf("%s.part", path);
	char name[] = "web", image[] = "alpine:3.20";
	struct archive_info meta = {.box_name = name, .image = image, .cpus = 2, .memory_mib = 512};
	struct disk_src src = {.seed = 99, .size = size};
	struct archive_info info;
	unsigned char *want = gen_disk(99, size), *got;
	char err[256] = "", sum[72];
	size_t len;

	sha256_hex(want, size, sum);
	assert_int_equal(archive_write(path, &meta, &src, 1767322800, err, sizeof(err)), 0);
	assert_string_equal(meta.checksum, sum);
	assert_int_equal(meta.disk_size, size);
	assert_false(exists(part));
	got = read_file(path, &len);
	assert_memory_equal(got, ZSTD_MAGIC, 4);
	free(got);

	assert_int_equal(archive_import(path, out, &info, err, sizeof(err)), ARCHIVE_OK);
	assert_string_equal(info.checksum, sum);
	assert_string_equal(info.image, "alpine:3.20");
	assert_string_equal(info.box_name, "web");
	assert_int_equal(info.cpus, 2);
	assert_int_equal(info.memory_mib, 512);
	assert_int_equal(info.disk_size, size);
	assert_int_equal(info.version, 3);
	assert_int_equal(info.exported_at, 1767322800);
	got = read_file(out, &len);
	assert_int_equal(len, size);
	assert_memory_equal(got, want, size);
	free(got);
	free(part);
	part = xasprintf("%s.part", out);
	assert_false(exists(part));
	archive_info_clear(&info);
	assert_null(info.image);
	free(want);
	free(part);
	free(out);
	free(path);
}

/* A disk from a file, ending in a zero cluster the sparse import must still size. */
static void test_round_trip_file(void **state)
{
	const size_t size = 4 * 65536;
	char *disk = in_dir(state, "src.qcow2"), *path = in_dir(state, "f.boxlite");
	char *out = in_dir(state, "disk.out");
	unsigned char *data = xcalloc(1, size), *got;
	char image[] = "ubuntu:24.04";
	struct archive_info meta = {.image = image}, info;
	struct disk_src src = {.file = disk};
	char err[256] = "", sum[72];
	size_t len;

	for (size_t i = 0; i < 65536 + 10; i++)
		data[i] = (unsigned char)(i * 31 + 1);
	write_file(disk, data, size);
	sha256_hex(data, size, sum);
	assert_int_equal(archive_write(path, &meta, &src, 0, err, sizeof(err)), 0);
	assert_int_equal(archive_import(path, out, &info, err, sizeof(err)), ARCHIVE_OK);
	assert_null(info.box_name);
	assert_string_equal(info.image, "ubuntu:24.04");
	assert_string_equal(info.checksum, sum);
	got = read_file(out, &len);
	assert_int_equal(len, size);
	assert_memory_equal(got, data, size);
	archive_info_clear(&info);
	free(got);
	free(data);
	free(out);
	free(path);
	free(disk);
}

/* Plain tar, disk before manifest, a "./" prefix and an extra member: all accepted. */
static void test_plain_tar_any_order(void **state)
{
	char *path = in_dir(state, "plain.boxlite"), *out = in_dir(state, "disk.out");
	unsigned char *disk = gen_disk(5, 70000), *got;
	char sum[72], err[256] = "";
	char *man;
	struct archive_info info;
	size_t len;

	sha256_hex(disk, 70000, sum);
	man = manifest(1, sum);
	build_tar(path, PLAIN,
		  (struct member[]){{.name = "./disk.qcow2", .data = disk, .len = 70000},
				    {.name = "README", .data = "hi", .len = 2},
				    {.name = "manifest.json", .data = man, .len = strlen(man)}},
		  3);
	got = read_file(path, &len);
	assert_memory_not_equal(got, ZSTD_MAGIC, 4);
	free(got);
	assert_int_equal(archive_import(path, out, &info, err, sizeof(err)), ARCHIVE_OK);
	assert_int_equal(info.version, 1);
	assert_int_equal(info.disk_size, 70000);
	got = read_file(out, &len);
	assert_int_equal(len, 70000);
	assert_memory_equal(got, disk, 70000);
	archive_info_clear(&info);
	free(got);
	free(man);
	free(disk);
	free(out);
	free(path);
}

static void test_checksum_mismatch(void **state)
{
	unsigned char *disk = gen_disk(5, 5000);
	char sum[72];
	char *man;

	sha256_hex("something else", 14, sum);
	man = manifest(3, sum);
	expect_invalid(state, ZSTD,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.qcow2", .data = disk, .len = 5000}},
		       2, "checksum mismatch");
	free(man);
	free(disk);
}

static void test_newer_version(void **state)
{
	unsigned char *disk = gen_disk(5, 5000);
	char sum[72];
	char *man;

	sha256_hex(disk, 5000, sum);
	man = manifest(6, sum);
	expect_invalid(state, ZSTD,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.qcow2", .data = disk, .len = 5000}},
		       2, "unsupported archive version 6");
	free(man);
	man = manifest(5, sum);
	expect_invalid(
		state, ZSTD,
		(struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)}}, 1,
		"no disk.qcow2");
	free(man);
	free(disk);
}

static void test_missing_members(void **state)
{
	unsigned char *disk = gen_disk(5, 5000);
	char sum[72];
	char *man;

	sha256_hex(disk, 5000, sum);
	man = manifest(3, sum);
	expect_invalid(state, ZSTD,
		       (struct member[]){{.name = "disk.qcow2", .data = disk, .len = 5000}}, 1,
		       "no manifest.json");
	expect_invalid(state, PLAIN,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.img", .data = disk, .len = 5000}},
		       2, "no disk.qcow2");
	expect_invalid(state, ZSTD,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.qcow2", .data = disk, .len = 5000},
					 {.name = "disk.qcow2", .data = disk, .len = 5000}},
		       3, "more than one disk.qcow2");
	free(man);
	free(disk);
}

static void test_bad_manifest(void **state)
{
	unsigned char *disk = gen_disk(5, 5000);
	const char *not_json = "{\"version\":3,";

	expect_invalid(state, ZSTD,
		       (struct member[]){
			       {.name = "manifest.json", .data = not_json, .len = strlen(not_json)},
			       {.name = "disk.qcow2", .data = disk, .len = 5000}},
		       2, "not valid JSON");
	free(disk);
}

/* Links, directories and devices are refused even under the right names. */
static void test_special_members(void **state)
{
	unsigned char *disk = gen_disk(5, 5000);
	char sum[72];
	char *man;

	sha256_hex(disk, 5000, sum);
	man = manifest(3, sum);
	expect_invalid(
		state, ZSTD,
		(struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
				  {.name = "disk.qcow2", .type = AE_IFLNK, .link = "/etc/passwd"}},
		2, "symlink");
	expect_invalid(state, ZSTD,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "x", .data = disk, .len = 5000},
					 {.name = "disk.qcow2", .link = "x", .hard = true}},
		       3, "hardlink");
	expect_invalid(state, PLAIN,
		       (struct member[]){{.name = "./", .type = AE_IFDIR},
					 {.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.qcow2", .data = disk, .len = 5000}},
		       3, "directory");
	expect_invalid(state, PLAIN,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.qcow2", .data = disk, .len = 5000},
					 {.name = "tty", .type = AE_IFCHR}},
		       3, "device");
	free(man);
	free(disk);
}

static void test_gzip_tar(void **state)
{
	unsigned char *disk = gen_disk(5, 5000);
	char sum[72];
	char *man;

	sha256_hex(disk, 5000, sum);
	man = manifest(3, sum);
	expect_invalid(state, GZIP,
		       (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
					 {.name = "disk.qcow2", .data = disk, .len = 5000}},
		       2, "invalid archive");
	free(man);
	free(disk);
}

static void test_garbage_and_truncated(void **state)
{
	char *path = in_dir(state, "junk.boxlite"), *good = in_dir(state, "good.boxlite");
	char image[] = "alpine";
	struct archive_info meta = {.image = image}, info;
	struct disk_src src = {.seed = 3, .size = 1u << 20};
	unsigned char junk[4096], *data;
	char err[256] = "";
	size_t len;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7919 >> 3);
	write_file(path, junk, sizeof(junk));
	assert_int_equal(import(state, path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	assert_non_null(strstr(err, "invalid archive"));
	write_file(path, "", 0);
	assert_int_equal(import(state, path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	/* zstd magic then junk */
	memcpy(junk, ZSTD_MAGIC, 4);
	write_file(path, junk, sizeof(junk));
	assert_int_equal(import(state, path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	/* a good archive cut in half fails inside disk.qcow2 */
	assert_int_equal(archive_write(good, &meta, &src, 0, err, sizeof(err)), 0);
	data = read_file(good, &len);
	write_file(path, data, len / 2);
	assert_int_equal(import(state, path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	assert_non_null(strstr(err, "disk.qcow2"));
	free(data);
	free(good);
	free(path);
}

static void test_import_missing_file(void **state)
{
	char *path = in_dir(state, "absent.boxlite");
	struct archive_info info;
	char err[256] = "";

	assert_int_equal(import(state, path, &info, err, sizeof(err)), ARCHIVE_IO);
	assert_non_null(strstr(err, "absent.boxlite"));
	free(path);
}

static void test_write_failures(void **state)
{
	char *path = in_dir(state, "no/such/dir/x.boxlite"), *ok = in_dir(state, "ok.boxlite");
	char *missing = in_dir(state, "missing.qcow2");
	char image[] = "alpine";
	struct archive_info meta = {.image = image};
	struct disk_src gen = {.seed = 1, .size = 1000}, file = {.file = missing};
	char err[256] = "";

	assert_int_equal(archive_write(path, &meta, &gen, 0, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_gone(path);
	err[0] = '\0';
	assert_int_equal(archive_write(ok, &meta, &file, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.qcow2"));
	assert_gone(ok);
	assert_string_equal(meta.checksum, "");
	free(missing);
	free(ok);
	free(path);
}

/* ---- the manifest alone ---- */

static enum archive_rc parse(const char *json, struct archive_info *info, char *err)
{
	return archive_manifest_parse(json, strlen(json), info, err, 256);
}

static void test_manifest_degenerate(void **state)
{
	struct archive_info info;
	char err[256];
	const char *bad[][2] = {
		{"", "bytes"},
		{"[]", "expected an object"},
		{"null", "expected an object"},
		{"{\"image\":\"a\"}", "version"},
		{"{\"version\":\"3\",\"image\":\"a\"}", "version"},
		{"{\"version\":0,\"image\":\"a\"}", "version"},
		{"{\"version\":2.5,\"image\":\"a\"}", "version"},
		{"{\"version\":99999999999,\"image\":\"a\"}", "unsupported archive version"},
		{"{\"version\":3}", "image"},
		{"{\"version\":3,\"image\":\"\"}", "image"},
		{"{\"version\":3,\"image\":7}", "image"},
		{"{\"version\":3,\"image\":\"a\"}", "container_disk_checksum"},
		{"{\"version\":3,\"image\":\"a\",\"container_disk_checksum\":\"\"}",
		 "container_disk_checksum"},
		{"{\"version\":3,\"image\":\"a\",\"container_disk_checksum\":\"md5:00\"}",
		 "container_disk_checksum"},
		{"{\"version\":3,\"image\":\"a\",\"box_options\":[]}", "box_options"},
		{"{\"version\":3,\"image\":\"a\",\"box_options\":{\"cpus\":-1}}", "cpus"},
		{"{\"version\":3,\"image\":\"a\",\"box_name\":5}", "box_name"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		if (parse(bad[i][0], &info, err) != ARCHIVE_INVALID)
			fail_msg("accepted %s", bad[i][0]);
		if (strstr(err, bad[i][1]) == NULL)
			fail_msg("%s: error \"%s\" does not mention \"%s\"", bad[i][0], err,
				 bad[i][1]);
		assert_null(info.image);
		assert_null(info.box_name);
	}
}

static void test_manifest_good(void **state)
{
	const char *upper =
		"sha256:ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";
	const char *lower =
		"sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
	struct archive_info info;
	char err[256] = "";
	char *json = xasprintf("{\"version\":5,\"image\":\"i\",\"box_name\":null,\"extra\":[1],"
			       "\"container_disk_checksum\":\"%s\"}",
			       upper);
	size_t len = strlen(json);
	/* not NUL-terminated: the parser must stop at len (ASan sees an overread) */
	char *cut = xmalloc(len);

	(void)state;
	memcpy(cut, json, len);
	assert_int_equal(archive_manifest_parse(cut, len, &info, err, sizeof(err)), ARCHIVE_OK);
	assert_int_equal(info.version, 5);
	assert_string_equal(info.checksum, lower);
	assert_null(info.box_name);
	assert_int_equal(info.cpus, 0);
	assert_int_equal(info.exported_at, 0);
	assert_int_equal(info.disk_size, 0);
	archive_info_clear(&info);
	archive_info_clear(NULL);
	json[strlen(json) - 1] = ' ';
	assert_int_equal(archive_manifest_parse(json, strlen(json), &info, err, sizeof(err)),
			 ARCHIVE_INVALID);
	free(cut);
	free(json);
}

/* Verify reads everything and writes nothing; peek stops at the manifest. */
static void test_verify_and_peek(void **state)
{
	unsigned char *disk = gen_disk(9, 70000);
	char *path = in_dir(state, "v.boxlite");
	struct archive_info info;
	char err[256] = "";
	char sum[72];
	char *man;

	sha256_hex(disk, 70000, sum);
	man = manifest(3, sum);
	build_tar(path, ZSTD,
		  (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
				    {.name = "disk.qcow2", .data = disk, .len = 70000}},
		  2);
	assert_int_equal(archive_verify(path, &info, err, sizeof(err)), ARCHIVE_OK);
	assert_string_equal(info.checksum, sum);
	assert_int_equal(info.disk_size, 70000);
	archive_info_clear(&info);
	assert_int_equal(archive_peek(path, &info, err, sizeof(err)), ARCHIVE_OK);
	assert_string_equal(info.image, "alpine:3.20");
	archive_info_clear(&info);
	free(man);
	/* A wrong checksum: verify refuses, peek (which never reads the disk) does not. */
	sha256_hex("other", 5, sum);
	man = manifest(3, sum);
	build_tar(path, ZSTD,
		  (struct member[]){{.name = "manifest.json", .data = man, .len = strlen(man)},
				    {.name = "disk.qcow2", .data = disk, .len = 70000}},
		  2);
	assert_int_equal(archive_verify(path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	assert_non_null(strstr(err, "checksum mismatch"));
	assert_int_equal(archive_peek(path, &info, err, sizeof(err)), ARCHIVE_OK);
	archive_info_clear(&info);
	/* Not an archive at all: both refuse. */
	write_file(path, "hello", 5);
	assert_int_equal(archive_peek(path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	assert_int_equal(archive_verify(path, &info, err, sizeof(err)), ARCHIVE_INVALID);
	unlink(path);
	free(path);
	free(man);
	free(disk);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_degenerate),
		cmocka_unit_test(test_manifest_good),
		cmocka_unit_test(test_disk_fill),
		cmocka_unit_test(test_disk_fill_mix),
		T(test_round_trip),
		T(test_round_trip_file),
		T(test_plain_tar_any_order),
		T(test_checksum_mismatch),
		T(test_newer_version),
		T(test_missing_members),
		T(test_bad_manifest),
		T(test_special_members),
		T(test_gzip_tar),
		T(test_garbage_and_truncated),
		T(test_import_missing_file),
		T(test_write_failures),
		T(test_verify_and_peek),
	};
#undef T

	return cmocka_run_group_tests_name("archive", tests, NULL, NULL);
}
