/* test-reproject.c: past epochs drawn again in another projection, from their checkpoints.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-error.h"
#include "cs-reproject.h"
#include "cs-test-tree.h"
#include "cs-trainer.h"

#define N_EPOCHS 4

typedef struct
{
  GPtrArray *snaps;
  const char *dir; /* checkpoints go here, or NULL */
} Collect;

static void
collect_snapshot (CsSnapshot *snap, gpointer data)
{
  g_ptr_array_add (((Collect *) data)->snaps, cs_snapshot_ref (snap));
}

static char *
checkpoint_file (const char *dir, guint epoch)
{
  g_autofree char *name = g_strdup_printf ("epoch-%u.ckpt", epoch);

  return g_build_filename (dir, name, NULL);
}

static void
collect_checkpoint (guint epoch, GBytes *bytes, gboolean notable, gpointer data)
{
  g_autofree char *path = checkpoint_file (((Collect *) data)->dir, epoch);
  gsize len;
  const char *p = g_bytes_get_data (bytes, &len);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, p, (gssize) len, &error));
  g_assert_no_error (error);
}

static CsDataset *
dataset (guint64 seed)
{
  CsSyntheticOptions opt;

  cs_synthetic_options_init (&opt);
  opt.kind = CS_SYNTHETIC_BLOBS;
  opt.n = 600;
  opt.seed = seed;
  return cs_dataset_new_synthetic (&opt);
}

/* N_EPOCHS epochs (two of pretraining) of a small network in projection kind; their
 * checkpoints go to dir when it is not NULL. */
static GPtrArray *
train (CsDataset *ds, CsProjectionKind kind, const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  CsSettings s;
  Collect c = { g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref), dir };

  cs_settings_init_default (&s);
  s.k = 4;
  s.n_hidden = 1;
  s.hidden[0] = 32;
  s.embedding_dim = 4;
  s.pretrain_epochs = 2;
  s.epochs = N_EPOCHS - 2;
  s.batch_size = 100;
  s.kmeans_n_init = 2;
  s.projection = kind;
  trainer = cs_trainer_new (ds, &s, &error);
  g_assert_no_error (error);
  cs_trainer_set_snapshot_func (trainer, collect_snapshot, &c);
  if (dir != NULL)
    cs_trainer_set_checkpoint_func (trainer, 1, collect_checkpoint, &c);
  g_assert_true (cs_trainer_run (trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.snaps->len, ==, N_EPOCHS);
  return c.snaps;
}

typedef struct
{
  CsDataset *ds;
  char *dir;
  GPtrArray *pca; /* the run's epochs, made in PCA, with checkpoints in dir */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->ds = dataset (7);
  f->dir = g_dir_make_tmp ("cs-reproject-XXXXXX", &error);
  g_assert_no_error (error);
  f->pca = train (f->ds, CS_PROJECTION_PCA, f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  cs_test_remove_tree (f->dir);
  g_free (f->dir);
  g_ptr_array_unref (f->pca);
  cs_dataset_unref (f->ds);
}

/* Re-projects every epoch of the PCA run in kind, each frame aligned with (or continued from)
 * the one before, as the trainer chains its frames, and compares them with the frames of a run
 * made in kind from the start: the same seed trains the same network whatever the projection,
 * so the two must be the same bytes. */
static void
check_chain_matches_run (Fixture *f, CsProjectionKind kind)
{
  g_autoptr (GPtrArray) made = train (f->ds, kind, NULL);
  g_autoptr (CsReprojection) prev = NULL;

  for (guint e = 0; e < N_EPOCHS; e++)
    {
      CsSnapshot *old = g_ptr_array_index (f->pca, e);
      CsSnapshot *want = g_ptr_array_index (made, e);
      g_autofree char *path = checkpoint_file (f->dir, old->epoch);
      g_autoptr (GError) error = NULL;
      CsReprojectOptions options;
      CsReprojection *r;

      /* The projection does not change training. */
      g_assert_cmpmem (old->codes, old->n * old->m * sizeof (float), want->codes,
                       want->n * want->m * sizeof (float));
      cs_reproject_options_init (&options, kind);
      if (prev != NULL)
        {
          options.align_to = prev->basis;
          options.tsne_layout = prev->layout;
          options.tsne_n = prev->layout_n;
        }
      r = cs_reproject_checkpoint (f->ds, path, old, &options, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (r);
      g_assert_true (r->snapshot->settings.projection == kind);
      g_assert_cmpmem (r->snapshot->codes, old->n * old->m * sizeof (float), old->codes,
                       old->n * old->m * sizeof (float));
      g_assert_cmpuint (r->snapshot->epoch, ==, old->epoch);
      g_assert_cmpmem (r->snapshot->clusters, old->n * sizeof (guint16), old->clusters,
                       old->n * sizeof (guint16));
      g_assert_cmpmem (r->snapshot->xy, old->n * 2 * sizeof (float), want->xy,
                       want->n * 2 * sizeof (float));
      g_assert_cmpmem (r->snapshot->centroids_xy, old->k * 2 * sizeof (float), want->centroids_xy,
                       want->k * 2 * sizeof (float));
      if (kind != CS_PROJECTION_PCA)
        g_assert_true (memcmp (r->snapshot->xy, old->xy, old->n * 2 * sizeof (float)) != 0);
      g_clear_pointer (&prev, cs_reprojection_free);
      prev = r;
    }
}

static void
test_pca (Fixture *f, gconstpointer data)
{
  check_chain_matches_run (f, CS_PROJECTION_PCA);
}

static void
test_lda (Fixture *f, gconstpointer data)
{
  check_chain_matches_run (f, CS_PROJECTION_LDA);
}

static void
test_tsne (Fixture *f, gconstpointer data)
{
  check_chain_matches_run (f, CS_PROJECTION_TSNE);
}

/* A checkpoint's codes are the snapshot's, and a frame from a snapshot's own codes is the
 * frame from its checkpoint. */
static void
test_codes (Fixture *f, gconstpointer data)
{
  CsSnapshot *last = g_ptr_array_index (f->pca, N_EPOCHS - 1);
  g_autofree char *path = checkpoint_file (f->dir, last->epoch);
  g_autoptr (GError) error = NULL;
  g_autoptr (CsCheckpoint) ck = cs_checkpoint_load (path, &error);
  g_autofree float *codes = NULL;
  g_autoptr (CsReprojection) a = NULL, b = NULL;
  CsReprojectOptions options;
  guint epoch = 0, m = 0;

  g_assert_no_error (error);
  codes = cs_trainer_checkpoint_dup_codes (ck, f->ds, &epoch, &m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (epoch, ==, last->epoch);
  g_assert_cmpuint (m, ==, last->m);
  g_assert_cmpmem (codes, last->n * m * sizeof (float), last->codes, last->n * m * sizeof (float));

  cs_reproject_options_init (&options, CS_PROJECTION_LDA);
  a = cs_reproject (last, last->codes, last->m, &options, NULL, &error);
  g_assert_no_error (error);
  b = cs_reproject_checkpoint (f->ds, path, last, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a->snapshot->xy, last->n * 2 * sizeof (float), b->snapshot->xy,
                   last->n * 2 * sizeof (float));
}

/* What cannot be re-projected says why. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  CsSnapshot *first = g_ptr_array_index (f->pca, 0);
  g_autofree char *other = checkpoint_file (f->dir, 2);
  g_autofree char *missing = checkpoint_file (f->dir, 99);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (CsDataset) ds2 = NULL;
  CsReprojectOptions options;
  GError *error = NULL;

  cs_reproject_options_init (&options, CS_PROJECTION_LDA);
  g_assert_null (cs_reproject_checkpoint (f->ds, other, first, &options, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "epoch 2, not 1"));
  g_clear_error (&error);

  g_assert_null (cs_reproject_checkpoint (f->ds, missing, first, &options, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "epoch-99.ckpt"));
  g_clear_error (&error);

  /* Other data of the same shape. */
  ds2 = dataset (8);
  g_assert_null (cs_reproject_checkpoint (ds2, other, first, &options, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (cs_reproject (first, first->codes, first->m + 1, &options, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  options.kind = CS_PROJECTION_TSNE;
  g_assert_null (cs_reproject (first, first->codes, first->m, &options, cancellable, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
  g_clear_error (&error);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/reproject/pca", Fixture, NULL, fixture_set_up, test_pca, fixture_tear_down);
  g_test_add ("/reproject/lda", Fixture, NULL, fixture_set_up, test_lda, fixture_tear_down);
  g_test_add ("/reproject/tsne", Fixture, NULL, fixture_set_up, test_tsne, fixture_tear_down);
  g_test_add ("/reproject/codes", Fixture, NULL, fixture_set_up, test_codes, fixture_tear_down);
  g_test_add ("/reproject/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  return g_test_run ();
}
