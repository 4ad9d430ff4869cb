/*
 * Unit tests for sim/idem: a new key runs, a repeat replays the first
 * answer, another fingerprint is a mismatch, an aborted key is forgotten,
 * a full store drops the oldest answered key, and a repeat that arrives
 * while the first is in flight waits for its answer (threads).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sim/idem.h"

static const unsigned char fp_a[IDEM_FP_LEN] = {1};
static const unsigned char fp_b[IDEM_FP_LEN] = {2};

static enum idem_rc begin(struct idem_store *s, const char *key, const unsigned char *fp,
			  unsigned *status, char **body, size_t *len)
{
	*status = 0;
	*body = NULL;
	*len = 0;
	return idem_begin(s, key, fp, status, body, len);
}

static void test_free_null(void **state)
{
	struct idem_store *s = NULL;

	(void)state;
	idem_free(&s);
	idem_free(NULL);
	assert_null(s);
}

static void test_replay_and_mismatch(void **state)
{
	struct idem_store *s = idem_new(8, 3600);
	unsigned status;
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(begin(s, "k1", fp_a, &status, &body, &len), IDEM_NEW);
	idem_finish(s, "k1", 201, "{\"box_id\":\"b1\"}", 15);
	assert_int_equal(begin(s, "k1", fp_a, &status, &body, &len), IDEM_REPLAY);
	assert_int_equal(status, 201);
	assert_int_equal(len, 15);
	assert_memory_equal(body, "{\"box_id\":\"b1\"}", 15);
	free(body);
	assert_int_equal(begin(s, "k1", fp_b, &status, &body, &len), IDEM_MISMATCH);
	assert_null(body);
	assert_int_equal(begin(s, "k2", fp_b, &status, &body, &len), IDEM_NEW);
	idem_finish(s, "k2", 204, NULL, 0);
	assert_int_equal(begin(s, "k2", fp_b, &status, &body, &len), IDEM_REPLAY);
	assert_int_equal(status, 204);
	assert_null(body);
	idem_free(&s);
}

static void test_abort_forgets(void **state)
{
	struct idem_store *s = idem_new(8, 3600);
	unsigned status;
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(begin(s, "k", fp_a, &status, &body, &len), IDEM_NEW);
	idem_abort(s, "k");
	assert_int_equal(begin(s, "k", fp_b, &status, &body, &len), IDEM_NEW);
	idem_finish(s, "k", 200, "x", 1);
	/* Finishing twice keeps the first answer. */
	idem_finish(s, "k", 500, "y", 1);
	assert_int_equal(begin(s, "k", fp_b, &status, &body, &len), IDEM_REPLAY);
	assert_int_equal(status, 200);
	free(body);
	idem_free(&s);
}

static void test_full_drops_oldest(void **state)
{
	struct idem_store *s = idem_new(2, 3600);
	unsigned status;
	char *body;
	size_t len;

	(void)state;
	begin(s, "old", fp_a, &status, &body, &len);
	idem_finish(s, "old", 201, "1", 1);
	begin(s, "mid", fp_a, &status, &body, &len);
	idem_finish(s, "mid", 201, "2", 1);
	assert_int_equal(begin(s, "new", fp_a, &status, &body, &len), IDEM_NEW);
	idem_finish(s, "new", 201, "3", 1);
	/* "old" was dropped to make room: it runs again, "mid" still replays. */
	assert_int_equal(begin(s, "mid", fp_a, &status, &body, &len), IDEM_REPLAY);
	free(body);
	assert_int_equal(begin(s, "old", fp_a, &status, &body, &len), IDEM_NEW);
	idem_free(&s);
}

static void test_expiry(void **state)
{
	struct idem_store *s = idem_new(4, 0);
	unsigned status;
	char *body;
	size_t len;

	(void)state;
	begin(s, "k", fp_a, &status, &body, &len);
	idem_finish(s, "k", 201, "1", 1);
	/* A lifetime of 0 s: the answer is gone at the next look. */
	assert_int_equal(begin(s, "k", fp_b, &status, &body, &len), IDEM_NEW);
	idem_free(&s);
}

struct waiter {
	struct idem_store *s;
	enum idem_rc rc;
	unsigned status;
};

static void *wait_for_first(void *arg)
{
	struct waiter *w = arg;
	char *body = NULL;
	size_t len = 0;

	w->rc = idem_begin(w->s, "k", fp_a, &w->status, &body, &len);
	free(body);
	return NULL;
}

static void test_repeat_waits_for_first(void **state)
{
	struct idem_store *s = idem_new(4, 3600);
	struct waiter w = {.s = s};
	struct timespec pause = {0, 50 * 1000000};
	unsigned status;
	pthread_t t;
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(begin(s, "k", fp_a, &status, &body, &len), IDEM_NEW);
	assert_int_equal(pthread_create(&t, NULL, wait_for_first, &w), 0);
	nanosleep(&pause, NULL);
	idem_finish(s, "k", 202, "done", 4);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, IDEM_REPLAY);
	assert_int_equal(w.status, 202);
	idem_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_null),     cmocka_unit_test(test_replay_and_mismatch),
		cmocka_unit_test(test_abort_forgets), cmocka_unit_test(test_full_drops_oldest),
		cmocka_unit_test(test_expiry),        cmocka_unit_test(test_repeat_waits_for_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
