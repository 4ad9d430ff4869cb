/*
 * Unit tests for model/format: degenerate buffers first, then every unit
 * boundary of each formatter, zero, negative and extreme values, unknowns
 * (NaN, infinity, then == 0, unknown totals) and the locale.
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "model/format.h"
#include "model/xalloc.h"

#define KIB INT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)
#define PIB (TIB * 1024)
#define DAY INT64_C(86400)

static void bytes_is(int64_t n, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_bytes(n, buf, sizeof(buf)), want);
}

static void rate_is(double r, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_rate(r, buf, sizeof(buf)), want);
}

static void duration_is(int64_t s, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_duration(s, buf, sizeof(buf)), want);
}

static void age_is(int64_t then, int64_t now, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_age(then, now, buf, sizeof(buf)), want);
}

static void eta_is(int64_t done, int64_t total, double rate, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_eta(done, total, rate, buf, sizeof(buf)), want);
}

static void percent_is(double p, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_percent(p, buf, sizeof(buf)), want);
}

static void test_degenerate_buffers(void **state)
{
	char buf[8] = "zzzzzzz";

	(void)state;
	/* size 0 writes nothing and still returns the buffer */
	assert_ptr_equal(fmt_bytes(1, buf, 0), buf);
	assert_ptr_equal(fmt_rate(1, buf, 0), buf);
	assert_ptr_equal(fmt_duration(1, buf, 0), buf);
	assert_ptr_equal(fmt_age(1, 2, buf, 0), buf);
	assert_ptr_equal(fmt_timestamp(0, true, buf, 0), buf);
	assert_ptr_equal(fmt_eta(0, 1, 1, buf, 0), buf);
	assert_ptr_equal(fmt_percent(1, buf, 0), buf);
	assert_ptr_equal(fmt_bytes(-1, buf, 0), buf);
	assert_ptr_equal(fmt_percent(NAN, buf, 0), buf);
	assert_string_equal(buf, "zzzzzzz");
	/* too small: cut short, still terminated */
	assert_string_equal(fmt_bytes(1023, buf, 3), "10");
	assert_string_equal(fmt_duration(185, buf, 2), "3");
	assert_string_equal(fmt_timestamp(0, true, buf, 5), "1970");
	assert_string_equal(fmt_percent(42.5, buf, 1), "");
}

static void test_bytes(void **state)
{
	(void)state;
	bytes_is(0, "0 B");
	bytes_is(1, "1 B");
	bytes_is(512, "512 B");
	bytes_is(1023, "1023 B");
	bytes_is(1024, "1.0 KiB");
	bytes_is(1536, "1.5 KiB");
	bytes_is(10239, "10.0 KiB");
	bytes_is(102348, "99.9 KiB");
	bytes_is(102400, "100 KiB");
	bytes_is(1048063, "1023 KiB");
	/* 1023.5 KiB would round to 1024 KiB: the next unit instead */
	bytes_is(1048064, "1.0 MiB");
	bytes_is(MIB - 1, "1.0 MiB");
	bytes_is(MIB, "1.0 MiB");
	bytes_is(12897485, "12.3 MiB");
	bytes_is(123 * MIB, "123 MiB");
	bytes_is(GIB - 1, "1.0 GiB");
	bytes_is(GIB + GIB / 2, "1.5 GiB");
	bytes_is(TIB - 1, "1.0 TiB");
	bytes_is(2 * TIB, "2.0 TiB");
	bytes_is(PIB - 1, "1.0 PiB");
	bytes_is(3490403674320896, "3.1 PiB");
	bytes_is(PIB * 1024, "1.0 EiB");
	bytes_is(INT64_MAX, "8.0 EiB");
}

static void test_bytes_negative(void **state)
{
	(void)state;
	bytes_is(-1, "-1 B");
	bytes_is(-1023, "-1023 B");
	bytes_is(-1536, "-1.5 KiB");
	bytes_is(-123 * MIB, "-123 MiB");
	bytes_is(INT64_MIN, "-8.0 EiB");
}

static void test_rate(void **state)
{
	(void)state;
	rate_is(0, "0 B/s");
	rate_is(0.4, "0 B/s");
	rate_is(0.6, "1 B/s");
	rate_is(1023.4, "1023 B/s");
	rate_is(1023.6, "1.0 KiB/s");
	rate_is(1.2 * MIB, "1.2 MiB/s");
	rate_is(500 * GIB, "500 GiB/s");
	rate_is(1e26, "82.7 YiB/s");
	rate_is(1e27, "-");
	rate_is(-1, "-");
	rate_is(NAN, "-");
	rate_is(INFINITY, "-");
	rate_is(-INFINITY, "-");
}

static void test_duration(void **state)
{
	(void)state;
	duration_is(0, "0s");
	duration_is(1, "1s");
	duration_is(59, "59s");
	duration_is(60, "1m00s");
	duration_is(185, "3m05s");
	duration_is(3599, "59m59s");
	duration_is(3600, "1h00m");
	duration_is(7380, "2h03m");
	duration_is(DAY - 1, "23h59m");
	duration_is(DAY, "1d00h");
	duration_is(4 * DAY + 2 * 3600, "4d02h");
	duration_is(365 * DAY - 1, "364d23h");
	duration_is(365 * DAY, "1y000d");
	duration_is(3 * 365 * DAY + 12 * DAY + 5, "3y012d");
	duration_is(INT64_MAX, "292471208677y195d");
	duration_is(-1, "-");
	duration_is(INT64_MIN, "-");
}

static void test_age(void **state)
{
	const int64_t now = 1735787045;

	(void)state;
	age_is(0, now, "-");
	age_is(now, now, "0s");
	age_is(now - 12, now, "12s");
	age_is(now - 59, now, "59s");
	age_is(now - 60, now, "1m");
	age_is(now - 3599, now, "59m");
	age_is(now - 3600, now, "1h");
	age_is(now - DAY + 1, now, "23h");
	age_is(now - DAY, now, "1d");
	age_is(now - 365 * DAY + 1, now, "364d");
	age_is(now - 365 * DAY, now, "1y");
	age_is(now - 800 * DAY, now, "2y");
	/* clock skew: a time in the future is "just now" */
	age_is(now + 300, now, "0s");
	/* before 1970 is a real time; the full range does not overflow */
	age_is(-60, 0, "1m");
	age_is(INT64_MIN, INT64_MAX, "584942417355y");
	age_is(INT64_MAX, INT64_MIN, "0s");
}

static void digest_is(const char *digest, const char *want)
{
	char buf[FMT_BUF];

	assert_string_equal(fmt_digest(digest, buf, sizeof(buf)), want);
}

static void test_digest(void **state)
{
	(void)state;
	digest_is("sha256:6d6599476d095b58c5aa503c756d28757788cac11b4d21689b9f08d91d49c691",
		  "6d6599476d09");
	digest_is("6d6599476d095b58", "6d6599476d09"); /* no algorithm */
	digest_is("sha256:abc", "abc");
	digest_is("sha256:", "-");
	digest_is("", "-");
	digest_is(NULL, "-");
}

static void test_timestamp(void **state)
{
	char buf[FMT_BUF];

	(void)state;
	assert_string_equal(fmt_timestamp(0, true, buf, sizeof(buf)), "1970-01-01 00:00:00");
	assert_string_equal(fmt_timestamp(1735787045, true, buf, sizeof(buf)),
			    "2025-01-02 03:04:05");
	assert_string_equal(fmt_timestamp(-1, true, buf, sizeof(buf)), "1969-12-31 23:59:59");
	assert_string_equal(fmt_timestamp(INT64_MAX, true, buf, sizeof(buf)), "-");
	assert_string_equal(fmt_timestamp(INT64_MIN, false, buf, sizeof(buf)), "-");
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_string_equal(fmt_timestamp(1735787045, false, buf, sizeof(buf)),
			    "2025-01-02 03:04:05");
}

static void test_eta(void **state)
{
	(void)state;
	eta_is(0, 100, 0, "-");
	eta_is(0, 100, -5, "-");
	eta_is(0, 100, NAN, "-");
	eta_is(0, -1, 10, "-");
	eta_is(-1, 100, 10, "-");
	eta_is(100, 100, 10, "0s");
	eta_is(150, 100, 10, "0s");
	eta_is(0, 0, 0, "-");
	eta_is(0, 100, 10, "10s");
	/* rounded up: 3.3 seconds left is "4s", never "0s" early */
	eta_is(0, 100, 30, "4s");
	eta_is(99, 100, 1000, "1s");
	eta_is(0, 90 * MIB, MIB, "1m30s");
	eta_is(0, 100, INFINITY, "0s");
	eta_is(0, INT64_MAX, 1e-9, "-");
	eta_is(0, 100 * 365 * DAY, 1, "100y000d");
	eta_is(0, INT64_MAX, 1, "-");
}

static void test_percent(void **state)
{
	(void)state;
	percent_is(0, "0.0%");
	percent_is(42.5, "42.5%");
	percent_is(99.94, "99.9%");
	percent_is(99.96, "100.0%");
	percent_is(100, "100.0%");
	percent_is(250, "250.0%");
	percent_is(999.94, "999.9%");
	percent_is(999.96, "1000%");
	percent_is(1600.4, "1600%");
	percent_is(-1234.5, "-1235%");
	percent_is(-3, "-3.0%");
	percent_is(-0.01, "0.0%");
	percent_is(NAN, "-");
	percent_is(INFINITY, "-");
	percent_is(-INFINITY, "-");
	percent_is(1e15, "-");
	percent_is(-1e15, "-");
}

/* A decimal-comma locale, where one is installed, must not reach the output. */
static void test_locale_independent(void **state)
{
	static const char *const names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"};
	const char *set = NULL;

	(void)state;
	for (size_t i = 0; set == NULL && i < ARRAY_LEN(names); i++)
		set = setlocale(LC_ALL, names[i]);
	bytes_is(1536, "1.5 KiB");
	rate_is(1.2 * MIB, "1.2 MiB/s");
	percent_is(42.5, "42.5%");
	setlocale(LC_ALL, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate_buffers),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_bytes_negative),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_eta),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_locale_independent),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
