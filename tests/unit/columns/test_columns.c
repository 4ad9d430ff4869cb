/* columns: the boxes table's layout at every width, the column list, the cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tui/columns.h"

static int total_width(const int *width, int n)
{
	int t = 0;

	for (int i = 0; i < n; i++)
		t += width[i] + 1;
	return t;
}

static bool has(const enum col_id *shown, int n, enum col_id c)
{
	for (int i = 0; i < n; i++)
		if (shown[i] == c)
			return true;
	return false;
}

static void test_layout_degenerate(void **state)
{
	enum col_id shown[COL_COUNT];
	int width[COL_COUNT];

	(void)state;
	/* nothing wanted: nothing shown */
	assert_int_equal(columns_layout(200, 0, shown, width), 0);
	/* too narrow for anything: the three kept columns, never a negative width */
	assert_int_equal(columns_layout(0, COLUMNS_ALL, shown, width), 3);
	assert_int_equal(shown[0], COL_NAME);
	assert_int_equal(shown[1], COL_STATUS);
	assert_int_equal(shown[2], COL_CPU);
	for (int i = 0; i < 3; i++)
		assert_int_equal(width[i], column_at(shown[i])->width);
	assert_int_equal(columns_layout(-5, COLUMNS_ALL, shown, width), 3);
}

/* Every width from 40 to 400: fits, keeps order and the kept columns, drops by priority. */
static void test_layout_every_width(void **state)
{
	int prev_n = 0;

	(void)state;
	for (int cols = 40; cols <= 400; cols++) {
		enum col_id shown[COL_COUNT];
		int width[COL_COUNT];
		int n = columns_layout(cols, COLUMNS_ALL, shown, width);

		assert_true(total_width(width, n) <= cols + 1); /* no blank after the last */
		assert_true(has(shown, n, COL_NAME) && has(shown, n, COL_STATUS) &&
			    has(shown, n, COL_CPU));
		assert_true(n >= prev_n); /* a wider screen never shows fewer columns */
		prev_n = n;
		for (int i = 0; i < n; i++) {
			const struct column *c = column_at(shown[i]);

			if (i > 0)
				assert_true(shown[i] > shown[i - 1]); /* display order */
			assert_true(width[i] >= c->width && width[i] <= c->max);
		}
		/* a dropped column is never more useful than a shown one */
		for (int c = 0; c < COL_COUNT; c++)
			if (!has(shown, n, (enum col_id)c))
				for (int i = 0; i < n; i++)
					assert_true(column_at((enum col_id)c)->keep <
						    column_at(shown[i])->keep);
	}
	assert_int_equal(prev_n, COL_COUNT);
}

static void test_layout_spare_and_wanted(void **state)
{
	enum col_id shown[COL_COUNT];
	int width[COL_COUNT], n;

	(void)state;
	/* the spare width goes to the name first, up to its max, then the image */
	n = columns_layout(400, COLUMNS_ALL, shown, width);
	assert_int_equal(width[0], column_at(COL_NAME)->max);
	assert_int_equal(width[3], column_at(COL_IMAGE)->max);
	/* only what the config asks for, even with room to spare */
	n = columns_layout(300, (1u << COL_NAME) | (1u << COL_AGE) | (1u << COL_STATUS), shown,
			   width);
	assert_int_equal(n, 3);
	assert_int_equal(shown[0], COL_NAME);
	assert_int_equal(shown[1], COL_STATUS);
	assert_int_equal(shown[2], COL_AGE);
	/* 80 columns: the id and the labels go before the memory */
	n = columns_layout(80, COLUMNS_ALL, shown, width);
	assert_false(has(shown, n, COL_ID));
	assert_false(has(shown, n, COL_LABELS));
	assert_true(has(shown, n, COL_MEMUSED));
}

static void test_parse(void **state)
{
	unsigned mask;
	char err[200];

	(void)state;
	assert_int_equal(columns_parse("name,status,cpu", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, (1u << COL_NAME) | (1u << COL_STATUS) | (1u << COL_CPU));
	assert_int_equal(columns_parse(" labels  cpu_history,,mem_used ", &mask, err, sizeof(err)),
			 0);
	assert_int_equal(mask, (1u << COL_LABELS) | (1u << COL_GRAPH) | (1u << COL_MEMUSED));
	assert_int_equal(columns_parse("name,nam", &mask, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown column \"nam\""));
	assert_int_equal(columns_parse("", &mask, err, sizeof(err)), -1);
	assert_string_equal(err, "no columns");
	assert_int_equal(columns_parse(" , ", &mask, err, sizeof(err)), -1);
	/* every column's own name parses to itself */
	for (int c = 0; c < COL_COUNT; c++) {
		assert_int_equal(
			columns_parse(column_at((enum col_id)c)->name, &mask, err, sizeof(err)), 0);
		assert_int_equal(mask, 1u << c);
	}
}

/* Mutable strings for the test boxes (struct box holds char *). */
static char s_team[] = "team", s_ml[] = "ml", s_env[] = "env", s_prod[] = "prod";
static char s_id[] = "01M5WZ2SP6MXABCDEFGHJKMNPQ", s_web[] = "web-1", s_alpine[] = "alpine:3.20";
static char s_x[] = "x", s_long[] = "a-very-long-box-name";

static void test_text(void **state)
{
	struct kv labels[2] = {{s_team, s_ml}, {s_env, s_prod}};
	struct box b = {.id = s_id,
			.name = s_web,
			.status = BOX_RUNNING,
			.created_at = 1000,
			.image = s_alpine,
			.cpus = 2,
			.memory_mib = 512,
			.labels = labels,
			.n_labels = 2};
	struct column_live l = {.has_metrics = true};
	char buf[256];

	(void)state;
	assert_string_equal(column_text(COL_NAME, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "web-1");
	assert_string_equal(column_text(COL_ID, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "01M5WZ2SP6MX");
	assert_string_equal(column_text(COL_STATUS, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "● running");
	assert_string_equal(column_text(COL_STATUS, &b, NULL, 0, GLYPH_ASCII, buf, sizeof(buf)),
			    "* running");
	assert_string_equal(column_text(COL_MEM, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "512 MiB");
	assert_string_equal(column_text(COL_CPUS, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)), "2");
	assert_string_equal(
		column_text(COL_AGE, &b, NULL, 1000 + 7200, GLYPH_UTF8, buf, sizeof(buf)), "2h");
	assert_string_equal(column_text(COL_LABELS, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "team=ml,env=prod");
	/* nothing measured: "-" everywhere live */
	for (enum col_id c = COL_CPU; c <= COL_TX; c++)
		if (c != COL_GRAPH)
			assert_string_equal(
				column_text(c, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	assert_string_equal(column_text(COL_CPU, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	l.m.cpu_percent = (struct opt_f64){OPT_SET, 42.5};
	l.m.memory_bytes = (struct opt_i64){OPT_SET, 3 * 1024 * 1024};
	l.rx_rate = (struct opt_f64){OPT_SET, 2048};
	assert_string_equal(column_text(COL_CPU, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)), "42.5%");
	assert_string_equal(column_text(COL_MEMUSED, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "3.0 MiB");
	assert_string_equal(column_text(COL_RX, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "2.0 KiB/s");
	assert_string_equal(column_text(COL_TX, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	l.has_metrics = false; /* stale values are not shown */
	assert_string_equal(column_text(COL_CPU, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	assert_string_equal(column_text(COL_GRAPH, &b, &l, 0, GLYPH_UTF8, buf, sizeof(buf)), "");
}

static void test_text_odd_boxes(void **state)
{
	struct box b = {.id = s_x, .status = (enum box_status)77, .memory_mib = INT64_MAX};
	char buf[64];

	(void)state;
	/* no name: the id; no image, no labels: "-"; an absurd size: "-", never an overflow */
	assert_string_equal(column_text(COL_NAME, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)), "x");
	assert_string_equal(column_text(COL_IMAGE, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	assert_string_equal(column_text(COL_LABELS, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)),
			    "-");
	assert_string_equal(column_text(COL_MEM, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	b.memory_mib = -1;
	assert_string_equal(column_text(COL_MEM, &b, NULL, 0, GLYPH_UTF8, buf, sizeof(buf)), "-");
	assert_string_equal(column_text(COL_STATUS, &b, NULL, 0, GLYPH_ASCII, buf, sizeof(buf)),
			    "? unknown");
	/* a buffer too small is cut, still terminated */
	b.name = s_long;
	assert_string_equal(column_text(COL_NAME, &b, NULL, 0, GLYPH_UTF8, buf, 5), "a-ve");
	assert_string_equal(column_status_symbol(BOX_STOPPED, GLYPH_UTF8), "■");
	assert_string_equal(column_status_symbol((enum box_status) - 1, GLYPH_ASCII), "?");
}

/* The widest text col can show for b and l fits its narrowest width: never a cut number. */
static void fits(enum col_id col, const struct box *b, const struct column_live *l)
{
	char buf[64];
	size_t n = strlen(column_text(col, b, l, 0, GLYPH_ASCII, buf, sizeof(buf)));

	if (n > (size_t)column_at(col)->width)
		fail_msg("%s: \"%s\" is %zu wide, the column %d", column_at(col)->title, buf, n,
			 column_at(col)->width);
}

static void test_numbers_fit(void **state)
{
	struct box b = {.id = s_x, .status = BOX_RUNNING};
	struct column_live l = {.has_metrics = true};

	(void)state;
	/* every size from 0 through 1 PiB, finely enough to hit each rounding edge */
	for (double v = 0; v < 1e15; v = v < 1 ? 1 : v * 1.0007) {
		l.rx_rate = l.tx_rate = (struct opt_f64){OPT_SET, v};
		l.m.memory_bytes = (struct opt_i64){OPT_SET, (int64_t)v};
		b.memory_mib = (int64_t)(v / 1048576);
		fits(COL_RX, &b, &l);
		fits(COL_TX, &b, &l);
		fits(COL_MEMUSED, &b, &l);
		fits(COL_MEM, &b, &l);
	}
	/* 0-100 says api.md; a server counting each core as 100% goes further */
	for (double cpu = 0; cpu < 99999; cpu += cpu < 1100 ? 0.01 : 0.7) {
		l.m.cpu_percent = (struct opt_f64){OPT_SET, cpu};
		fits(COL_CPU, &b, &l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_degenerate),
		cmocka_unit_test(test_layout_every_width),
		cmocka_unit_test(test_layout_spare_and_wanted),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_odd_boxes),
		cmocka_unit_test(test_numbers_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
