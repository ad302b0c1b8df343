/* test-history.c: the run history shared by the window and the CLI.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-history.h"

static CsSnapshot *
make (guint epoch, CsPhase phase, guint k)
{
  CsSnapshot *s = cs_snapshot_new (4, 3, k, 0, TRUE);

  s->epoch = epoch;
  s->phase = phase;
  for (guint i = 0; i < 4; i++)
    s->xy[2 * i] = (float) (epoch * 10 + i);
  return s;
}

static void
test_history_light_copies (void)
{
  g_autoptr (CsHistory) history = cs_history_new (2);
  CsSnapshot *kept[5];
  gint replaced;

  g_assert_cmpuint (cs_history_get_n (history), ==, 0);
  g_assert_null (cs_history_get_latest (history));
  g_assert_null (cs_history_get (history, 0));

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr (CsSnapshot) s = make (i + 1, CS_PHASE_CLUSTER, 3);

      kept[i] = s;
      replaced = cs_history_append (history, s);
      /* The newest two stay full; the one that falls out of them becomes light. */
      g_assert_cmpint (replaced, ==, i >= 2 ? (gint) i - 2 : -1);
      g_assert_true (cs_history_get_latest (history) == s);
    }
  g_assert_cmpuint (cs_history_get_n (history), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      CsSnapshot *s = cs_history_get (history, i);

      g_assert_cmpuint (s->epoch, ==, i + 1);
      g_assert_cmpfloat (s->xy[2], ==, (float) (10 * (i + 1) + 1));
      if (i < 3)
        {
          g_assert_null (s->codes);
          g_assert_true (s != kept[i]);
        }
      else
        {
          g_assert_nonnull (s->codes);
          g_assert_true (s == kept[i]);
        }
    }
  g_assert_null (cs_history_get (history, 5));

  cs_history_clear (history);
  g_assert_cmpuint (cs_history_get_n (history), ==, 0);
}

static void
test_history_keep_last (void)
{
  /* The CLI's case: only the last epoch keeps its codes, for labels.csv. */
  g_autoptr (CsHistory) history = cs_history_new (1);
  CsSnapshot *const *all;
  guint n = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (CsSnapshot) s = make (i + 1, CS_PHASE_PRETRAIN, 2);

      cs_history_append (history, s);
    }
  all = cs_history_peek (history, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_null (all[0]->codes);
  g_assert_null (all[1]->codes);
  g_assert_nonnull (all[2]->codes);

  /* Appending a light copy again is not a replacement. */
  {
    g_autoptr (CsHistory) other = cs_history_new (1);

    cs_history_append (other, all[0]);
    g_assert_cmpint (cs_history_append (other, all[1]), ==, -1);
  }
}

static void
test_history_trail (void)
{
  g_autoptr (CsHistory) history = cs_history_new (2);
  /* pretrain x2, cluster K=3 x4, cluster K=4 x3 */
  struct
  {
    CsPhase phase;
    guint k;
  } epochs[] = {
    { CS_PHASE_PRETRAIN, 3 }, { CS_PHASE_PRETRAIN, 3 }, { CS_PHASE_CLUSTER, 3 },
    { CS_PHASE_CLUSTER, 3 },  { CS_PHASE_CLUSTER, 3 },  { CS_PHASE_CLUSTER, 3 },
    { CS_PHASE_CLUSTER, 4 },  { CS_PHASE_CLUSTER, 4 },  { CS_PHASE_CLUSTER, 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (epochs); i++)
    {
      g_autoptr (CsSnapshot) s = make (i + 1, epochs[i].phase, epochs[i].k);

      cs_history_append (history, s);
    }
  g_assert_cmpuint (cs_history_get_trail_start (history, 0, 30), ==, 0);
  g_assert_cmpuint (cs_history_get_trail_start (history, 1, 30), ==, 1);
  g_assert_cmpuint (cs_history_get_trail_start (history, 2, 30), ==, 2);
  g_assert_cmpuint (cs_history_get_trail_start (history, 5, 30), ==, 2);
  g_assert_cmpuint (cs_history_get_trail_start (history, 5, 2), ==, 3);
  g_assert_cmpuint (cs_history_get_trail_start (history, 6, 30), ==, 6);
  g_assert_cmpuint (cs_history_get_trail_start (history, 8, 30), ==, 6);
  g_assert_cmpuint (cs_history_get_trail_start (history, 99, 30), ==, 99);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/history/light-copies", test_history_light_copies);
  g_test_add_func ("/history/keep-last", test_history_keep_last);
  g_test_add_func ("/history/trail", test_history_trail);
  return g_test_run ();
}
