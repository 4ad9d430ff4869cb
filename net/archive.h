/*
 * archive: the .boxlite archive, written for export and checked for import.
 *
 * A .boxlite archive is a zstd-compressed tar of two regular files,
 * manifest.json and disk.qcow2. libarchive does the tar and zstd work and
 * OpenSSL's EVP does the sha256; this file only streams bytes between them
 * in bounded chunks, so a many-GB disk never sits in memory.
 *
 * Thread-safety: every function is reentrant (no shared state); two calls
 * on the same path (or the same disk_out) at once are the caller's to
 * prevent, as both would use the same "<path>.part" file.
 */
#ifndef BOXTOP_NET_ARCHIVE_H
#define BOXTOP_NET_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

/* The newest manifest version import accepts, and the one export writes. */
#define ARCHIVE_VERSION_MAX   5
#define ARCHIVE_VERSION_WRITE 3
/* A manifest.json larger than this is refused before it is read. */
#define ARCHIVE_MANIFEST_MAX (1024u * 1024)
/* An archive with more members than this is refused. */
#define ARCHIVE_MEMBERS_MAX 16
/* A disk.qcow2 larger than this is refused (a zstd bomb must not fill the disk). */
#define ARCHIVE_DISK_MAX (256ULL * 1024 * 1024 * 1024)

/* Where a box's disk content comes from. */
struct disk_src {
	const char *file; /* a disk image file on disk, or NULL: generated content */
	uint64_t seed;    /* generated content: deterministic from seed */
	uint64_t size;    /* generated content: bytes */
};

struct archive_info {
	char *box_name;           /* may be NULL */
	char *image;              /* never NULL once filled */
	int64_t cpus, memory_mib; /* box_options; 0 when the manifest has none */
	char checksum[72];        /* "sha256:<64 lower-case hex>" of disk.qcow2 */
	uint64_t disk_size;       /* bytes of disk.qcow2 */
	int version;              /* manifest version */
	int64_t exported_at;      /* unix seconds; 0 when the manifest has none */
};

/* Frees the strings of info and zeroes it. Accepts NULL. */
void archive_info_clear(struct archive_info *info);

/*
 * Bytes [off, off+n) of the generated disk for seed. Deterministic and
 * position-independent (any split of a range gives the same bytes), starts
 * with the qcow2 magic "QFI\xfb" and version 3, and is made of 64 KiB
 * clusters of which about half are zero and half random, so it compresses
 * about 2:1 like a real disk. It is not a qcow2 image anyone can open.
 */
void disk_fill(uint64_t seed, uint64_t off, void *buf, size_t n);

/*
 * Writes the .boxlite archive for meta and disk to path: manifest.json
 * first, then disk.qcow2, in a zstd-compressed (level 1, 2 threads) pax tar.
 * Written to "<path>.part", fsync'd and renamed over path; on failure no
 * file is left at path.part and path is untouched. The disk is read twice
 * (once to hash it for the manifest, once to store it), in 1 MiB chunks;
 * a file source's size is taken from the file (disk->size is ignored) and
 * the file must not change meanwhile.
 *
 * Reads meta->box_name (may be NULL), image, cpus and memory_mib; on success
 * sets meta->checksum, disk_size, version and exported_at. Returns 0, or -1
 * with a message in err (always NUL-terminated when errlen > 0).
 */
int archive_write(const char *path, struct archive_info *meta, const struct disk_src *disk,
		  int64_t exported_at, char *err, size_t errlen);

/*
 * ARCHIVE_OK is a macro for 0, token for token the one libarchive's
 * <archive.h> defines (a harmless identical redefinition), so the two
 * headers can be included in either order; ARCHIVE_RC_OK names the same 0
 * inside the enum so switches over it stay complete.
 */
enum archive_rc {
	ARCHIVE_RC_OK = 0,
	ARCHIVE_INVALID = 1,
	ARCHIVE_IO = 2,
};
#define ARCHIVE_OK 0

/*
 * Verifies the uploaded archive at path as the real server does: zstd or
 * plain tar, regular-file members only (no links, devices or directories),
 * at most ARCHIVE_MEMBERS_MAX of them, in any order; members other than
 * manifest.json and disk.qcow2 (a leading "./" is allowed) are skipped.
 * Both must be present exactly once, the manifest must pass
 * archive_manifest_parse and its container_disk_checksum must be the sha256
 * of disk.qcow2.
 *
 * ARCHIVE_OK: disk.qcow2 is at disk_out (written to disk_out.part, fsync'd,
 * renamed) and *info is filled; the caller clears it with archive_info_clear.
 * ARCHIVE_INVALID: err says what is wrong with the archive (a 400).
 * ARCHIVE_IO: a local failure, e.g. the disk is full (a 500).
 * On failure *info is cleared, nothing is left at disk_out.part and
 * disk_out is untouched.
 */
enum archive_rc archive_import(const char *path, const char *disk_out, struct archive_info *info,
			       char *err, size_t errlen);

/*
 * The same checks as archive_import without extracting anything: the whole
 * archive is read and the disk hashed. For boxtop's downloaded exports.
 */
enum archive_rc archive_verify(const char *path, struct archive_info *info, char *err,
			       size_t errlen);
/*
 * archive_verify reading from fd (a pipe, say) up to where the archive
 * ends; fd is left open. For verifying an export while it downloads.
 */
enum archive_rc archive_verify_fd(int fd, struct archive_info *info, char *err, size_t errlen);

/*
 * Fails fast on a file that is not a .boxlite: reads only up to a valid
 * manifest.json (zstd or tar, regular members, manifest checks), not the
 * disk. For boxtop before an upload.
 */
enum archive_rc archive_peek(const char *path, struct archive_info *info, char *err, size_t errlen);

/*
 * The manifest check alone (pure; the fuzzer drives it): len bytes of JSON,
 * not necessarily NUL-terminated. A JSON object with an integer version in
 * 1..ARCHIVE_VERSION_MAX (newer: "unsupported archive version N"), a
 * non-empty string image, an optional string box_name, an optional
 * box_options {cpus, memory_mib} of non-negative integers, a string
 * container_disk_checksum "sha256:<64 hex>" and an optional exported_at
 * (RFC 3339 or unix seconds). Returns ARCHIVE_OK with *info filled
 * (disk_size 0) and err "", or ARCHIVE_INVALID with a message in err and
 * *info cleared. err is always NUL-terminated when errlen > 0.
 */
enum archive_rc archive_manifest_parse(const char *json, size_t len, struct archive_info *info,
				       char *err, size_t errlen);

#endif
