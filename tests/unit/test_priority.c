/* Unit tests for correlator/context/priority.c. The expected table is the
 * one in correlator/context/README.md, written out here as a literal (it
 * was computed from the documented formula by hand-checked arithmetic, not
 * by the code under test): expected[severity][level][criticality]. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "context/priority.h"

static const int expected[5][6][4] = {
    {
        /* informational; columns: criticality unknown, low, medium, high */
        {5, 5, 5, 5}, /* level unknown */
        {5, 5, 5, 5}, /* level 1 */
        {5, 5, 5, 5}, /* level 2 */
        {5, 5, 5, 4}, /* level 3 */
        {5, 5, 4, 4}, /* level 4 */
        {4, 4, 4, 4}, /* level 5 */
    },
    {
        /* low */
        {4, 4, 4, 4},
        {4, 4, 4, 4},
        {4, 4, 4, 4},
        {4, 4, 4, 4},
        {4, 4, 4, 3},
        {4, 4, 3, 3},
    },
    {
        /* medium */
        {4, 4, 3, 3},
        {4, 4, 3, 3},
        {3, 3, 3, 3},
        {3, 3, 3, 3},
        {3, 3, 3, 3},
        {3, 3, 3, 2},
    },
    {
        /* high */
        {3, 3, 3, 2},
        {3, 3, 3, 2},
        {3, 3, 2, 2},
        {2, 2, 2, 2},
        {2, 2, 2, 2},
        {2, 2, 2, 1},
    },
    {
        /* critical */
        {2, 2, 2, 1},
        {2, 2, 2, 1},
        {2, 2, 1, 1},
        {1, 1, 1, 1},
        {1, 1, 1, 1},
        {1, 1, 1, 1},
    },
};

static void test_whole_table(void **state)
{
    (void)state;
    for (int s = 0; s < 5; s++)
        for (int l = 0; l < 6; l++)
            for (int c = 0; c < 4; c++)
                if (corr_priority(s, l, c) != expected[s][l][c])
                    fail_msg("severity %d level %d criticality %d: got P%d, README says P%d", s, l,
                             c, corr_priority(s, l, c), expected[s][l][c]);
}

static void test_anchors(void **state)
{
    (void)state;
    assert_int_equal(corr_priority(4, 5, ASSET_CRIT_HIGH), 1); /* critical on the most important */
    assert_int_equal(corr_priority(0, 0, ASSET_CRIT_UNKNOWN), 5); /* informational, unknown */
    assert_int_equal(corr_priority_score(4, 5, 3), 22);
    assert_int_equal(corr_priority_score(0, 0, 0), 0);
    assert_int_equal(corr_priority_score(2, 3, 2), 11); /* 8 + 2 + 1 */
}

/* Raising any one input never makes the priority less urgent. */
static void test_monotone(void **state)
{
    (void)state;
    for (int s = 0; s < 5; s++)
        for (int l = 0; l < 6; l++)
            for (int c = 0; c < 4; c++) {
                int p = corr_priority(s, l, c);
                if (s < 4) assert_true(corr_priority(s + 1, l, c) <= p);
                if (l < 5) assert_true(corr_priority(s, l + 1, c) <= p);
                if (c < 3) assert_true(corr_priority(s, l, c + 1) <= p);
            }
}

static void test_clamped(void **state)
{
    (void)state;
    assert_int_equal(corr_priority(-3, -1, -9), 5);
    assert_int_equal(corr_priority(99, 17, 8), 1);
    assert_int_equal(corr_priority(7, 0, 0), corr_priority(4, 0, 0));
}

static void test_assets(void **state)
{
    (void)state;
    asset_t users = {.name = "office-users", .level = 2, .criticality = ASSET_CRIT_LOW};
    asset_t lgsp = {.name = "lgsp", .level = 4, .criticality = ASSET_CRIT_HIGH};
    assert_int_equal(corr_priority_assets(3, NULL, NULL), 3);    /* high, unknown: P3 */
    assert_int_equal(corr_priority_assets(3, &users, NULL), 3);  /* 12+1+0 = 13 */
    assert_int_equal(corr_priority_assets(3, &users, &lgsp), 2); /* 12+3+2 = 17 */
    assert_int_equal(corr_priority_assets(3, &lgsp, &users), 2);
    assert_int_equal(corr_priority_assets(0, NULL, &lgsp), 4); /* 0+3+2 = 5 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_table), cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_monotone),    cmocka_unit_test(test_clamped),
        cmocka_unit_test(test_assets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
