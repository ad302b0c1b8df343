/* cs-dataset.h: an immutable, refcounted data matrix with optional labels, and its makers.
 *
 * The object lives in cs-dataset.c, the synthetic generator in cs-dataset-synthetic.c, each
 * file format in cs-dataset-{idx,csv,npy}.c; cs-dataset-load.h picks one of them for a spec
 * (a built-in name or a path), blocking or async. None of these files calls another but the
 * object's.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* A loaded dataset. Once returned by a loader it is never modified, so it can be shared
 * between the worker thread and the main loop. */
struct _CsDataset
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public, read-only >*/
  char *name;          /* human-readable, e.g. "Fashion-MNIST (test, 10 000)" */
  char *source;        /* what was opened: a path, or a built-in name */
  gsize n;             /* samples */
  guint d;             /* features per sample */
  float *x;            /* n x d, row-major */
  gint32 *labels;      /* n entries in [0, n_classes), or NULL when unlabelled */
  guint n_classes;     /* 0 when unlabelled */
  char **class_names;  /* n_classes names (NULL-terminated), or NULL */
  guint image_width;   /* > 0 when each sample is an image of width x height */
  guint image_height;  /*   pixels in [0, 1], row-major */

  /*< private >*/
  gsize scanned;    /* cs_dataset_scan_values's cache, set once */
  float max_abs;    /* the largest finite |value| */
  gsize first_bad;  /* index into x of the first NaN or infinity, or n * d */
};

typedef enum
{
  CS_FASHION_TEST,  /* 10 000 images (t10k), the interactive default */
  CS_FASHION_TRAIN, /* 60 000 images */
  CS_FASHION_ALL,   /* train followed by test: 70 000 images */
} CsFashionSplit;

/* What the synthetic generator draws (docs/QUALITY.md shows how each one clusters). */
typedef enum
{
  /* The default, the demo: k random pen strokes drawn in square grey images, each sample
   * with its own pen width, slant and size. The pen width moves the pixels more than the
   * class does, so K-means on the pixels groups thin against thick; an autoencoder codes
   * the two apart. */
  CS_SYNTHETIC_GLYPHS,
  /* Gaussian blobs pushed through a random smooth map: K-means on the raw features already
   * finds them, which makes them the quick, easy dataset for tests. */
  CS_SYNTHETIC_BLOBS,
} CsSyntheticKind;

typedef struct
{
  CsSyntheticKind kind; /* default CS_SYNTHETIC_GLYPHS */
  gsize n;              /* samples; default 3000 */
  guint d;              /* output dimension; default 0, the kind's own (cs_synthetic_default_d);
                         * glyphs need a square, side >= 4 */
  guint k;              /* clusters; default 5 */
  guint latent_dim;     /* blobs: dimension of the clusters before the map; default 5 */
  double spread;        /* blobs: cluster standard deviation relative to centre separation;
                         * default 0.1 */
  guint64 seed;
} CsSyntheticOptions;

typedef struct
{
  /* Label column: a header name, or a 0-based index given as decimal text; NULL for none.
   * A negative index counts from the end ("-1" is the last column). */
  const char *label_column;
  /* TRUE, FALSE, or -1 to detect: a first row with any non-numeric field is a header. */
  int has_header;
  /* Scale every feature to zero mean and unit variance. */
  gboolean standardize;
} CsCsvOptions;

CsDataset *cs_dataset_ref   (CsDataset *self);
void       cs_dataset_unref (CsDataset *self);

/* Builds a dataset that takes ownership of x (n x d) and labels (may be NULL). Labels must be
 * in [0, n_classes). Mostly for tests and the synthetic generator. */
CsDataset *cs_dataset_new_take (const char *name,
                                const char *source,
                                float      *x,
                                gsize       n,
                                guint       d,
                                gint32     *labels,
                                guint       n_classes);

/* Whether every value is finite, and the largest magnitude; first_bad (may be NULL) gets the
 * index into x of the first NaN or infinity. The values never change, so the scan runs once,
 * on the first call from any thread, and later calls are free: the loaders make that first call
 * on their worker thread, so that starting a run on the main thread does not scan 55 million
 * values. */
gboolean   cs_dataset_scan_values (CsDataset *self,
                                   float     *max_abs,
                                   gsize     *first_bad);

void       cs_synthetic_options_init  (CsSyntheticOptions *options);
/* 144 (12 x 12 images) for glyphs, 50 for blobs. */
guint      cs_synthetic_default_d     (CsSyntheticKind     kind);
/* Whether cs_dataset_new_synthetic() accepts these options, and why not. */
gboolean   cs_synthetic_options_check (const CsSyntheticOptions *options,
                                       GError                  **error);
/* NULL options are the defaults; options that fail the check are a programming error. */
CsDataset *cs_dataset_new_synthetic   (const CsSyntheticOptions *options);

/* images_path: idx3 (uint8, n x rows x cols) or idx2 (n x d), raw or .gz.
 * labels_path: idx1 (uint8) or NULL. */
CsDataset *cs_dataset_load_idx (const char *images_path,
                                const char *labels_path,
                                GError    **error);

CsDataset *cs_dataset_load_csv (const char         *path,
                                const CsCsvOptions *options,
                                GError            **error);

/* .npy: float32, float64 or uint8 (uint8 scaled to [0, 1]); 2-D, or 3-D images flattened.
 * labels_path: an optional 1-D integer .npy (int32, int64, uint8) or NULL. */
CsDataset *cs_dataset_load_npy (const char *path,
                                const char *labels_path,
                                GError    **error);

/* From the directory of Debian's dataset-fashion-mnist (NULL for the built-in default). */
CsDataset *cs_dataset_load_fashion_mnist (const char     *dir,
                                          CsFashionSplit  split,
                                          GError        **error);

/* "70000" -> "70 000", as dataset names show counts; separator goes between groups of three. */
char *cs_format_count (gsize       n,
                       const char *separator);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsDataset, cs_dataset_unref)

G_END_DECLS
