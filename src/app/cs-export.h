/* cs-export.h: the exports (plots, animations, labelled CSV, metrics CSV, run folder) as async
 * jobs.
 *
 * An export reads immutable snapshots and a small record of what the user chose to see
 * (zoom, colouring, size), never a widget: it can run on a worker while training goes on,
 * and a test can run it with no window at all.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-dataset.h"
#include "cs-plot.h"
#include "cs-settings.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  CS_EXPORT_SCATTER,
  CS_EXPORT_CURVES,
  CS_EXPORT_CONFUSION,
  CS_EXPORT_DASHBOARD,
  CS_EXPORT_LABELS,
  CS_EXPORT_METRICS,
  CS_EXPORT_RUN,
  CS_EXPORT_ANIMATION, /* .webm or .gif: one frame per epoch of the history */
  CS_EXPORT_SELECTION, /* the labelled CSV's rows of the selected points only */
} CsExportKind;

/* "scatter", "curves", "confusion", "dashboard", "labels", "metrics", "run", "animation",
 * "selection". */
gboolean cs_export_kind_from_string (const char *name, CsExportKind *out);

/* What the user sees that the snapshots do not say. */
typedef struct
{
  CsViewport zoom;      /* the scatter's window on the data; x0 == x1: fit to the data */
  CsColorBy color_by;   /* by label only when the dataset has labels */
  gint cursor;          /* the curves' epoch cursor (index into history), or -1 */
  double width, height; /* plots: pixels (PNG) or points (SVG, PDF) */
  /* Animations: frames (epochs) per second; the history indices of the first and last frame
   * (a negative last counts from the end: -1 is the latest epoch); what each frame draws,
   * CS_EXPORT_SCATTER (its title gives the epoch and the metrics) or CS_EXPORT_DASHBOARD. A
   * fitted zoom fits all the frames at once, so the axes stay still while the points move. */
  double fps;
  gint first, last;
  CsExportKind animate;
} CsExportView;

/* Fitted, coloured by cluster, no cursor, 1600 x 1000; animations of the scatter over every
 * epoch at 4 frames per second. */
void cs_export_view_init (CsExportView *view);

/* An export's inputs. Borrowed: cs_export_async keeps references and copies of its own. */
typedef struct
{
  CsDataset *dataset;
  CsSnapshot *shown;        /* the epoch on screen: scatter, confusion, labels */
  CsSnapshot *const *trail; /* epochs before it, oldest first: centroid trails */
  guint n_trail;
  CsSnapshot *const *history; /* every epoch: curves, metrics, run folder */
  guint n_history;
  CsExportView view;
  /* The points selected (dataset->n bytes, non-zero: selected), or NULL: emphasised in the
   * scatter, and the rows of a "selection" export. */
  const guint8 *selection;
  /* The run folder only. */
  CsSettings settings; /* the settings in force */
  const char *dataset_spec;
  GBytes *model; /* model.bin's bytes (cs_trainer_dup_model), or NULL */
  /* Another run compared with this one (may be NULL): its scores drawn dashed on the curves,
   * and compare_shown (may be NULL) beside the shown epoch in the scatter, its clusters in the
   * colours of those they match. */
  CsSnapshot *const *compare;
  guint n_compare;
  const char *compare_name;
  CsSnapshot *compare_shown;
  /* Animations, when reproject is set: every frame in projection, the epochs made in another
   * one re-projected on the worker (cs_reproject), each from the frame before it as the
   * trainer goes, from their codes or else from checkpoints[i] (n_history paths, NULL where
   * there is none: that epoch stays as it was drawn). */
  gboolean reproject;
  CsProjectionKind projection;
  const char *const *checkpoints;
} CsExportSource;

/* Zeroes source and initialises its view. */
void cs_export_source_init (CsExportSource *source);

/* Draws or formats and writes path (a folder for CS_EXPORT_RUN) on a worker thread; every
 * file is written atomically. Errors say what to do: nothing to export yet, a plot path
 * without .png / .svg / .pdf (.webm / .gif for an animation), or the write that failed.
 * Cancelled before the worker begins, nothing is written; a file being written is finished
 * (or, failing, left as it was), except an animation, which stops between two frames and
 * leaves the file as it was. */
void cs_export_async (CsExportKind kind,
                      const char *path,
                      const CsExportSource *source,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data);
/* Frames done of total, while an animation is written. */
typedef void (*CsExportProgressFunc) (guint done, guint total, gpointer user_data);

/* cs_export_async that also reports an animation's progress: progress runs in the caller's
 * thread-default main context, coalesced, and never after callback; progress_destroy (may be
 * NULL) frees progress_data in that context, once the export no longer needs it. */
void cs_export_async_with_progress (CsExportKind kind,
                                    const char *path,
                                    const CsExportSource *source,
                                    CsExportProgressFunc progress,
                                    gpointer progress_data,
                                    GDestroyNotify progress_destroy,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean cs_export_finish (GAsyncResult *result, GError **error);
/* What and where the finished export wrote, for its report. */
CsExportKind cs_export_get_kind (GAsyncResult *result);
const char *cs_export_get_path (GAsyncResult *result);

/* prototypes.png in the run folder dir: the last epoch's cluster prototypes in a grid, when
 * the dataset is images and the epoch has them; TRUE with nothing written otherwise. */
gboolean cs_export_write_prototypes (const char *dir,
                                     const CsDataset *dataset,
                                     CsSnapshot *const *history,
                                     guint n_history,
                                     GError **error);

/* The same, blocking. */
gboolean
cs_export_write (CsExportKind kind, const char *path, const CsExportSource *source, GError **error);

G_END_DECLS
