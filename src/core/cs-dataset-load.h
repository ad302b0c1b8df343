/* cs-dataset-load.h: a dataset from a spec (a built-in name or a path), blocking or async.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-dataset.h"

G_BEGIN_DECLS

/* How cs_dataset_load() interprets a spec. Zero-initialise, then call
 * cs_load_options_init() for the defaults. */
typedef struct
{
  const char *labels_path;   /* separate labels file (IDX, .npy), or NULL */
  const char *label_column;  /* CSV label column, see CsCsvOptions */
  gboolean standardize;      /* CSV: zero mean, unit variance per feature */
  const char *fashion_dir;   /* NULL: the built-in FASHION_MNIST_DIR */
  CsSyntheticOptions synthetic;
} CsLoadOptions;

void cs_load_options_init (CsLoadOptions *options);

/* One entry point for the CLI and the GUI: spec is "synthetic" (glyphs, the demo),
 * "synthetic-blobs" (the easy Gaussian blobs; either ignores options->synthetic.kind),
 * "fashion-mnist-test", "fashion-mnist-train", "fashion-mnist" (all 70k), or a file path whose
 * suffix picks the loader (.csv, .npy, .idx / -ubyte, optionally .gz). options may be NULL for
 * defaults. */
CsDataset *cs_dataset_load (const char          *spec,
                            const CsLoadOptions *options,
                            GError             **error);

/* cs_dataset_load on a worker thread; spec and options (with its strings) are copied, so the
 * caller may free them at once. A cancelled load reports G_IO_ERROR_CANCELLED, though the
 * file is still read to its end on the worker (the parsers do not check). */
void cs_dataset_load_async (const char          *spec,
                            const CsLoadOptions *options,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
/* The dataset (a new reference), or NULL with an error; the spec it was asked for is
 * cs_dataset_load_get_spec (result). */
CsDataset  *cs_dataset_load_finish   (GAsyncResult  *result,
                                      GError       **error);
const char *cs_dataset_load_get_spec (GAsyncResult  *result);

G_END_DECLS
