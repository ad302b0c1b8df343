/* test-window-select.c: selecting with real pointer input. xdotool moves the X pointer and
 * presses its buttons and keys as a person would, and the window's gestures take it from
 * there: a lasso dragged over the scatter, a confusion-matrix cell and a legend entry
 * clicked with and without Shift / Ctrl, a point hovered, Escape and Ctrl+A.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window-select"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-application.h"
#include "cs-window-private.h"
#include "display-util.h"

/* gtk.h says which backends this GTK has. */
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#define WAIT_SECONDS 120.0

typedef struct
{
  GtkApplication *app;
  CsWindow *window;
  CsController *controller;
  int origin_x, origin_y; /* the window's widget origin on the X screen */
  unsigned long xid;      /* the window's X window */
  guint64 count;          /* a selection count to wait for */
} Fixture;

static void
count_notify (guint *count)
{
  (*count)++;
}

static gboolean
views_shown (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_mapped (GTK_WIDGET (f->window->scatter_view))
         && gtk_widget_get_width (GTK_WIDGET (f->window->scatter_view)) > 300
         && gtk_widget_get_mapped (GTK_WIDGET (f->window->confusion_view));
}

static gboolean
count_changed (gpointer data)
{
  Fixture *f = data;

  return cs_selection_get_count (f->window->selection) != f->count;
}

/* Lets the main loop take what the X server sent for a while. */
static void
pump (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

/* Runs xdotool with the arguments, then gives the window time to see the events. */
static void
xdotool (const char *args)
{
  g_autofree char *command = g_strdup_printf ("xdotool %s", args);
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  pump (0.04);
}

/* The screen position of the window's widget origin: the X window's position from xdotool,
 * plus where the widgets start in the surface (the client-side shadow). */
static gboolean
find_origin (Fixture *f)
{
#ifdef GDK_WINDOWING_X11
  GtkNative *native = GTK_NATIVE (f->window);
  GdkSurface *surface = gtk_native_get_surface (native);
  g_autofree char *command = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  double sx = 0, sy = 0;
  int x = -1, y = -1;

  if (!GDK_IS_X11_SURFACE (surface))
    return FALSE;
  f->xid = (unsigned long) gdk_x11_surface_get_xid (surface);
  command = g_strdup_printf ("xdotool getwindowgeometry --shell %lu", f->xid);
  g_assert_true (g_spawn_command_line_sync (command, &out, NULL, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "X="))
        x = atoi (lines[i] + 2);
      else if (g_str_has_prefix (lines[i], "Y="))
        y = atoi (lines[i] + 2);
    }
  gtk_native_get_surface_transform (native, &sx, &sy);
  f->origin_x = x + (int) lround (sx);
  f->origin_y = y + (int) lround (sy);
  g_test_message ("window at %d, %d; widgets from %d, %d", x, y, f->origin_x, f->origin_y);
  return x >= 0 && y >= 0;
#else
  return FALSE;
#endif
}

/* Widget pixel (x, y) of widget -> screen pixel, whole. */
static void
to_screen (Fixture *f, GtkWidget *widget, double x, double y, int *sx, int *sy)
{
  graphene_point_t p;

  g_assert_true (
      gtk_widget_compute_point (widget, GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (x, y), &p));
  *sx = f->origin_x + (int) lround (p.x);
  *sy = f->origin_y + (int) lround (p.y);
}

static void
move_to (Fixture *f, GtkWidget *widget, double x, double y)
{
  g_autofree char *args = NULL;
  int sx, sy;

  to_screen (f, widget, x, y, &sx, &sy);
  args = g_strdup_printf ("mousemove %d %d", sx, sy);
  xdotool (args);
}

/* Clicks at widget pixel (x, y) with modifiers ("shift", "ctrl" or NULL) held, and waits for
 * the selection to change. */
static void
click_at (Fixture *f, GtkWidget *widget, double x, double y, const char *modifier)
{
  g_autofree char *args = NULL;

  move_to (f, widget, x, y);
  f->count = cs_selection_get_count (f->window->selection);
  if (modifier != NULL)
    args = g_strdup_printf ("keydown %s click 1 keyup %s", modifier, modifier);
  else
    args = g_strdup ("click 1");
  xdotool (args);
  g_assert_true (wait_for (count_changed, f, 5));
}

static void
fixture_set_up (Fixture *f)
{
  const struct
  {
    const char *name;
    guint value;
  } settings[] = { { "pretrain-epochs", 1 },
                   { "epochs", 2 },
                   { "embedding-dim", 4 },
                   { "kmeans-n-init", 2 },
                   { "seed", 5 } };

  f->window = CS_WINDOW (display_open_window (&f->app));
  f->controller = cs_window_get_controller (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set", "(sv)",
                                               settings[i].name,
                                               g_variant_new_uint32 (settings[i].value)));
  /* The glyphs are images: the gallery shows thumbnails. */
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-dataset", "s", "synthetic"));
  g_assert_true (wait_for (controller_not_loading, f->controller, WAIT_SECONDS));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start", NULL));
  g_assert_true (wait_for (controller_finished, f->controller, WAIT_SECONDS));
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (wait_for (views_shown, f, 10));
  pump (0.3);
}

static void
fixture_tear_down (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_object_unref (f->app);
}

/* The gallery lists exactly the selected points, in index order. */
static void
assert_gallery_matches (Fixture *f)
{
  GListModel *model = cs_gallery_get_model (f->window->gallery);
  const guint8 *mask = cs_selection_get_mask (f->window->selection);
  guint n = g_list_model_get_n_items (model), j = 0;

  g_assert_cmpstr (cs_gallery_get_mode (f->window->gallery), ==, "selection");
  g_assert_cmpuint (n, ==, cs_selection_get_count (f->window->selection));
  for (gsize i = 0; i < cs_selection_get_size (f->window->selection) && n > 0; i++)
    if (mask[i])
      {
        g_autoptr (GObject) item = g_list_model_get_item (model, j++);

        g_assert_cmpuint (cs_gallery_item_get_index (item), ==, i);
      }
  g_assert_cmpuint (j, ==, n);
}

/* Where in widget the hit function answers target: the middle of the pixels that give it. */
typedef gboolean (*HitFunc) (Fixture *f, double x, double y, guint target);

static gboolean
find_pixel (Fixture *f, GtkWidget *widget, HitFunc hit, guint target, double *x, double *y)
{
  double sx = 0, sy = 0;
  guint n = 0;

  for (int py = 0; py < gtk_widget_get_height (widget); py += 4)
    for (int px = 0; px < gtk_widget_get_width (widget); px += 4)
      if (hit (f, px, py, target))
        sx += px, sy += py, n++;
  if (n == 0)
    return FALSE;
  *x = sx / n;
  *y = sy / n;
  return TRUE;
}

static gboolean
cell_hit (Fixture *f, double x, double y, guint target)
{
  GtkWidget *view = GTK_WIDGET (f->window->confusion_view);
  CsConfusionParams params;
  guint klass, cluster;

  cs_confusion_view_get_params (f->window->confusion_view, &params);
  return cs_plot_confusion_hit (gtk_widget_get_width (view), gtk_widget_get_height (view),
                                cs_plot_view_get_style (CS_PLOT_VIEW (view)), &params, x, y, &klass,
                                &cluster)
         && klass * params.snapshot->k + cluster == target;
}

static gboolean
legend_hit (Fixture *f, double x, double y, guint target)
{
  GtkWidget *view = GTK_WIDGET (f->window->scatter_view);
  CsScatterParams params;

  cs_scatter_view_get_params (f->window->scatter_view, &params);
  return cs_plot_scatter_legend_hit (gtk_widget_get_width (view), gtk_widget_get_height (view),
                                     cs_plot_view_get_style (CS_PLOT_VIEW (view)), &params, x, y)
         == (gint) target;
}

/* A lasso dragged with the lasso tool over the lower left quarter of the plot area selects
 * the points inside it, no more and no fewer, and the gallery lists them. */
static void
test_lasso (Fixture *f)
{
  GtkWidget *scatter = GTK_WIDGET (f->window->scatter_view);
  double width = gtk_widget_get_width (scatter), height = gtk_widget_get_height (scatter);
  CsScatterParams params;
  double ax, ay, aw, ah, polygon[2 * 9];
  g_autofree guint8 *expected = NULL;
  gsize n_expected;
  const guint8 *mask;
  int sx, sy;

  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-tool", "s", "lasso"));
  g_assert_cmpint (cs_scatter_view_get_select_tool (f->window->scatter_view), ==,
                   CS_SELECT_TOOL_LASSO);

  /* An octagon-ish loop (whole pixels) over the middle of the plot area. */
  cs_scatter_view_get_params (f->window->scatter_view, &params);
  cs_plot_scatter_area (width, height, &params, &ax, &ay, &aw, &ah);
  for (guint v = 0; v < 9; v++)
    {
      double angle = 2 * G_PI * v / 9;

      polygon[2 * v] = round (ax + aw * (0.5 + 0.35 * cos (angle)));
      polygon[2 * v + 1] = round (ay + ah * (0.5 + 0.3 * sin (angle)));
    }
  expected = g_malloc (params.snapshot->n);
  n_expected = cs_plot_scatter_select_polygon (width, height, &params, polygon, 9, expected);
  g_test_message ("points inside the lasso: %zu of %zu", n_expected, params.snapshot->n);
  g_assert_cmpuint (n_expected, >, 0);
  g_assert_cmpuint (n_expected, <, params.snapshot->n);

  f->count = 0;
  to_screen (f, scatter, polygon[0], polygon[1], &sx, &sy);
  {
    g_autofree char *args = g_strdup_printf ("mousemove %d %d mousedown 1", sx, sy);

    xdotool (args);
  }
  for (guint v = 1; v < 9; v++)
    move_to (f, scatter, polygon[2 * v], polygon[2 * v + 1]);
  xdotool ("mouseup 1");
  g_assert_true (wait_for (count_changed, f, 5));

  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, n_expected);
  mask = cs_selection_get_mask (f->window->selection);
  for (gsize i = 0; i < params.snapshot->n; i++)
    g_assert_cmpuint (mask[i] != 0, ==, expected[i]);
  assert_gallery_matches (f);
  /* The gallery came forward to show them; the scatter draws them emphasised. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->side_stack), ==, "gallery");
  cs_scatter_view_get_params (f->window->scatter_view, &params);
  g_assert_true (params.selected == mask);

  /* Escape in the middle of a lasso drops it: the selection stays as it was. */
  to_screen (f, scatter, polygon[0], polygon[1], &sx, &sy);
  {
    g_autofree char *args
        = g_strdup_printf ("windowfocus --sync %lu mousemove %d %d mousedown 1", f->xid, sx, sy);

    xdotool (args);
  }
  for (guint v = 1; v < 5; v++)
    move_to (f, scatter, polygon[2 * v], polygon[2 * v + 1]);
  xdotool ("key Escape");
  /* The pointer goes on moving before it is released: the dropped drag does not pan either. */
  for (guint v = 5; v < 9; v++)
    move_to (f, scatter, polygon[2 * v], polygon[2 * v + 1]);
  xdotool ("mouseup 1");
  pump (0.2);
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, n_expected);
  for (gsize i = 0; i < params.snapshot->n; i++)
    g_assert_cmpuint (mask[i] != 0, ==, expected[i]);

  /* Panning is back once the tool is off: a drag moves the view and selects nothing. */
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-tool", "s", "lasso"));
  g_assert_cmpint (cs_scatter_view_get_select_tool (f->window->scatter_view), ==,
                   CS_SELECT_TOOL_NONE);
  g_assert_false (cs_scatter_view_get_viewport (f->window->scatter_view, NULL));
  to_screen (f, scatter, ax + aw / 2, ay + ah / 2, &sx, &sy);
  {
    g_autofree char *args = g_strdup_printf ("mousemove %d %d mousedown 1", sx, sy);

    xdotool (args);
  }
  for (guint step = 1; step <= 4; step++)
    move_to (f, scatter, ax + aw / 2 + 15 * step, ay + ah / 2 + 10 * step);
  xdotool ("mouseup 1");
  pump (0.1);
  g_assert_true (cs_scatter_view_get_viewport (f->window->scatter_view, NULL));
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, n_expected);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.zoom-fit", NULL));

  /* The selection stays when the timeline moves: the same points, another epoch. */
  cs_window_set_timeline_index (f->window, 0);
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, n_expected);
  cs_scatter_view_get_params (f->window->scatter_view, &params);
  g_assert_true (params.selected == mask);
  g_assert_cmpuint (g_list_model_get_n_items (cs_gallery_get_model (f->window->gallery)), ==,
                    n_expected);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.timeline-latest", NULL));
  pump (0.2);
}

/* A confusion-matrix cell selects its (class, cluster) points; Shift adds a second cell, Ctrl
 * takes the first away again. */
static void
test_confusion_cells (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (f->window->confusion_view);
  CsSnapshot *shown = cs_scatter_view_get_snapshot (f->window->scatter_view);
  CsDataset *dataset = cs_controller_get_dataset (f->controller);
  guint k = shown->k, first = 0, second = 0;
  gint64 best = -1, next = -1;
  const guint8 *mask;
  double x = 0, y = 0;

  /* The two fullest cells. */
  for (guint c = 0; c < shown->n_classes * k; c++)
    if (shown->contingency[c] > best)
      next = best, second = first, best = shown->contingency[c], first = c;
    else if (shown->contingency[c] > next)
      next = shown->contingency[c], second = c;
  g_assert_cmpint (next, >, 0);

  g_assert_true (find_pixel (f, view, cell_hit, first, &x, &y));
  click_at (f, view, x, y, NULL);
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, best);
  mask = cs_selection_get_mask (f->window->selection);
  for (gsize i = 0; i < shown->n; i++)
    g_assert_cmpuint (mask[i] != 0, ==,
                      (guint) dataset->labels[i] == first / k && shown->clusters[i] == first % k);
  assert_gallery_matches (f);

  g_assert_true (find_pixel (f, view, cell_hit, second, &x, &y));
  click_at (f, view, x, y, "shift");
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, best + next);

  g_assert_true (find_pixel (f, view, cell_hit, first, &x, &y));
  click_at (f, view, x, y, "ctrl");
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, next);
  assert_gallery_matches (f);
}

/* A legend entry selects its cluster. */
static void
test_legend (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (f->window->scatter_view);
  CsSnapshot *shown = cs_scatter_view_get_snapshot (f->window->scatter_view);
  double x = 0, y = 0;

  g_assert_true (find_pixel (f, view, legend_hit, 1, &x, &y));
  click_at (f, view, x, y, NULL);
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, shown->cluster_sizes[1]);
  for (gsize i = 0; i < shown->n; i++)
    g_assert_cmpuint (cs_selection_contains (f->window->selection, i), ==, shown->clusters[i] == 1);
  assert_gallery_matches (f);
}

/* Hovering a point rings it. */
static void
test_hover (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (f->window->scatter_view);
  CsSnapshot *shown = cs_scatter_view_get_snapshot (f->window->scatter_view);
  CsScatterParams params;
  double ax, ay, aw, ah, px = 0, py = 0;
  gssize target = -1, ringed;

  cs_scatter_view_get_params (f->window->scatter_view, &params);
  cs_plot_scatter_area (gtk_widget_get_width (view), gtk_widget_get_height (view), &params, &ax,
                        &ay, &aw, &ah);
  /* The first point well inside the plot area. */
  for (gsize i = 0; i < shown->n && target < 0; i++)
    {
      cs_plot_scatter_data_to_pixel (gtk_widget_get_width (view), gtk_widget_get_height (view),
                                     &params, shown->xy[2 * i], shown->xy[2 * i + 1], &px, &py);
      if (px > ax + 10 && px < ax + aw - 10 && py > ay + 10 && py < ay + ah - 10)
        target = (gssize) i;
    }
  g_assert_cmpint (target, >=, 0);
  move_to (f, view, round (px), round (py));
  pump (0.1);
  ringed = cs_scatter_view_get_highlight (f->window->scatter_view);
  g_assert_cmpint (ringed, >=, 0);
  /* The nearest point to the pointer: the one aimed at or one drawn within a pixel of it. */
  {
    double rx, ry;

    cs_plot_scatter_data_to_pixel (gtk_widget_get_width (view), gtk_widget_get_height (view),
                                   &params, shown->xy[2 * ringed], shown->xy[2 * ringed + 1], &rx,
                                   &ry);
    g_assert_cmpfloat (hypot (rx - round (px), ry - round (py)), <=,
                       hypot (px - round (px), py - round (py)) + 1e-6);
  }
}

/* Ctrl+A selects every point, Escape clears; the gallery follows, and shows each cluster's
 * central members when asked. The selection exports as the labelled CSV's rows. */
static void
test_keys_and_export (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (f->window->scatter_view);
  CsSnapshot *shown = cs_scatter_view_get_snapshot (f->window->scatter_view);
  g_autofree char *dir = g_dir_make_tmp ("cs-select-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "selection.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint64 count = cs_selection_get_count (f->window->selection);

  g_assert_cmpuint (count, >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-to", "(ss)",
                                             "selection", path));
  while (cs_window_get_n_exports_pending (f->window) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "id,label,cluster,confidence,x,y"));
  g_assert_cmpuint (g_strv_length (lines), ==, count + 1);
  g_assert_true (
      cs_selection_contains (f->window->selection, g_ascii_strtoull (lines[1], NULL, 10)));
  g_unlink (path);
  g_rmdir (dir);

  /* Keys go to the window with the X input focus (there is no window manager to give it). */
  {
    g_autofree char *args = g_strdup_printf ("windowfocus --sync %lu", f->xid);

    xdotool (args);
  }
  move_to (f, view, 40, 40);
  f->count = count;
  xdotool ("key Escape");
  g_assert_true (wait_for (count_changed, f, 5));
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (cs_gallery_get_model (f->window->gallery)), ==, 0);

  f->count = 0;
  xdotool ("key ctrl+a");
  g_assert_true (wait_for (count_changed, f, 5));
  g_assert_cmpuint (cs_selection_get_count (f->window->selection), ==, shown->n);
  assert_gallery_matches (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-none", NULL));
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f->window->gallery), "gallery.mode", "s", "central"));
  g_assert_cmpuint (g_list_model_get_n_items (cs_gallery_get_model (f->window->gallery)), ==,
                    shown->k * CS_GALLERY_PER_CLUSTER);

  /* The ambiguous ones: per cluster, none of the others is less confident. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window->gallery), "gallery.mode", "s",
                                             "ambiguous"));
  {
    GListModel *model = cs_gallery_get_model (f->window->gallery);
    guint n = g_list_model_get_n_items (model);
    g_autofree float *worst_listed = g_new0 (float, shown->k);
    g_autofree guint8 *listed = g_malloc0 (shown->n);

    g_assert_cmpuint (n, ==, shown->k * CS_GALLERY_PER_CLUSTER);
    for (guint j = 0; j < n; j++)
      {
        g_autoptr (GObject) item = g_list_model_get_item (model, j);
        guint i = cs_gallery_item_get_index (item);

        listed[i] = 1;
        worst_listed[shown->clusters[i]]
            = MAX (worst_listed[shown->clusters[i]], shown->confidence[i]);
      }
    for (gsize i = 0; i < shown->n; i++)
      if (!listed[i])
        g_assert_cmpfloat (shown->confidence[i], >=, worst_listed[shown->clusters[i]]);
  }
}

/* Replace, add (Shift) and remove (Ctrl); counts and notifications follow. */
static void
test_modes (void)
{
  g_autoptr (CsSelection) selection = cs_selection_new ();
  const guint8 a[6] = { 1, 1, 0, 0, 1, 0 }, b[6] = { 0, 1, 1, 0, 0, 0 };
  guint notified = 0;
  g_autoptr (GArray) indexes = NULL;

  g_signal_connect_swapped (selection, "notify::count", G_CALLBACK (count_notify), &notified);
  g_assert_cmpint (cs_select_mode_from_state (0), ==, CS_SELECT_REPLACE);
  g_assert_cmpint (cs_select_mode_from_state (GDK_SHIFT_MASK), ==, CS_SELECT_ADD);
  g_assert_cmpint (cs_select_mode_from_state (GDK_CONTROL_MASK), ==, CS_SELECT_REMOVE);

  cs_selection_reset (selection, 6);
  g_assert_cmpuint (cs_selection_get_count (selection), ==, 0);
  cs_selection_apply (selection, a, CS_SELECT_REPLACE);
  g_assert_cmpuint (cs_selection_get_count (selection), ==, 3);
  cs_selection_apply (selection, b, CS_SELECT_ADD);
  g_assert_cmpuint (cs_selection_get_count (selection), ==, 4);
  cs_selection_apply (selection, a, CS_SELECT_REMOVE);
  g_assert_cmpuint (cs_selection_get_count (selection), ==, 1);
  g_assert_true (cs_selection_contains (selection, 2));
  g_assert_false (cs_selection_contains (selection, 1));
  g_assert_false (cs_selection_contains (selection, 99));
  cs_selection_apply (selection, b, CS_SELECT_REPLACE);
  indexes = cs_selection_dup_indexes (selection);
  g_assert_cmpuint (indexes->len, ==, 2);
  g_assert_cmpuint (g_array_index (indexes, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (indexes, guint, 1), ==, 2);
  cs_selection_select_all (selection);
  g_assert_cmpuint (cs_selection_get_count (selection), ==, 6);
  cs_selection_clear (selection);
  g_assert_cmpuint (cs_selection_get_count (selection), ==, 0);
  g_assert_cmpuint (notified, ==, 6); /* every change of the count, and only those */
  cs_selection_reset (selection, 0);
  g_assert_null (cs_selection_get_mask (selection));
}

static void
test_select (void)
{
  Fixture f = { 0 };

  fixture_set_up (&f);
  if (!find_origin (&f))
    {
      fixture_tear_down (&f);
      g_test_skip ("Not an X11 display: xdotool cannot drive it");
      return;
    }
  test_lasso (&f);
  test_confusion_cells (&f);
  test_legend (&f);
  test_hover (&f);
  test_keys_and_export (&f);
  fixture_tear_down (&f);
}

int
main (int argc, char *argv[])
{
  g_autofree char *program = NULL;

  if (!display_test_init (&argc, &argv))
    return 77;
  program = g_find_program_in_path ("xdotool");
  if (program == NULL)
    {
      g_printerr ("xdotool is not installed.\n");
      return 77;
    }
  g_test_add_func ("/select/modes", test_modes);
  g_test_add_func ("/select/pointer", test_select);
  return g_test_run ();
}
