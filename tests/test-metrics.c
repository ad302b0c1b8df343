/* test-metrics.c: ACC / NMI / ARI, the label change rate and the Hungarian solver.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-metrics"

#include "config.h"

#include <math.h>

#include "cs-hungarian.h"
#include "cs-metrics.h"
#include "cs-rng.h"

/* Brute force: the cheapest matching of size min (rows, cols), over every injection of
 * the smaller side into the larger. */
static double
brute_min_rec (
    const double *cost, guint rows, guint cols, guint r, gboolean *used, gboolean transposed)
{
  guint small = transposed ? cols : rows;
  guint large = transposed ? rows : cols;
  double best = INFINITY;

  if (r == small)
    return 0.0;
  for (guint c = 0; c < large; c++)
    {
      double v;

      if (used[c])
        continue;
      used[c] = TRUE;
      v = (transposed ? cost[(gsize) c * cols + r] : cost[(gsize) r * cols + c])
          + brute_min_rec (cost, rows, cols, r + 1, used, transposed);
      used[c] = FALSE;
      best = MIN (best, v);
    }
  return best;
}

static double
brute_min (const double *cost, guint rows, guint cols)
{
  g_autofree gboolean *used = g_new0 (gboolean, MAX (rows, cols));

  return brute_min_rec (cost, rows, cols, 0, used, rows > cols);
}

/* The matching is a valid one (each column at most once, min (rows, cols) pairs) whose
 * cost equals the returned total. */
static void
check_matching (const double *cost, guint rows, guint cols, const gint *row_to_col, double total)
{
  g_autofree gboolean *seen = g_new0 (gboolean, cols);
  guint n_matched = 0;
  double sum = 0.0;

  for (guint r = 0; r < rows; r++)
    {
      if (row_to_col[r] < 0)
        continue;
      g_assert_cmpint (row_to_col[r], <, (gint) cols);
      g_assert_false (seen[row_to_col[r]]);
      seen[row_to_col[r]] = TRUE;
      n_matched++;
      sum += cost[(gsize) r * cols + row_to_col[r]];
    }
  g_assert_cmpuint (n_matched, ==, MIN (rows, cols));
  g_assert_cmpfloat_with_epsilon (sum, total, 1e-9 * (1.0 + fabs (total)));
}

static void
test_hungarian_known (void)
{
  /* The optimum picks 1 + 2 + 2 = 5 (rows 0, 1, 2 -> columns 1, 0, 2); the diagonal
   * costs 4 + 3 + 2 = 9. */
  const double cost[9] = {
    4, 1, 3, 2, 0, 5, 3, 2, 2,
  };
  gint match[3];
  double total = cs_hungarian_min (cost, 3, 3, match);

  g_assert_cmpfloat (total, ==, 5.0);
  g_assert_cmpint (match[0], ==, 1);
  g_assert_cmpint (match[1], ==, 0);
  g_assert_cmpint (match[2], ==, 2);
  g_assert_cmpfloat (total, ==, brute_min (cost, 3, 3));
}

static void
test_hungarian_rectangular (void)
{
  /* 2 x 4: row 0 takes column 3 (1), row 1 column 1 (2). */
  const double wide[8] = {
    7, 5, 9, 1, 6, 2, 8, 3,
  };
  /* Its transpose, 4 x 2: rows 3 and 1 are matched, rows 0 and 2 left out. */
  double tall[8];
  gint match[4];
  double total;

  total = cs_hungarian_min (wide, 2, 4, match);
  g_assert_cmpfloat (total, ==, 3.0);
  g_assert_cmpint (match[0], ==, 3);
  g_assert_cmpint (match[1], ==, 1);
  check_matching (wide, 2, 4, match, total);

  for (guint r = 0; r < 2; r++)
    for (guint c = 0; c < 4; c++)
      tall[c * 2 + r] = wide[r * 4 + c];
  total = cs_hungarian_min (tall, 4, 2, match);
  g_assert_cmpfloat (total, ==, 3.0);
  g_assert_cmpint (match[0], ==, -1);
  g_assert_cmpint (match[1], ==, 1);
  g_assert_cmpint (match[2], ==, -1);
  g_assert_cmpint (match[3], ==, 0);
  check_matching (tall, 4, 2, match, total);
}

static void
test_hungarian_random (void)
{
  CsRng rng;

  cs_rng_init (&rng, 7);
  for (guint trial = 0; trial < 300; trial++)
    {
      guint rows = 1 + cs_rng_below (&rng, 6);
      guint cols = 1 + cs_rng_below (&rng, 6);
      g_autofree double *cost = g_new (double, (gsize) (rows * cols));
      g_autofree gint *match = g_new (gint, rows);
      double total, expect;

      for (guint i = 0; i < rows * cols; i++)
        {
          /* Small integers make ties (and degenerate duals) common; negatives too. */
          if (trial % 2 == 0)
            cost[i] = (double) cs_rng_below (&rng, 5) - 2.0;
          else
            cost[i] = 100.0 * cs_rng_normal (&rng);
        }
      total = cs_hungarian_min (cost, rows, cols, match);
      expect = brute_min (cost, rows, cols);
      g_assert_cmpfloat_with_epsilon (total, expect, 1e-9 * (1.0 + fabs (expect)));
      check_matching (cost, rows, cols, match, total);
    }
}

static void
test_hungarian_non_finite (void)
{
  /* A diverged run may hand in NaN: the answer must still be a full matching. */
  const double cost[4] = { NAN, 1.0, INFINITY, 2.0 };
  gint match[2];

  cs_hungarian_min (cost, 2, 2, match);
  g_assert_cmpint (match[0], ==, 1);
  g_assert_cmpint (match[1], ==, 0);
}

static void
test_permuted_labels (void)
{
  const gint32 perm[5] = { 3, 0, 4, 1, 2 };
  gint32 truth[100], pred[100];
  g_autoptr (CsContingency) c = NULL;
  gint map[5];

  for (guint i = 0; i < 100; i++)
    {
      truth[i] = (gint32) ((i * 7) % 5);
      pred[i] = perm[truth[i]];
    }
  c = cs_contingency_new (truth, 5, pred, 5, 100);
  g_assert_nonnull (c);
  g_assert_cmpint (c->counts[0 * 5 + 3], ==, 20);

  g_assert_cmpint (cs_contingency_match (c, map), ==, 100);
  for (guint cl = 0; cl < 5; cl++)
    g_assert_cmpint (perm[map[cl]], ==, (gint) cl);
  g_assert_cmpfloat_with_epsilon (cs_metric_acc (c), 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_ARITHMETIC), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_GEOMETRIC), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_ari (c), 1.0, 1e-12);
}

static void
test_hand_table (void)
{
  /* truth 0 0 0 1 1 1, pred 0 0 1 1 2 2: table [[2 1 0] [0 1 2]], a = (3, 3), b = (2, 2, 2).
   * H(U) = ln 2, H(V) = ln 3.
   * MI = 2 * (2/6) ln (6*2 / (3*2)) + 2 * (1/6) ln (6*1 / (3*2)) = (2/3) ln 2 = 0.4620981...
   * NMI arithmetic = (2/3) ln 2 / ((ln 2 + ln 3) / 2) = (4/3) ln 2 / ln 6 = 0.5158037...
   * NMI geometric = (2/3) ln 2 / sqrt (ln 2 ln 3) = 0.5295405...
   * ARI: sum C(nij, 2) = 1 + 1 = 2, sum C(ai, 2) = 3 + 3 = 6, sum C(bj, 2) = 3,
   * expected = 6 * 3 / C(6, 2) = 1.2, max = (6 + 3) / 2 = 4.5,
   * ARI = (2 - 1.2) / (4.5 - 1.2) = 8/33 = 0.2424...
   * ACC: clusters 0 -> class 0 (2), 2 -> class 1 (2), cluster 1 unmatched: 4/6. */
  const gint32 truth[6] = { 0, 0, 0, 1, 1, 1 };
  const gint32 pred[6] = { 0, 0, 1, 1, 2, 2 };
  g_autoptr (CsContingency) c = cs_contingency_new (truth, 2, pred, 3, 6);
  gint map[3];

  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_ARITHMETIC),
                                  (4.0 / 3.0) * log (2.0) / log (6.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_ARITHMETIC), 0.5158037429793888, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_GEOMETRIC), 0.5295405780575617, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_ari (c), 8.0 / 33.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_acc (c), 4.0 / 6.0, 1e-15);
  g_assert_cmpint (cs_contingency_match (c, map), ==, 4);
  g_assert_cmpint (map[0], ==, 0);
  g_assert_cmpint (map[1], ==, -1);
  g_assert_cmpint (map[2], ==, 1);
}

static void
test_second_table (void)
{
  /* truth 0 0 0 0 1 1 1 1 2 2, pred 0 0 0 1 1 1 1 1 0 1:
   * table [[3 1] [0 4] [1 1]], a = (4, 4, 2), b = (4, 6), n = 10.
   * H(U) = -(0.4 ln 0.4 * 2 + 0.2 ln 0.2) = 1.0549201679861442
   * H(V) = -(0.4 ln 0.4 + 0.6 ln 0.6) = 0.6730116670092565
   * MI = 0.3 ln (10*3 / 16) + 0.1 ln (10 / 24) + 0.4 ln (40 / 24) + 0.1 ln (10 / 8)
   *      + 0.1 ln (10 / 12) = 0.3094481730497441
   * NMI arithmetic = 2 MI / (H(U) + H(V)) = 0.35817173661895957
   * NMI geometric = MI / sqrt (H(U) H(V)) = 0.3672542487870931
   * ARI: sum C(nij, 2) = 3 + 6 = 9, sum C(ai, 2) = 6 + 6 + 1 = 13, sum C(bj, 2) = 6 + 15 = 21,
   * expected = 13 * 21 / 45 = 6.0667, max = 17, ARI = (9 - 91/15) / (17 - 91/15) = 11/41. */
  const gint32 truth[10] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2 };
  const gint32 pred[10] = { 0, 0, 0, 1, 1, 1, 1, 1, 0, 1 };
  g_autoptr (CsContingency) c = cs_contingency_new (truth, 3, pred, 2, 10);
  gint map[2];

  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_ARITHMETIC), 0.35817173661895957, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c, CS_NMI_GEOMETRIC), 0.3672542487870931, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_metric_ari (c), 11.0 / 41.0, 1e-12);
  /* K < classes: cluster 0 -> class 0 (3), cluster 1 -> class 1 (4); class 2 unmatched. */
  g_assert_cmpint (cs_contingency_match (c, map), ==, 7);
  g_assert_cmpint (map[0], ==, 0);
  g_assert_cmpint (map[1], ==, 1);
  g_assert_cmpfloat_with_epsilon (cs_metric_acc (c), 0.7, 1e-15);
}

static void
test_more_clusters (void)
{
  /* K > classes: cluster 0 -> class 0 (3), cluster 2 -> class 1 (4); cluster 1 (one point
   * of class 0) is left unmatched and counts as wrong. */
  const gint32 truth[8] = { 0, 0, 0, 0, 1, 1, 1, 1 };
  const gint32 pred[8] = { 0, 0, 0, 1, 2, 2, 2, 2 };
  g_autoptr (CsContingency) c = cs_contingency_new (truth, 2, pred, 3, 8);
  gint map[3];

  g_assert_cmpint (cs_contingency_match (c, map), ==, 7);
  g_assert_cmpint (map[0], ==, 0);
  g_assert_cmpint (map[1], ==, -1);
  g_assert_cmpint (map[2], ==, 1);
  g_assert_cmpfloat_with_epsilon (cs_metric_acc (c), 7.0 / 8.0, 1e-15);
  /* Splitting a class loses a little NMI but keeps it well above 0. */
  g_assert_cmpfloat (cs_metric_nmi (c, CS_NMI_ARITHMETIC), <, 1.0);
  g_assert_cmpfloat (cs_metric_nmi (c, CS_NMI_ARITHMETIC), >, 0.5);

  /* Many clusters, few classes, empty clusters in between. */
  {
    gint32 t2[60], p2[60];
    g_autoptr (CsContingency) c2 = NULL;
    gint map2[12];

    for (guint i = 0; i < 60; i++)
      {
        t2[i] = (gint32) (i / 20);       /* 3 classes of 20 */
        p2[i] = (gint32) (2 * (i / 20)); /* clusters 0, 2, 4 of 12 */
      }
    c2 = cs_contingency_new (t2, 3, p2, 12, 60);
    g_assert_cmpint (cs_contingency_match (c2, map2), ==, 60);
    g_assert_cmpint (map2[0], ==, 0);
    g_assert_cmpint (map2[2], ==, 1);
    g_assert_cmpint (map2[4], ==, 2);
    g_assert_cmpint (map2[1], ==, -1);
    g_assert_cmpfloat_with_epsilon (cs_metric_acc (c2), 1.0, 1e-15);
    g_assert_cmpfloat_with_epsilon (cs_metric_nmi (c2, CS_NMI_GEOMETRIC), 1.0, 1e-12);
    g_assert_cmpfloat_with_epsilon (cs_metric_ari (c2), 1.0, 1e-12);
  }
}

static void
test_degenerate (void)
{
  const gint32 zeros[4] = { 0, 0, 0, 0 };
  const gint32 spread[4] = { 0, 1, 2, 3 };
  g_autoptr (CsContingency) same = cs_contingency_new (zeros, 1, zeros, 1, 4);
  g_autoptr (CsContingency) one_class = cs_contingency_new (zeros, 1, spread, 4, 4);
  g_autoptr (CsContingency) singletons = cs_contingency_new (spread, 4, spread, 4, 4);

  /* One class, one cluster: identical partitions. */
  g_assert_cmpfloat (cs_metric_nmi (same, CS_NMI_ARITHMETIC), ==, 1.0);
  g_assert_cmpfloat (cs_metric_nmi (same, CS_NMI_GEOMETRIC), ==, 1.0);
  g_assert_cmpfloat (cs_metric_ari (same), ==, 1.0);
  g_assert_cmpfloat (cs_metric_acc (same), ==, 1.0);

  /* One class split into singletons: H(U) = 0 alone, no shared information;
   * scikit-learn's ARI is 0 here too (no pair agrees beyond chance). */
  g_assert_cmpfloat (cs_metric_nmi (one_class, CS_NMI_ARITHMETIC), ==, 0.0);
  g_assert_cmpfloat (cs_metric_nmi (one_class, CS_NMI_GEOMETRIC), ==, 0.0);
  g_assert_cmpfloat (cs_metric_ari (one_class), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (cs_metric_acc (one_class), 0.25, 1e-15);

  /* All singletons on both sides: identical, sklearn's special case gives 1. */
  g_assert_cmpfloat (cs_metric_ari (singletons), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (cs_metric_nmi (singletons, CS_NMI_ARITHMETIC), 1.0, 1e-12);
}

/* The classical combinatorial ARI in double, to cross-check the pair-count form. */
static double
ari_combinatorial (const CsContingency *c)
{
  g_autofree double *a = g_new0 (double, c->n_classes);
  g_autofree double *b = g_new0 (double, c->k);
  double sij = 0, sa = 0, sb = 0, n = (double) c->n, expected, max;

  for (guint i = 0; i < c->n_classes; i++)
    for (guint j = 0; j < c->k; j++)
      {
        double v = (double) c->counts[i * c->k + j];

        sij += v * (v - 1) / 2;
        a[i] += v;
        b[j] += v;
      }
  for (guint i = 0; i < c->n_classes; i++)
    sa += a[i] * (a[i] - 1) / 2;
  for (guint j = 0; j < c->k; j++)
    sb += b[j] * (b[j] - 1) / 2;
  expected = sa * sb / (n * (n - 1) / 2);
  max = (sa + sb) / 2;
  return (sij - expected) / (max - expected);
}

static void
test_large (void)
{
  /* 200 000 points: pair counts reach 4e10 and their products overflow 64 bits. */
  gsize n = 200000;
  g_autofree gint32 *truth = g_new (gint32, n);
  g_autofree gint32 *pred = g_new (gint32, n);
  g_autoptr (CsContingency) c = NULL;
  CsRng rng;
  double ari;

  cs_rng_init (&rng, 3);
  for (gsize i = 0; i < n; i++)
    {
      truth[i] = (gint32) cs_rng_below (&rng, 10);
      /* 70 % kept, the rest anywhere among 12 clusters. */
      pred[i] = cs_rng_uniform (&rng) < 0.7 ? truth[i] : (gint32) cs_rng_below (&rng, 12);
    }
  c = cs_contingency_new (truth, 10, pred, 12, n);
  ari = cs_metric_ari (c);
  g_assert_cmpfloat_with_epsilon (ari, ari_combinatorial (c), 1e-9);
  g_assert_cmpfloat (ari, >, 0.4);
  g_assert_cmpfloat (ari, <, 0.7);
  /* About 70 % + 30 % / 12 of the points stay with their class. */
  g_assert_cmpfloat_with_epsilon (cs_metric_acc (c), 0.7 + 0.3 / 12, 0.01);
}

static void
test_label_change (void)
{
  const gint32 a[8] = { 0, 1, 2, 3, 0, 1, 2, 3 };
  const gint32 b[8] = { 0, 1, 2, 0, 0, 3, 2, 3 };

  g_assert_cmpfloat (cs_metric_label_change (a, a, 8), ==, 0.0);
  g_assert_cmpfloat (cs_metric_label_change (a, b, 8), ==, 2.0 / 8.0);
  g_assert_cmpfloat (cs_metric_label_change (a, b, 3), ==, 0.0);
  g_assert_cmpfloat (cs_metric_label_change (a, b, 0), ==, 0.0);
}

/* Two runs' partitions of the same points: b numbers a's clusters differently and splits one;
 * the match pairs them by the points they share. */
static void
test_match_clusters (void)
{
  const guint16 a[10] = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 2 };
  const guint16 b[10] = { 2, 2, 1, 0, 0, 0, 1, 1, 3, 3 };
  gint b_to_a[4];
  gint a_to_b[3];

  /* b's 0 is a's 1, b's 2 is a's 0; a's 2 splits into b's 1 (2 of its 4 points with one of
   * a's 0) and b's 3 (2 points): one of them stays unmatched. */
  g_assert_cmpint (cs_match_clusters (a, 3, b, 4, 10, b_to_a), ==, 7);
  g_assert_cmpint (b_to_a[0], ==, 1);
  g_assert_cmpint (b_to_a[2], ==, 0);
  g_assert_true ((b_to_a[1] == 2 && b_to_a[3] == -1) || (b_to_a[1] == -1 && b_to_a[3] == 2));
  /* The other way round: every one of a's three finds a partner. */
  g_assert_cmpint (cs_match_clusters (b, 4, a, 3, 10, a_to_b), ==, 7);
  g_assert_cmpint (a_to_b[0], ==, 2);
  g_assert_cmpint (a_to_b[1], ==, 0);
  g_assert_true (a_to_b[2] == 1 || a_to_b[2] == 3);
  /* A point with an out-of-range cluster counts for nothing. */
  g_assert_cmpint (cs_match_clusters (a, 2, b, 4, 10, b_to_a), ==, 5);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hungarian/known-3x3", test_hungarian_known);
  g_test_add_func ("/hungarian/rectangular", test_hungarian_rectangular);
  g_test_add_func ("/hungarian/random-vs-brute-force", test_hungarian_random);
  g_test_add_func ("/hungarian/non-finite", test_hungarian_non_finite);
  g_test_add_func ("/metrics/permuted", test_permuted_labels);
  g_test_add_func ("/metrics/hand-table", test_hand_table);
  g_test_add_func ("/metrics/fewer-clusters", test_second_table);
  g_test_add_func ("/metrics/more-clusters", test_more_clusters);
  g_test_add_func ("/metrics/degenerate", test_degenerate);
  g_test_add_func ("/metrics/large", test_large);
  g_test_add_func ("/metrics/label-change", test_label_change);
  g_test_add_func ("/metrics/match-clusters", test_match_clusters);

  return g_test_run ();
}
