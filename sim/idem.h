/*
 * idem: Idempotency-Key handling for mutations. The first request with a
 * key runs and its answer is kept; a repeat with the same fingerprint
 * (method, path and body) gets that answer again without running, and a
 * repeat with another fingerprint is refused (422). A repeat that arrives
 * while the first is still running waits for it. Keys are kept for the
 * lifetime the server advertises (idempotency_key_lifetime), at most cap of
 * them, oldest dropped first. Thread-safe.
 */
#ifndef BOXTOP_SIM_IDEM_H
#define BOXTOP_SIM_IDEM_H

#include <stddef.h>
#include <stdint.h>

#define IDEM_FP_LEN 32

enum idem_rc {
	IDEM_NEW,      /* run the request, then idem_finish or idem_abort */
	IDEM_REPLAY,   /* answer with the kept status and body */
	IDEM_MISMATCH, /* the key was used for another request */
};

struct idem_store;

struct idem_store *idem_new(size_t cap, int64_t lifetime_s);
void idem_free(struct idem_store **s);

/*
 * Looks key up with the request's fingerprint. On IDEM_REPLAY *status,
 * *body and *len are the first answer (caller frees *body; NULL when it had
 * none).
 */
enum idem_rc idem_begin(struct idem_store *s, const char *key, const unsigned char *fp,
			unsigned *status, char **body, size_t *len);
/* Keeps the answer of the request begun with key (body may be NULL). */
void idem_finish(struct idem_store *s, const char *key, unsigned status, const char *body,
		 size_t len);
/* Forgets a request begun with key that gave no answer worth keeping. */
void idem_abort(struct idem_store *s, const char *key);

#endif
