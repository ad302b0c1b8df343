/* cs-window-compare.c: another run beside this one: its scores on the curves, its epoch in a
 * second scatter with the colours of the clusters it matches.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-window-private.h"

/* The comparison's epoch to show beside epoch: the latest with points at or before it, or the
 * first with points (a saved run has them for its last epoch only); -1 when none has. */
static gint
compare_index_for_epoch (CsHistory *history, guint epoch)
{
  guint n;
  CsSnapshot *const *snaps = cs_history_peek (history, &n);
  gint first = -1, best = -1;

  for (guint i = 0; i < n; i++)
    {
      if (snaps[i]->n == 0)
        continue;
      if (first < 0)
        first = (gint) i;
      if (snaps[i]->epoch <= epoch)
        best = (gint) i;
    }
  return best >= 0 ? best : first;
}

static gboolean
comparison_has_points (CsWindow *self)
{
  return self->compare_history != NULL
         && compare_index_for_epoch (cs_history_model_get_history (self->compare_history),
                                     G_MAXUINT)
                >= 0;
}

static gboolean
side_by_side_wanted (CsWindow *self)
{
  g_autoptr (GVariant) state = g_action_get_state (G_ACTION (self->side_by_side_action));

  return g_variant_get_boolean (state);
}

/* The run's name above its scatter (the scatter's header gives the epoch). */
static char *
run_title (const CsSnapshot *snapshot, const char *name)
{
  if (name != NULL)
    return g_strdup (name);
  /* Translators: a run shown beside another: its algorithm and seed */
  return g_strdup_printf (_ ("%s, seed %llu"),
                          cs_algorithm_to_string (snapshot->settings.algorithm),
                          (unsigned long long) snapshot->settings.seed);
}

void
cs_window_compare_sync (CsWindow *self)
{
  CsHistoryModel *main_history = cs_plot_view_get_history (CS_PLOT_VIEW (self->scatter_view));
  CsSnapshot *shown = main_history != NULL ? cs_history_model_get_current (main_history) : NULL;
  CsSnapshot *other;
  gboolean has_points = comparison_has_points (self);
  gboolean visible = has_points && side_by_side_wanted (self);
  g_autofree guint *colors = NULL, *other_colors = NULL;
  g_autofree char *title = NULL, *other_title = NULL;
  guint palette_k = 0;

  if (self->side_by_side_action == NULL || self->compare_scatter_view == NULL)
    return;
  g_simple_action_set_enabled (self->side_by_side_action, has_points);
  gtk_widget_set_visible (self->side_by_side_button, has_points);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_scatter_view), visible);
  if (!visible)
    {
      cs_scatter_view_set_cluster_colors (self->scatter_view, NULL, 0, 0);
      cs_scatter_view_set_title (self->scatter_view, NULL);
      return;
    }

  cs_history_model_set_position (
      self->compare_history,
      compare_index_for_epoch (cs_history_model_get_history (self->compare_history),
                               shown != NULL ? shown->epoch : G_MAXUINT));
  other = cs_history_model_get_current (self->compare_history);
  if (shown != NULL && other != NULL)
    {
      colors = g_new (guint, shown->k);
      other_colors = g_new (guint, other->k);
      if (!cs_plot_scatter_match_colors (shown, other, colors, other_colors, &palette_k))
        g_clear_pointer (&other_colors, g_free);
    }
  /* This run keeps its colours; only a wider palette (the other has more clusters) changes them. */
  cs_scatter_view_set_cluster_colors (self->scatter_view,
                                      other_colors != NULL && palette_k != shown->k ? colors : NULL,
                                      shown != NULL ? shown->k : 0, palette_k);
  cs_scatter_view_set_cluster_colors (self->compare_scatter_view, other_colors,
                                      other != NULL ? other->k : 0, palette_k);
  if (shown != NULL)
    title = run_title (shown, NULL);
  if (other != NULL)
    other_title = run_title (other, self->compare_name);
  cs_scatter_view_set_title (self->scatter_view, title);
  cs_scatter_view_set_title (self->compare_scatter_view, other_title);
}

void
cs_window_set_comparison (CsWindow *self, CsHistory *history, const char *name)
{
  gboolean had_points = comparison_has_points (self);

  g_clear_object (&self->compare_history);
  g_clear_pointer (&self->compare_name, g_free);
  cs_curves_view_set_comparison (self->curves_view, history, name);
  if (history != NULL)
    {
      guint n;
      CsSnapshot *const *snaps = cs_history_peek (history, &n);

      /* Every epoch kept as it is: nothing is copied. */
      self->compare_history = cs_history_model_new (G_MAXUINT);
      for (guint i = 0; i < n; i++)
        cs_history_model_append (self->compare_history, snaps[i]);
      self->compare_name = g_strdup (name);
    }
  cs_plot_view_set_history (CS_PLOT_VIEW (self->compare_scatter_view), self->compare_history);
  /* A new comparison with points shows them at once. */
  if (!had_points && comparison_has_points (self))
    g_simple_action_set_state (self->side_by_side_action, g_variant_new_boolean (TRUE));
  cs_window_compare_sync (self);
  cs_window_update_actions (self);
}

gboolean
cs_window_has_comparison (CsWindow *self)
{
  return self->compare_history != NULL;
}

gboolean
cs_window_get_side_by_side (CsWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->compare_scatter_view));
}

static void
on_side_by_side (GSimpleAction *action, GVariant *state, CsWindow *self)
{
  g_simple_action_set_state (action, state);
  cs_window_compare_sync (self);
}

void
cs_window_compare_init (CsWindow *self)
{
  self->side_by_side_action
      = g_simple_action_new_stateful ("side-by-side", NULL, g_variant_new_boolean (FALSE));
  g_signal_connect (self->side_by_side_action, "change-state", G_CALLBACK (on_side_by_side), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (self->side_by_side_action));
  cs_window_compare_sync (self);
}

void
cs_window_compare_dispose (CsWindow *self)
{
  g_clear_object (&self->compare_history);
  g_clear_pointer (&self->compare_name, g_free);
  g_clear_object (&self->side_by_side_action);
}
