/*
 * toml: a reader for the small part of TOML that BoxLite's credentials file
 * uses, and nothing more.
 *
 * Accepted: blank lines and '#' comments; table headers `[name]`, dotted
 * `[profiles.default]`, with quoted parts `[profiles."my team"]`; key/value
 * lines `key = "basic string"` (escapes \b \t \n \f \r \" \\ \uXXXX
 * \UXXXXXXXX, written out as UTF-8) and `key = 'literal string'`; bare keys
 * [A-Za-z0-9_-] or quoted keys. Keys before the first header belong to the
 * root table. Lines end in LF or CRLF; a UTF-8 byte order mark at the start
 * is skipped. Everything else is refused with "line N: ..." rather than
 * guessed at: numbers, booleans, dates, arrays, inline tables, multi-line
 * strings, dotted keys, [[arrays of tables]], duplicate keys and tables,
 * invalid UTF-8, control characters, and "\u0000" (a C string cannot hold it).
 *
 * Tables are kept in the order they appear, the root first; a table only
 * implied by a longer header ([profiles] by [profiles.work]) has no entry.
 */
#ifndef BOXTOP_NET_TOML_H
#define BOXTOP_NET_TOML_H

#include <stddef.h>

#define TOML_MAX_BYTES  (1024u * 1024) /* larger documents are refused */
#define TOML_MAX_TABLES 1024           /* headers in one document */
#define TOML_MAX_KEYS   16384          /* key/value lines in one document */
#define TOML_MAX_PARTS  32             /* parts in one table name */

struct toml_doc;
struct toml_table;

/*
 * Parses len bytes of buf (no NUL needed; NUL bytes are refused). Returns 0
 * and a document in *out that the caller frees with toml_free, or -1, *out
 * NULL and a one-line message in err ("line 3: booleans are not supported
 * ..."). err may be NULL; a long message is cut to errlen.
 */
int toml_parse(const char *buf, size_t len, struct toml_doc **out, char *err, size_t errlen);

/*
 * Flags for toml_parse_flags. TOML_SCALARS also takes booleans (true,
 * false) and decimal numbers (-3, 0.5; no exponents, underscores, hex or
 * special floats) as values, kept as their text: boxtop's own config file
 * has them; the credentials file, which has none, is read without.
 */
#define TOML_SCALARS 1u

/* toml_parse with flags. */
int toml_parse_flags(const char *buf, size_t len, unsigned flags, struct toml_doc **out, char *err,
		     size_t errlen);

/* Frees *d (NULL or *d NULL is fine) and sets *d to NULL. */
void toml_free(struct toml_doc **d);

/*
 * The value of key in the table named by its dot-joined parts ("" is the
 * root, "profiles.default"), or NULL when either is missing. A name whose
 * parts hold a '.' is ambiguous here: use toml_table_find. The string lives
 * as long as the document.
 */
const char *toml_get(const struct toml_doc *d, const char *table, const char *key);

/* The table whose name is exactly parts[0..nparts) (nparts 0: the root), or NULL. */
const struct toml_table *toml_table_find(const struct toml_doc *d, const char *const *parts,
					 size_t nparts);

/* The value of key in t, or NULL; t may be NULL. */
const char *toml_table_get(const struct toml_table *t, const char *key);

/* Iteration: tables in document order (index 0 is the root), then their keys in order. */
size_t toml_table_count(const struct toml_doc *d);
const struct toml_table *toml_table_at(const struct toml_doc *d, size_t i);
size_t toml_table_nparts(const struct toml_table *t);
const char *toml_table_part(const struct toml_table *t, size_t i);
size_t toml_key_count(const struct toml_table *t);
const char *toml_key_at(const struct toml_table *t, size_t i);
const char *toml_value_at(const struct toml_table *t, size_t i);

#endif
