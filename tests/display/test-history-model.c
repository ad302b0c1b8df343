/* test-history-model.c: the history as a list model with a cursor, and the views that observe it.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-history-model"

#include "config.h"

#include <string.h>

#include "cs-confusion-view.h"
#include "cs-curves-view.h"
#include "cs-history-model.h"
#include "cs-scatter-view.h"
#include "display-util.h"

#define WAIT_SECONDS 30.0

/* A view of our own, as a gallery or a comparison would be: it only draws, and counts it. */
#define TEST_TYPE_COUNTING_VIEW (test_counting_view_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingView, test_counting_view, TEST, COUNTING_VIEW, CsPlotView)

struct _TestCountingView
{
  CsPlotView parent_instance;
  guint n_draws;
  CsSnapshot *drawn;
};

G_DEFINE_FINAL_TYPE (TestCountingView, test_counting_view, CS_TYPE_PLOT_VIEW)

static void
test_counting_view_draw (
    CsPlotView *view, cairo_t *cr, int width, int height, const CsPlotStyle *style)
{
  TestCountingView *self = TEST_COUNTING_VIEW (view);

  self->n_draws++;
  self->drawn = cs_plot_view_get_snapshot (view);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
}

static void
test_counting_view_class_init (TestCountingViewClass *klass)
{
  CS_PLOT_VIEW_CLASS (klass)->draw = test_counting_view_draw;
}

static void
test_counting_view_init (TestCountingView *self)
{
}

typedef struct
{
  guint position;
  guint current;
  guint follows;
  guint items_changed;
  guint last_at, last_removed, last_added;
} Counts;

static void
on_notify (GObject *object, GParamSpec *pspec, Counts *counts)
{
  if (g_str_equal (pspec->name, "position"))
    counts->position++;
  else if (g_str_equal (pspec->name, "current"))
    counts->current++;
  else if (g_str_equal (pspec->name, "follows"))
    counts->follows++;
}

static void
on_items_changed (GListModel *list, guint at, guint removed, guint added, Counts *counts)
{
  counts->items_changed++;
  counts->last_at = at;
  counts->last_removed = removed;
  counts->last_added = added;
}

static CsSnapshot *
make (guint epoch, CsPhase phase)
{
  CsSnapshot *s = cs_snapshot_new (8, 2, 3, 0, TRUE);

  s->epoch = epoch;
  s->phase = phase;
  return s;
}

static void
append (CsHistoryModel *model, guint epoch, CsPhase phase)
{
  g_autoptr (CsSnapshot) s = make (epoch, phase);

  cs_history_model_append (model, s);
}

static void
test_model_cursor (void)
{
  g_autoptr (CsHistoryModel) model = cs_history_model_new (2);
  CsHistory *history = cs_history_model_get_history (model);
  Counts counts = { 0 };
  g_autoptr (CsSnapshotItem) item = NULL;

  g_signal_connect (model, "notify", G_CALLBACK (on_notify), &counts);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &counts);

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == CS_TYPE_SNAPSHOT_ITEM);
  g_assert_cmpint (cs_history_model_get_position (model), ==, -1);
  g_assert_null (cs_history_model_get_current (model));
  g_assert_true (cs_history_model_get_follows (model));
  cs_history_model_set_position (model, 3);
  g_assert_cmpint (cs_history_model_get_position (model), ==, -1);

  /* While it follows, each new epoch moves the cursor. */
  for (guint i = 0; i < 5; i++)
    {
      append (model, i + 1, i < 2 ? CS_PHASE_PRETRAIN : CS_PHASE_CLUSTER);
      g_assert_cmpint (cs_history_model_get_position (model), ==, (gint) i);
      g_assert_true (cs_history_model_get_current (model) == cs_history_get_latest (history));
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_cmpuint (counts.position, ==, 5);
  g_assert_cmpuint (counts.current, ==, 5);
  g_assert_cmpuint (counts.follows, ==, 0);
  /* The last append added item 4 after replacing item 2 by its light copy. */
  g_assert_cmpuint (counts.items_changed, ==, 5 + 3);
  g_assert_cmpuint (counts.last_at, ==, 4);
  g_assert_cmpuint (counts.last_removed, ==, 0);
  g_assert_cmpuint (counts.last_added, ==, 1);

  item = g_list_model_get_item (G_LIST_MODEL (model), 3);
  g_assert_true (cs_snapshot_item_get_snapshot (item) == cs_history_get (history, 3));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 5));

  /* Scrubbing is one change of the position, and so of the current snapshot. */
  memset (&counts, 0, sizeof counts);
  cs_history_model_set_position (model, 1);
  g_assert_cmpuint (counts.position, ==, 1);
  g_assert_cmpuint (counts.current, ==, 1);
  g_assert_cmpuint (counts.follows, ==, 1);
  g_assert_false (cs_history_model_get_follows (model));
  g_assert_true (cs_history_model_get_current (model) == cs_history_get (history, 1));
  cs_history_model_set_position (model, 1);
  g_assert_cmpuint (counts.current, ==, 1);

  /* Scrubbed back, the cursor stays where the user left it as epochs arrive. */
  memset (&counts, 0, sizeof counts);
  append (model, 6, CS_PHASE_CLUSTER);
  g_assert_cmpint (cs_history_model_get_position (model), ==, 1);
  g_assert_cmpuint (counts.current, ==, 0);
  g_assert_cmpuint (counts.position, ==, 0);

  /* Out of range is clamped; the newest epoch follows again. */
  cs_history_model_set_position (model, 99);
  g_assert_cmpint (cs_history_model_get_position (model), ==, 5);
  g_assert_true (cs_history_model_get_follows (model));
  cs_history_model_set_position (model, -7);
  g_assert_cmpint (cs_history_model_get_position (model), ==, 0);
  g_object_set (model, "position", 2, NULL);
  g_assert_cmpint (cs_history_model_get_position (model), ==, 2);

  memset (&counts, 0, sizeof counts);
  cs_history_model_clear (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpint (cs_history_model_get_position (model), ==, -1);
  g_assert_null (cs_history_model_get_current (model));
  g_assert_true (cs_history_model_get_follows (model));
  g_assert_cmpuint (counts.items_changed, ==, 1);
  g_assert_cmpuint (counts.last_removed, ==, 6);
  g_assert_cmpuint (counts.current, ==, 1);
}

/* The three views of the window and one of our own, in a window, all on one history. */
typedef struct
{
  CsHistoryModel *model;
  GtkWindow *window;
  CsScatterView *scatter;
  CsCurvesView *curves;
  CsConfusionView *confusion;
  TestCountingView *counting;
} Views;

static gboolean
drawn_at_least (TestCountingView *view, guint n)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (WAIT_SECONDS * G_USEC_PER_SEC);
  guint tick = g_timeout_add (5, wake_up, NULL);

  while (view->n_draws < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return view->n_draws >= n;
}

/* Lets a few more frames go by, so that a second, uncoalesced draw would show. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;
  guint tick = g_timeout_add (5, wake_up, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static void
test_views_follow (void)
{
  Views v = { 0 };
  GtkWidget *box;
  CsCurvesParams curves;
  CsScatterParams scatter;
  CsHistory *history;
  guint before;

  v.model = cs_history_model_new (2);
  history = cs_history_model_get_history (v.model);
  v.scatter = CS_SCATTER_VIEW (cs_scatter_view_new ());
  v.curves = CS_CURVES_VIEW (cs_curves_view_new ());
  v.confusion = CS_CONFUSION_VIEW (cs_confusion_view_new ());
  v.counting = g_object_new (TEST_TYPE_COUNTING_VIEW, "history", v.model, NULL);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (v.scatter));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (v.curves));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (v.confusion));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (v.counting));
  cs_plot_view_set_history (CS_PLOT_VIEW (v.scatter), v.model);
  g_object_set (v.curves, "history", v.model, NULL);
  cs_plot_view_set_history (CS_PLOT_VIEW (v.confusion), v.model);
  g_assert_true (cs_plot_view_get_history (CS_PLOT_VIEW (v.curves)) == v.model);

  /* The base gives every view its role and theme colours. */
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (v.scatter)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (v.counting)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (v.confusion), "plot"));

  v.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (v.window, 400, 800);
  gtk_window_set_child (v.window, box);
  gtk_window_present (v.window);
  g_assert_true (drawn_at_least (v.counting, 1));
  g_assert_null (v.counting->drawn);

  for (guint i = 0; i < 6; i++)
    append (v.model, i + 1, i < 1 ? CS_PHASE_PRETRAIN : CS_PHASE_CLUSTER);
  g_assert_true (cs_plot_view_get_snapshot (CS_PLOT_VIEW (v.scatter))
                 == cs_history_get_latest (history));
  /* Trails: the clustering epochs before the newest one. */
  g_assert_cmpuint (cs_scatter_view_get_n_trail (v.scatter), ==, 4);

  /* Scrub: one property change, and every view shows that epoch. */
  settle ();
  before = v.counting->n_draws;
  cs_history_model_set_position (v.model, 2);
  g_assert_true (cs_plot_view_get_snapshot (CS_PLOT_VIEW (v.scatter))
                 == cs_history_get (history, 2));
  g_assert_true (cs_scatter_view_get_snapshot (v.scatter) == cs_history_get (history, 2));
  g_assert_true (cs_plot_view_get_snapshot (CS_PLOT_VIEW (v.confusion))
                 == cs_history_get (history, 2));
  g_assert_true (cs_plot_view_get_snapshot (CS_PLOT_VIEW (v.curves))
                 == cs_history_get (history, 2));
  cs_curves_view_get_params (v.curves, &curves);
  g_assert_cmpint (curves.cursor, ==, 2);
  g_assert_cmpuint (curves.n, ==, 6);
  cs_scatter_view_get_params (v.scatter, &scatter);
  g_assert_true (scatter.snapshot == cs_history_get (history, 2));
  g_assert_cmpuint (scatter.n_trail, ==, 1);
  g_assert_true (scatter.trail[0] == cs_history_get (history, 1));

  /* Drawn once for the change, not once per listener or per setter. */
  g_assert_true (drawn_at_least (v.counting, before + 1));
  settle ();
  g_assert_cmpuint (v.counting->n_draws, ==, before + 1);
  g_assert_true (v.counting->drawn == cs_history_get (history, 2));

  /* A new epoch while scrubbed back does not redraw what the cursor shows. */
  before = v.counting->n_draws;
  append (v.model, 7, CS_PHASE_CLUSTER);
  settle ();
  g_assert_cmpuint (v.counting->n_draws, ==, before);
  cs_curves_view_get_params (v.curves, &curves);
  g_assert_cmpuint (curves.n, ==, 7);

  cs_history_model_clear (v.model);
  g_assert_null (cs_plot_view_get_snapshot (CS_PLOT_VIEW (v.scatter)));
  g_assert_null (cs_plot_view_get_snapshot (CS_PLOT_VIEW (v.counting)));
  g_assert_cmpuint (cs_scatter_view_get_n_trail (v.scatter), ==, 0);

  gtk_window_destroy (v.window);
  g_object_unref (v.model);
}

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add_func ("/history-model/cursor", test_model_cursor);
  g_test_add_func ("/history-model/views-follow", test_views_follow);
  return g_test_run ();
}
