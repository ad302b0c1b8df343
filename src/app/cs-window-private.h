/* cs-window-private.h: what cs-window.c and cs-window-actions.c share.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-gallery.h"
#include "cs-selection.h"
#include "cs-window.h"

G_BEGIN_DECLS

struct _CsWindow
{
  AdwApplicationWindow parent_instance;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  AdwHeaderBar *header_bar;
  AdwWindowTitle *window_title;
  GtkProgressBar *progress_bar;
  AdwButtonContent *start_content;
  GtkButton *pause_button;
  GtkMenuButton *export_button;
  GtkMenuButton *menu_button;
  AdwFlap *flap;
  CsControls *controls;
  CsScatterView *scatter_view;
  CsScatterView *compare_scatter_view;
  GtkWidget *side_by_side_button;
  CsCurvesView *curves_view;
  CsConfusionView *confusion_view;
  GtkWidget *color_by_box;
  GtkWidget *color_by_label_button;
  GtkScale *timeline_scale;
  GtkAdjustment *timeline_adjustment;
  GtkLabel *timeline_label;
  GtkRevealer *divergence_revealer;
  GtkLabel *divergence_label;
  GtkButton *restore_button;
  GtkStack *side_stack;
  CsGallery *gallery;

  GSettings *settings;
  CsController *controller;
  GMenu *dataset_menu;
  GtkNativeDialog *file_chooser; /* at most one open at a time */
  /* The points picked in the scatter, the legend or the confusion matrix: one byte per point
   * of the dataset, kept across epochs. */
  CsSelection *selection;
  gboolean had_selection;

  /* Another run to compare with (NULL: none), its name, and whether it shows beside. */
  CsHistoryModel *compare_history;
  char *compare_name;
  GSimpleAction *side_by_side_action;

  guint n_exports_pending; /* exports being written on worker threads */
  guint diverged_good_epoch; /* the epoch the banner offers to restore, 0 when hidden */
  /* The animation being written, if any: what cancels it and the toast counting its frames. */
  GCancellable *animation_cancellable;
  AdwToast *animation_toast;
  /* The "Choose K" window while it is open (a weak pointer), so the action reuses it. */
  GtkWindow *kchoice_dialog;
};

/* cs-window-actions.c */
void cs_window_class_add_actions (GtkWidgetClass *widget_class);
void cs_window_init_actions (CsWindow *self);
void cs_window_update_actions (CsWindow *self);
/* Synchronous: builds the same job the Export menu runs on a worker thread. */
gboolean cs_window_export_to (CsWindow *self, const char *what, const char *path, GError **error);
guint cs_window_get_n_exports_pending (CsWindow *self);

/* cs-window-compare.c */
void cs_window_compare_init (CsWindow *self);
void cs_window_compare_dispose (CsWindow *self);
/* history: every epoch of the other run (referenced, not copied), or NULL to clear. */
void cs_window_set_comparison (CsWindow *self, CsHistory *history, const char *name);
gboolean cs_window_has_comparison (CsWindow *self);
/* TRUE while the other run's scatter shows beside this one's. */
gboolean cs_window_get_side_by_side (CsWindow *self);
/* The other run's epoch and colours follow the epoch shown. */
void cs_window_compare_sync (CsWindow *self);

/* cs-window.c */
void cs_window_show_error (CsWindow *self, const char *title, const char *message);
void cs_window_toast (CsWindow *self, const char *message);
void cs_window_select_dataset (CsWindow *self, const char *spec);
void cs_window_open_run (CsWindow *self, const char *dir);
/* Moves the history's cursor (clamped): every view follows it. */
void cs_window_set_timeline_index (CsWindow *self, gint index);
void cs_window_rebuild_dataset_menu (CsWindow *self);
/* The points of one confusion-matrix cell (class, cluster) in the epoch shown, combined
 * with the selection as mode says. */
void cs_window_select_cell (CsWindow *self, guint klass, guint cluster, CsSelectMode mode);
/* Hides the divergence banner. */
void cs_window_dismiss_divergence (CsWindow *self);

G_END_DECLS
