/* cs-export.h: the exports (plots, labelled CSV, metrics CSV, run folder) as async jobs.
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
} CsExportKind;

/* "scatter", "curves", "confusion", "dashboard", "labels", "metrics", "run". */
gboolean cs_export_kind_from_string (const char *name, CsExportKind *out);

/* What the user sees that the snapshots do not say. */
typedef struct
{
  CsViewport zoom;      /* the scatter's window on the data; x0 == x1: fit to the data */
  CsColorBy color_by;   /* by label only when the dataset has labels */
  gint cursor;          /* the curves' epoch cursor (index into history), or -1 */
  double width, height; /* plots: pixels (PNG) or points (SVG, PDF) */
} CsExportView;

/* Fitted, coloured by cluster, no cursor, 1600 x 1000. */
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
  /* The run folder only. */
  CsSettings settings; /* the settings in force */
  const char *dataset_spec;
  GBytes *model; /* model.bin's bytes (cs_trainer_dup_model), or NULL */
} CsExportSource;

/* Zeroes source and initialises its view. */
void cs_export_source_init (CsExportSource *source);

/* Draws or formats and writes path (a folder for CS_EXPORT_RUN) on a worker thread; every
 * file is written atomically. Errors say what to do: nothing to export yet, a plot path
 * without .png / .svg / .pdf, or the write that failed. Cancelled before the worker begins,
 * nothing is written; a file being written is finished (or, failing, left as it was). */
void cs_export_async (CsExportKind kind,
                      const char *path,
                      const CsExportSource *source,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data);
gboolean cs_export_finish (GAsyncResult *result, GError **error);
/* What and where the finished export wrote, for its report. */
CsExportKind cs_export_get_kind (GAsyncResult *result);
const char *cs_export_get_path (GAsyncResult *result);

/* The same, blocking. */
gboolean
cs_export_write (CsExportKind kind, const char *path, const CsExportSource *source, GError **error);

G_END_DECLS
