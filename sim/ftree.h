/*
 * ftree: a box's files, in memory: the tree `PUT|GET .../files` writes and
 * reads, and the built-in shell's cat, ls and cd walk.
 *
 * Bounded: every node costs FTREE_NODE_COST bytes plus its content, and a
 * tree refuses whatever would take it past its budget (--files-max). File
 * contents are immutable blobs shared by reference, so a download streams a
 * snapshot while the tree changes under it, and a hard link in an upload
 * costs nothing twice. Paths are absolute or taken from "/": "." and empty
 * components are dropped, ".." is refused (FTREE_BAD_PATH): the shell
 * resolves ".." itself before it asks. Thread-safe: one mutex per tree,
 * held for each call; blobs carry their own atomic count.
 */
#ifndef BOXTOP_SIM_FTREE_H
#define BOXTOP_SIM_FTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FTREE_NODE_COST 256

enum ftree_type {
	FTREE_DIR,
	FTREE_FILE,
	FTREE_LINK,
};

enum ftree_rc {
	FTREE_OK,
	FTREE_NOT_FOUND, /* no such path */
	FTREE_NOT_DIR,   /* a component (or the target of a graft) is not a directory */
	FTREE_IS_DIR,    /* a directory where a file or link was wanted */
	FTREE_EXISTS,    /* a file is in the way and overwrite is off */
	FTREE_FULL,      /* the budget would be exceeded */
	FTREE_BAD_PATH,  /* "..", or a component longer than 255 bytes */
};

/* File content: immutable once made, shared by reference. */
struct ftree_blob;

/* A blob of a copy of n bytes (n may be 0). Caller drops it with ftree_blob_unref. */
struct ftree_blob *ftree_blob_new(const void *data, size_t n);
/* A blob that takes data (from malloc; NULL when n is 0). */
struct ftree_blob *ftree_blob_take(void *data, size_t n);
struct ftree_blob *ftree_blob_ref(struct ftree_blob *b);
/* Accepts NULL. */
void ftree_blob_unref(struct ftree_blob *b);
const unsigned char *ftree_blob_data(const struct ftree_blob *b);
size_t ftree_blob_len(const struct ftree_blob *b);

struct ftree;

/* An empty tree (just "/") of at most max_bytes. Caller frees with ftree_free. */
struct ftree *ftree_new(uint64_t max_bytes);
/*
 * Another reference to t (an execution holding a box's tree after the box
 * is gone): ftree_free drops one, the last frees the tree.
 */
struct ftree *ftree_ref(struct ftree *t);
void ftree_free(struct ftree **t);
/* A tree of its own holding what t holds (contents shared), of the same budget: a clone's. */
struct ftree *ftree_copy(struct ftree *t);
/* What the tree costs now, and its budget. */
uint64_t ftree_used(struct ftree *t);
uint64_t ftree_max(const struct ftree *t);

/* Makes path and its missing parents directories (mkdir -p). */
enum ftree_rc ftree_mkdir(struct ftree *t, const char *path, unsigned mode);
/*
 * Puts a file (blob, a reference taken whatever happens) or a symbolic link
 * (target) at path, making missing parents; replaces a file or link there,
 * never a directory (FTREE_IS_DIR).
 */
enum ftree_rc ftree_put(struct ftree *t, const char *path, enum ftree_type type, unsigned mode,
			int64_t mtime, struct ftree_blob *blob, const char *target);

struct ftree_stat {
	enum ftree_type type;
	unsigned mode;
	int64_t mtime;
	uint64_t size;
};

enum ftree_rc ftree_stat(struct ftree *t, const char *path, struct ftree_stat *st);
/* A reference to the content of the file at path; caller drops it with ftree_blob_unref. */
enum ftree_rc ftree_blob_at(struct ftree *t, const char *path, struct ftree_blob **out);

/*
 * One entry of a listing or a snapshot; paths are relative: a listing's are
 * the names in the directory ("hostname"), a snapshot's start at the last
 * component of its path ("etc/", "etc/hostname").
 */
struct ftree_entry {
	char *path;
	enum ftree_type type;
	unsigned mode;
	int64_t mtime;
	struct ftree_blob *blob; /* files: a reference */
	char *target;            /* links */
};

/*
 * Symbolic links on the way of a path are followed (their targets folded
 * inside the tree: ".." stops at "/"); stat, snapshot and put take a link
 * at the end of the path as itself, blob_at, list and realpath follow it.
 */
/* The path with every link resolved, e.g. to follow one before a snapshot; caller frees *out. */
enum ftree_rc ftree_realpath(struct ftree *t, const char *path, char **out);
/* The entries of directory path, sorted by name, not recursive. */
enum ftree_rc ftree_list(struct ftree *t, const char *path, struct ftree_entry **out, size_t *n);
/*
 * Everything under path, parents before children, in name order, as a tar
 * of it would hold it (docker cp's layout): a file is one entry named by
 * its last component; a directory is that directory and what it holds
 * ("root/", "root/.profile"), or with contents_only (a path ending in "/."
 * or "/") what it holds alone.
 */
enum ftree_rc ftree_snapshot(struct ftree *t, const char *path, bool contents_only,
			     struct ftree_entry **out, size_t *n);
/* Frees n entries and the array; accepts NULL. */
void ftree_entries_free(struct ftree_entry *e, size_t n);

/*
 * Puts what src holds at path in t, as boxlite's tar unpack does: into the
 * directory path when it is one or into_dir is set; at path itself (a file
 * renamed) when src holds exactly one regular file; else into a directory
 * path, made. Nothing changes unless everything fits: a file in the way
 * with overwrite off is FTREE_EXISTS, a directory against a file
 * FTREE_IS_DIR or FTREE_NOT_DIR, more than the budget FTREE_FULL. src is
 * left empty.
 */
enum ftree_rc ftree_graft(struct ftree *t, const char *path, struct ftree *src, bool into_dir,
			  bool overwrite);

/* The error's words, for messages: "no such file or directory", ... */
const char *ftree_strerror(enum ftree_rc rc);

#endif
