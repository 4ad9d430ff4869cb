/* tui/session: the detach sequence, "~." at the start of a line, as ssh has it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tui/session.h"

/* Feeds s in pieces of size step; out gets what goes through. Returns whether it detached. */
static bool feed(struct detach_scan *d, const char *s, size_t step, char *out, size_t *n)
{
	size_t len = strlen(s);

	*n = 0;
	for (size_t i = 0; i < len; i += step) {
		size_t k = len - i < step ? len - i : step, got;

		if (detach_scan(d, s + i, k, out + *n, &got)) {
			*n += got;
			return true;
		}
		*n += got;
	}
	return false;
}

static void test_detach(void **state)
{
	char out[64];
	size_t n;

	(void)state;
	for (size_t step = 1; step <= 4; step++) {
		struct detach_scan d = {.state = 1};

		/* at the very start */
		assert_true(feed(&d, "~.rest", step, out, &n));
		assert_int_equal(n, 0);
		/* after Enter, what came before goes through */
		d = (struct detach_scan){.state = 1};
		assert_true(feed(&d, "ls\r~.", step, out, &n));
		assert_int_equal(n, 3);
		assert_memory_equal(out, "ls\r", 3);
		/* mid-line it is text */
		d = (struct detach_scan){.state = 1};
		assert_false(feed(&d, "a~.b", step, out, &n));
		assert_int_equal(n, 4);
		assert_memory_equal(out, "a~.b", 4);
		/* ~~ sends one ~, and the line goes on */
		d = (struct detach_scan){.state = 1};
		assert_false(feed(&d, "~~.x", step, out, &n));
		assert_int_equal(n, 3);
		assert_memory_equal(out, "~.x", 3);
		/* ~ then anything else: both go */
		d = (struct detach_scan){.state = 1};
		assert_false(feed(&d, "\n~a", step, out, &n));
		assert_int_equal(n, 3);
		assert_memory_equal(out, "\n~a", 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
