/* test-window-reproject.c: old epochs drawn again in the projection in force, driven through
 * the window's actions under Xvfb.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window-reproject"

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cs-test-tree.h"
#include "cs-application.h"
#include "cs-reproject.h"
#include "cs-window-private.h"
#include "display-util.h"

#define WAIT_SECONDS 180.0

typedef struct
{
  GtkApplication *app;
  CsWindow *window;
  CsController *controller;
  CsScatterView *scatter;
  CsReprojectState want;
} Fixture;

static gboolean
state_reached (gpointer data)
{
  Fixture *f = data;

  return cs_scatter_view_get_reproject_state (f->scatter) == f->want;
}

static void
wait_state (Fixture *f, CsReprojectState state)
{
  f->want = state;
  g_assert_true (wait_for (state_reached, f, WAIT_SECONDS));
}

static void
set (Fixture *f, const char *name, GVariant *value)
{
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set", "(sv)", name, value));
}

static void
seek (Fixture *f, gint index)
{
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.timeline-seek", "i", index));
}

/* A finished run of 2 + 3 epochs made in PCA. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->window = CS_WINDOW (display_open_window (&f->app));
  f->controller = cs_window_get_controller (f->window);
  f->scatter = cs_window_get_scatter_view (f->window);
  set (f, "pretrain-epochs", g_variant_new_uint32 (2));
  set (f, "epochs", g_variant_new_uint32 (3));
  set (f, "embedding-dim", g_variant_new_uint32 (4));
  set (f, "kmeans-n-init", g_variant_new_uint32 (2));
  set (f, "seed", g_variant_new_uint64 (5));
  set (f, "projection", g_variant_new_string ("pca"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-dataset", "s",
                                             "synthetic-blobs"));
  g_assert_true (wait_for (controller_not_loading, f->controller, WAIT_SECONDS));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start", NULL));
  g_assert_true (wait_for (controller_finished, f->controller, WAIT_SECONDS));
  g_assert_cmpuint (cs_controller_get_n_history (f->controller), ==, 5);
  g_assert_cmpint (cs_scatter_view_get_reproject_state (f->scatter), ==, CS_REPROJECT_NONE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_object_unref (f->app);
}

static void
assert_same_xy (const CsSnapshot *a, const CsSnapshot *b)
{
  g_assert_cmpuint (a->n, ==, b->n);
  g_assert_cmpmem (a->xy, a->n * 2 * sizeof (float), b->xy, b->n * 2 * sizeof (float));
  g_assert_cmpmem (a->centroids_xy, a->k * 2 * sizeof (float), b->centroids_xy,
                   b->k * 2 * sizeof (float));
}

/* The labelled CSV's x and y are the frame's: exported alone ("labels"), or in a run folder
 * ("run"), whose config.json then names the frame's projection. */
static void
assert_csv_xy (Fixture *f, const CsSnapshot *frame, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-reproject-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_no_error (error);
  g_assert_true (
      cs_window_export_to (f->window, what, g_str_equal (what, "run") ? dir : path, &error));
  g_assert_no_error (error);
  if (g_str_equal (what, "run"))
    {
      g_autofree char *config_path = g_build_filename (dir, "config.json", NULL);
      g_autofree char *config = NULL;

      g_assert_true (g_file_get_contents (config_path, &config, NULL, &error));
      g_assert_nonnull (strstr (config, "\"lda\""));
      g_assert_null (strstr (config, "\"pca\""));
    }
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "id,label,cluster,confidence,x,y"));
  /* A frame of an epoch that has its codes keeps them. */
  g_assert_true ((strstr (lines[0], ",z_0") != NULL) == (frame->codes != NULL));
  for (gsize i = 0; i < frame->n; i += 97)
    {
      g_auto (GStrv) cols = g_strsplit (lines[i + 1], ",", -1);

      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cols[4], NULL), frame->xy[2 * i], 1e-5);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (cols[5], NULL), frame->xy[2 * i + 1], 1e-5);
    }
  cs_test_remove_tree (dir);
}

/* Trained in PCA, switched to LDA after the run: the newest epoch is re-projected from its
 * codes, an early one from its checkpoint, each equal to what the engine computes, with the
 * old picture labelled as such meanwhile; scrubbing back is instant. */
static void
test_lda (Fixture *f, gconstpointer data)
{
  CsDataset *ds = cs_controller_get_dataset (f->controller);
  CsSnapshot *latest = cs_controller_get_latest (f->controller);
  CsSnapshot *first = cs_controller_get_snapshot (f->controller, 0);
  CsSnapshot *shown;
  CsScatterParams params;
  CsReprojectOptions options;
  g_autoptr (CsReprojection) want_latest = NULL, want_first = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-reproject-XXXXXX", &error);
  g_autofree char *gif_pca = g_build_filename (dir, "pca.gif", NULL);
  g_autofree char *gif_lda = g_build_filename (dir, "lda.gif", NULL);
  g_autofree char *bytes_pca = NULL, *bytes_lda = NULL;
  gsize len_pca, len_lda;

  g_assert_true (cs_window_export_to (f->window, "animation", gif_pca, &error));
  g_assert_no_error (error);
  /* Zoomed in PCA: the zoom holds while the PCA picture is shown, and the LDA frame is fitted. */
  cs_scatter_view_zoom (f->scatter, 2.0);
  g_assert_true (cs_scatter_view_get_viewport (f->scatter, NULL));
  set (f, "projection", g_variant_new_string ("lda"));
  g_assert_true (cs_scatter_view_get_viewport (f->scatter, NULL));
  /* Never the old picture passed off as the new projection. */
  g_assert_cmpint (cs_scatter_view_get_reproject_state (f->scatter), ==, CS_REPROJECT_WORKING);
  g_assert_true (cs_scatter_view_get_snapshot (f->scatter) == latest);
  g_assert_true (latest->settings.projection == CS_PROJECTION_PCA);

  wait_state (f, CS_REPROJECT_READY);
  g_assert_false (cs_scatter_view_get_viewport (f->scatter, NULL));
  shown = cs_scatter_view_get_snapshot (f->scatter);
  g_assert_true (shown != latest);
  g_assert_true (shown->settings.projection == CS_PROJECTION_LDA);
  g_assert_cmpuint (shown->epoch, ==, latest->epoch);
  cs_reproject_options_init (&options, CS_PROJECTION_LDA);
  want_latest = cs_reproject (latest, latest->codes, latest->m, &options, NULL, &error);
  g_assert_no_error (error);
  assert_same_xy (shown, want_latest->snapshot);
  /* The trail behind it is in LDA too. */
  cs_scatter_view_get_params (f->scatter, &params);
  g_assert_cmpuint (params.n_trail, >, 0);
  for (guint t = 0; t < params.n_trail; t++)
    g_assert_true (params.trail[t]->settings.projection == CS_PROJECTION_LDA);
  assert_csv_xy (f, shown, "labels");
  assert_csv_xy (f, shown, "run");

  /* Epoch 1 has no codes left: from its checkpoint, aligned with the frame next to it. */
  g_assert_null (first->codes);
  seek (f, 0);
  g_assert_cmpint (cs_scatter_view_get_reproject_state (f->scatter), ==, CS_REPROJECT_WORKING);
  g_assert_true (cs_scatter_view_get_snapshot (f->scatter) == first);
  wait_state (f, CS_REPROJECT_READY);
  shown = cs_scatter_view_get_snapshot (f->scatter);
  g_assert_true (shown->settings.projection == CS_PROJECTION_LDA);
  g_assert_cmpuint (shown->epoch, ==, 1);
  g_assert_true (memcmp (shown->xy, first->xy, first->n * 2 * sizeof (float)) != 0);
  path = cs_controller_lookup_checkpoint (f->controller, 1, TRUE);
  g_assert_nonnull (path);
  options.align_to = want_latest->basis;
  want_first = cs_reproject_checkpoint (ds, path, first, &options, NULL, &error);
  g_assert_no_error (error);
  assert_same_xy (shown, want_first->snapshot);
  assert_csv_xy (f, shown, "labels");

  /* Back and forth: both frames are kept. */
  seek (f, 4);
  g_assert_cmpint (cs_scatter_view_get_reproject_state (f->scatter), ==, CS_REPROJECT_READY);
  seek (f, 0);
  g_assert_cmpint (cs_scatter_view_get_reproject_state (f->scatter), ==, CS_REPROJECT_READY);
  g_assert_true (cs_scatter_view_get_snapshot (f->scatter) == shown);

  /* The animation's frames are re-projected too (on its worker, from the checkpoints). */
  g_assert_true (cs_window_export_to (f->window, "animation", gif_lda, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (gif_pca, &bytes_pca, &len_pca, NULL));
  g_assert_true (g_file_get_contents (gif_lda, &bytes_lda, &len_lda, NULL));
  g_assert_true (len_pca != len_lda || memcmp (bytes_pca, bytes_lda, len_pca) != 0);
  cs_test_remove_tree (dir);

  /* PCA again: every epoch as it was drawn. */
  set (f, "projection", g_variant_new_string ("pca"));
  g_assert_cmpint (cs_scatter_view_get_reproject_state (f->scatter), ==, CS_REPROJECT_NONE);
  g_assert_true (cs_scatter_view_get_snapshot (f->scatter) == first);
}

/* An epoch whose checkpoint the cache no longer has says so, and shows as it was drawn. */
static void
test_missing (Fixture *f, gconstpointer data)
{
  CsSnapshot *first = cs_controller_get_snapshot (f->controller, 0);
  char *path;

  while ((path = cs_controller_lookup_checkpoint (f->controller, 1, TRUE)) != NULL)
    {
      g_assert_cmpint (g_unlink (path), ==, 0);
      g_free (path);
    }
  seek (f, 0);
  set (f, "projection", g_variant_new_string ("lda"));
  wait_state (f, CS_REPROJECT_MISSING);
  g_assert_true (cs_scatter_view_get_snapshot (f->scatter) == first);
  g_assert_nonnull (cs_reprojector_get_error (cs_controller_get_reprojector (f->controller)));
  /* Another epoch still can. */
  seek (f, 1);
  wait_state (f, CS_REPROJECT_READY);
}

/* Scrubbing on cancels the work for the epoch left behind. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  CsReprojector *reprojector = cs_controller_get_reprojector (f->controller);
  CsSnapshot *first = cs_controller_get_snapshot (f->controller, 0);
  CsReprojectState state;
  CsSnapshot *shown;
  gint64 until;

  seek (f, 0);
  set (f, "projection", g_variant_new_string ("tsne"));
  /* Long enough for the work on epoch 1 to begin. */
  until = g_get_monotonic_time () + 150 * 1000;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  seek (f, 2);
  wait_state (f, CS_REPROJECT_READY);
  shown = cs_scatter_view_get_snapshot (f->scatter);
  g_assert_cmpuint (shown->epoch, ==, 3);
  g_assert_true (shown->settings.projection == CS_PROJECTION_TSNE);
  g_assert_null (cs_reprojector_lookup (reprojector, first, &state, NULL, NULL));
  g_assert_cmpint (state, ==, CS_REPROJECT_WORKING);
}

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add ("/window/reproject/lda", Fixture, NULL, fixture_set_up, test_lda, fixture_tear_down);
  g_test_add ("/window/reproject/missing", Fixture, NULL, fixture_set_up, test_missing,
              fixture_tear_down);
  g_test_add ("/window/reproject/cancel", Fixture, NULL, fixture_set_up, test_cancel,
              fixture_tear_down);
  return g_test_run ();
}
