/* cs-run.h: the run folder (config.json, metrics.csv, labels.csv, model.bin) and its parts.
 *
 * Every file is written atomically (cs-file.h), so a failed export never leaves a torn file.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-dataset.h"
#include "cs-history.h"
#include "cs-settings.h"
#include "cs-snapshot.h"
#include "cs-types.h"

G_BEGIN_DECLS

/* config.json: {"format": "clusterscope-run", "version": 1, "dataset": {spec, name, n, d,
 * n_classes}, "settings": {...}}. */
gboolean cs_run_write_config (const char       *path,
                              const CsSettings *settings,
                              const char       *dataset_spec,
                              const CsDataset  *dataset,
                              GError          **error);
/* Reads settings (and the dataset spec, newly allocated, may be NULL) back from config.json. */
gboolean cs_run_read_config (const char  *path,
                             CsSettings  *settings,
                             char       **dataset_spec,
                             GError     **error);

/* The shape a run's config.json records for its dataset (n, d, classes): what a synthetic
 * dataset needs to be made again. FALSE when the file has none. */
gboolean cs_run_read_dataset_shape (const char *path,
                                    guint      *n,
                                    guint      *d,
                                    guint      *n_classes);

/* metrics.csv: header epoch,phase,loss_rec,loss_clu,acc,nmi,ari,label_change,inertia,seconds,
 * then the settings in force (k,lr,reinit_every,reinit_mode,alpha,lambda); one row per snapshot.
 * Undefined metrics are empty fields. */
gboolean cs_run_write_metrics_csv (const char        *path,
                                   CsSnapshot *const *history,
                                   guint              n_history,
                                   GError           **error);
/* The same after rows taken as they are (a parent run's, from cs_run_read_metrics_rows). */
gboolean cs_run_write_metrics_csv_after (const char        *path,
                                         const char        *rows,
                                         CsSnapshot *const *history,
                                         guint              n_history,
                                         GError           **error);
/* The rows of run_dir's metrics.csv up to epoch last (header left out, each ending in a
 * newline); an error when the file has fewer. */
char *cs_run_read_metrics_rows (const char *run_dir,
                                guint       last,
                                GError    **error);

/* A saved run read back for comparison: one snapshot per row of metrics.csv (scores and
 * settings, no points), the last one also with labels.csv's points (clusters, confidence, the
 * 2-D view; centroids drawn at their clusters' means) when that file has n_points rows (0: any).
 * name (may be NULL) receives "algorithm, seed S" from config.json. */
CsHistory *cs_run_read_history (const char *run_dir,
                                gsize       n_points,
                                char      **name,
                                GError    **error);

/* labels.csv: id,label,cluster,confidence,x,y,z_0..z_{m-1}. label is empty when the dataset has
 * none; z columns are left out when the snapshot is a light copy without codes. */
gboolean cs_run_write_labels_csv (const char       *path,
                                  const CsDataset  *dataset,
                                  const CsSnapshot *snapshot,
                                  GError          **error);

/* The same, with only the rows where rows[i] is non-zero (rows: snapshot->n bytes; NULL: all):
 * the selection's export. */
gboolean cs_run_write_labels_csv_rows (const char       *path,
                                       const CsDataset  *dataset,
                                       const CsSnapshot *snapshot,
                                       const guint8     *rows,
                                       GError          **error);

/* Creates dir and writes its config.json: a run that will write its folder calls this before
 * training, so that a folder it cannot write is reported at once, not after the run. */
gboolean cs_run_begin_folder (const char       *dir,
                              const CsSettings *settings,
                              const char       *dataset_spec,
                              const CsDataset  *dataset,
                              GError          **error);

/* The whole folder: config.json, metrics.csv, labels.csv (last snapshot) and, when model is not
 * NULL, model.bin with those bytes (cs_trainer_dup_model). Creates dir if needed. */
gboolean cs_run_write_folder (const char        *dir,
                              const CsSettings  *settings,
                              const char        *dataset_spec,
                              const CsDataset   *dataset,
                              CsSnapshot *const *history,
                              guint              n_history,
                              GBytes            *model,
                              GError           **error);

G_END_DECLS
