/*
 * libFuzzer target for sim/archive's manifest check, the first thing an
 * uploaded .boxlite archive meets. The input is parsed as manifest.json
 * (from a heap copy of exactly its size, so an overread is caught) with a
 * full error buffer and with a tiny one, and each result must keep the
 * contract: OK or INVALID and nothing else; INVALID leaves the info cleared
 * and a non-empty, NUL-terminated message; OK gives a supported version, a
 * non-empty image, a canonical lower-case "sha256:<64 hex>" checksum and
 * non-negative box options. Both parses must agree.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static bool canonical_checksum(const char *s)
{
	return strlen(s) == 71 && strncmp(s, "sha256:", 7) == 0 &&
	       strspn(s + 7, "0123456789abcdef") == 64;
}

static void check_result(enum archive_rc rc, const struct archive_info *info, const char *err,
			 size_t errlen)
{
	check(rc == ARCHIVE_OK || rc == ARCHIVE_INVALID);
	check(memchr(err, '\0', errlen) != NULL);
	if (rc == ARCHIVE_INVALID) {
		check(err[0] != '\0' || errlen == 1);
		check(info->image == NULL && info->box_name == NULL && info->version == 0);
		check(info->checksum[0] == '\0');
		return;
	}
	check(info->version >= 1 && info->version <= ARCHIVE_VERSION_MAX);
	check(info->image != NULL && info->image[0] != '\0');
	check(canonical_checksum(info->checksum));
	check(info->cpus >= 0 && info->memory_mib >= 0);
	check(info->disk_size == 0);
}

/* Parses json with an error buffer of exactly errlen bytes; the result and a copy of info. */
static enum archive_rc parse(const char *json, size_t size, size_t errlen,
			     struct archive_info *info)
{
	char *err = malloc(errlen);
	enum archive_rc rc;

	memset(err, 'Z', errlen);
	rc = archive_manifest_parse(json, size, info, err, errlen);
	check_result(rc, info, err, errlen);
	free(err);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size > 0 ? size : 1);
	struct archive_info a, b;
	enum archive_rc ra, rb;

	if (size > 0)
		memcpy(json, data, size);
	ra = parse(json, size, 256, &a);
	rb = parse(json, size, 1 + (size > 0 ? data[0] % 8 : 0), &b);
	check(ra == rb);
	if (ra == ARCHIVE_OK) {
		check(strcmp(a.image, b.image) == 0 && strcmp(a.checksum, b.checksum) == 0);
		check((a.box_name == NULL) == (b.box_name == NULL));
		check(a.version == b.version && a.exported_at == b.exported_at);
	}
	archive_info_clear(&a);
	archive_info_clear(&b);
	check(a.image == NULL && a.box_name == NULL);
	free(json);
	return 0;
}
