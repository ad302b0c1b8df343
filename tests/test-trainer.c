/* test-trainer.c: whole runs of the three algorithms on the synthetic dataset.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-autoencoder.h"
#include "cs-error.h"
#include "cs-loss.h"
#include "cs-run.h"
#include "cs-trainer.h"

static CsDataset *
synthetic (guint64 seed)
{
  CsSyntheticOptions opt;

  cs_synthetic_options_init (&opt);
  opt.kind = CS_SYNTHETIC_BLOBS;
  opt.n = 2000;
  opt.seed = seed;
  return cs_dataset_new_synthetic (&opt);
}

static void
small_settings (CsSettings *s, guint k)
{
  cs_settings_init_default (s);
  s->k = k;
  s->n_hidden = 2;
  s->hidden[0] = 64;
  s->hidden[1] = 128;
  s->embedding_dim = 5;
  s->pretrain_epochs = 15;
  s->epochs = 8;
  s->batch_size = 128;
  s->kmeans_n_init = 4;
}

typedef struct
{
  GPtrArray *snaps;
  CsTrainer *trainer;
  guint change_at; /* epoch after which lr / K change requests are made */
  guint pause_at;
  guint progress_calls;
} Collect;

static void
collect_snapshot (CsSnapshot *snap, gpointer data)
{
  Collect *c = data;

  g_ptr_array_add (c->snaps, cs_snapshot_ref (snap));
  if (c->change_at && snap->epoch == c->change_at)
    {
      CsSettings s = snap->settings;
      s.lr = 5e-4;
      s.k = 4;
      s.reinit_every = 2;
      cs_trainer_request_settings (c->trainer, &s,
                                   CS_SETTING_LR | CS_SETTING_K | CS_SETTING_REINIT_EVERY);
    }
}

static void
collect_progress (guint epoch, CsPhase phase, guint batch, guint n_batches, gpointer data)
{
  Collect *c = data;

  g_assert_cmpuint (batch, <=, n_batches);
  c->progress_calls++;
}

static GPtrArray *
run (CsDataset *ds, const CsSettings *s, guint change_at, CsTrainer **trainer_out)
{
  GError *error = NULL;
  CsTrainer *trainer = cs_trainer_new (ds, s, &error);
  Collect c = { g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref), trainer,
                change_at, 0, 0 };

  g_assert_no_error (error);
  cs_trainer_set_snapshot_func (trainer, collect_snapshot, &c);
  cs_trainer_set_progress_func (trainer, collect_progress, &c);
  g_assert_true (cs_trainer_run (trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.progress_calls, >, 0);
  if (trainer_out)
    *trainer_out = trainer;
  else
    cs_trainer_unref (trainer);
  return c.snaps;
}

static void
check_snapshot_consistent (const CsSnapshot *snap, const CsDataset *ds)
{
  gint64 total = 0;

  g_assert_cmpuint (snap->n, ==, ds->n);
  for (guint j = 0; j < snap->k; j++)
    total += snap->cluster_sizes[j];
  g_assert_cmpint (total, ==, (gint64) ds->n);
  for (gsize i = 0; i < snap->n; i++)
    {
      g_assert_cmpuint (snap->clusters[i], <, snap->k);
      g_assert_true (snap->confidence[i] > 0 && snap->confidence[i] <= 1.0f);
      g_assert_true (isfinite (snap->xy[2 * i]) && isfinite (snap->xy[2 * i + 1]));
    }
  g_assert_true (isfinite (snap->metrics.loss_rec));
  g_assert_true (snap->metrics.acc >= 0 && snap->metrics.acc <= 1);
}

/* The paper's method separates the synthetic clusters. */
static void
test_roy_synthetic (void)
{
  g_autoptr (CsDataset) ds = synthetic (0);
  CsSettings s;
  g_autoptr (GPtrArray) snaps = NULL;
  CsSnapshot *last;
  guint reinits = 0;

  small_settings (&s, 5);
  snaps = run (ds, &s, 0, NULL);
  g_assert_cmpuint (snaps->len, ==, s.pretrain_epochs + s.epochs);
  for (guint i = 0; i < snaps->len; i++)
    {
      CsSnapshot *snap = g_ptr_array_index (snaps, i);
      g_assert_cmpuint (snap->epoch, ==, i + 1);
      g_assert_cmpint (snap->phase, ==,
                       i < s.pretrain_epochs ? CS_PHASE_PRETRAIN : CS_PHASE_CLUSTER);
      check_snapshot_consistent (snap, ds);
      if (snap->phase == CS_PHASE_CLUSTER)
        {
          g_assert_true (isfinite (snap->metrics.loss_clu));
          reinits += snap->reinitialised;
        }
      else
        g_assert_true (isnan (snap->metrics.loss_clu));
    }
  /* R = 1: every clustering epoch re-initialises. */
  g_assert_cmpuint (reinits, ==, s.epochs);
  last = g_ptr_array_index (snaps, snaps->len - 1);
  g_test_message ("roy: ACC %.3f NMI %.3f ARI %.3f", last->metrics.acc, last->metrics.nmi,
                  last->metrics.ari);
  g_assert_cmpfloat (last->metrics.acc, >=, 0.95);
  g_assert_nonnull (last->codes);
  g_assert_nonnull (last->contingency);
}

/* Every snapshot carries its clusters' prototypes, the decoder applied to its centroids, and
 * its light copy keeps them; the last ones equal the final network's decoding. */
static void
test_prototypes (void)
{
  g_autoptr (CsDataset) ds = synthetic (3);
  g_autoptr (CsTrainer) trainer = NULL;
  g_autoptr (GPtrArray) snaps = NULL;
  g_autoptr (GBytes) model = NULL;
  g_autoptr (CsSnapshot) light = NULL;
  g_autofree float *centroids = NULL;
  g_autofree float *decoded = NULL;
  GError *error = NULL;
  CsAutoencoder *ae;
  CsSnapshot *last;
  CsSettings s;
  gsize len;
  const void *data;

  small_settings (&s, 3);
  snaps = run (ds, &s, 0, &trainer);
  for (guint i = 0; i < snaps->len; i++)
    {
      CsSnapshot *snap = g_ptr_array_index (snaps, i);

      g_assert_nonnull (snap->prototypes);
      g_assert_cmpuint (snap->d, ==, ds->d);
      for (gsize j = 0; j < (gsize) snap->k * snap->d; j++)
        g_assert_true (isfinite (snap->prototypes[j]));
    }
  last = g_ptr_array_index (snaps, snaps->len - 1);
  model = cs_trainer_dup_model (trainer, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (model, &len);
  ae = cs_autoencoder_parse (data, len, "model", 16, &centroids, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (centroids, (gsize) last->k * last->m * sizeof (float), last->centroids,
                   (gsize) last->k * last->m * sizeof (float));
  decoded = g_new (float, (gsize) last->k * ds->d);
  cs_autoencoder_decode (ae, last->centroids, last->k, decoded);
  g_assert_cmpmem (decoded, (gsize) last->k * ds->d * sizeof (float), last->prototypes,
                   (gsize) last->k * ds->d * sizeof (float));
  cs_autoencoder_free (ae);

  light = cs_snapshot_dup_light (last);
  g_assert_null (light->codes);
  g_assert_cmpuint (light->d, ==, ds->d);
  g_assert_cmpmem (light->prototypes, (gsize) last->k * ds->d * sizeof (float), last->prototypes,
                   (gsize) last->k * ds->d * sizeof (float));
}

static void
test_dkm_and_aekm (void)
{
  g_autoptr (CsDataset) ds = synthetic (1);
  CsSettings s;

  for (CsAlgorithm a = CS_ALGORITHM_DKM; a <= CS_ALGORITHM_AEKM; a++)
    {
      g_autoptr (GPtrArray) snaps = NULL;
      CsSnapshot *last, *first_cluster;

      small_settings (&s, 5);
      s.algorithm = a;
      s.epochs = 5;
      snaps = run (ds, &s, 0, NULL);
      last = g_ptr_array_index (snaps, snaps->len - 1);
      first_cluster = g_ptr_array_index (snaps, s.pretrain_epochs);
      check_snapshot_consistent (last, ds);
      g_test_message ("%s: ACC %.3f", cs_algorithm_to_string (a), last->metrics.acc);
      g_assert_cmpfloat (last->metrics.acc, >=, 0.8);
      if (a == CS_ALGORITHM_DKM)
        {
          /* Centroids move by SGD, never by re-initialisation. */
          g_assert_false (last->reinitialised);
          g_assert_true (
              memcmp (first_cluster->centroids, last->centroids, last->k * last->m * sizeof (float))
              != 0);
          g_assert_true (isfinite (last->metrics.loss_clu));
        }
      else
        {
          g_assert_true (last->reinitialised);
          g_assert_true (isnan (last->metrics.loss_clu));
        }
    }
}

/* --report epoch changes what is reported, not the training: the same losses and codes, and
 * each clustering epoch's clusters are its codes' nearest of the centroids it trained with
 * (the last epoch's re-initialised ones). --optimizer keep changes clustering, not
 * pretraining. */
static void
test_report_and_optimizer (void)
{
  g_autoptr (CsDataset) ds = synthetic (3);
  g_autoptr (GPtrArray) reinit = NULL, trained = NULL, kept = NULL;
  CsSettings s;
  guint m;

  small_settings (&s, 5);
  s.pretrain_epochs = 4;
  s.epochs = 4;
  m = s.embedding_dim;
  reinit = run (ds, &s, 0, NULL);
  s.report = CS_REPORT_EPOCH;
  trained = run (ds, &s, 0, NULL);
  g_assert_cmpuint (reinit->len, ==, trained->len);
  for (guint e = 0; e < reinit->len; e++)
    {
      CsSnapshot *a = g_ptr_array_index (reinit, e), *b = g_ptr_array_index (trained, e);

      g_assert_cmpfloat (a->metrics.loss_rec, ==, b->metrics.loss_rec);
      g_assert_true (memcmp (a->codes, b->codes, a->n * m * sizeof (float)) == 0);
      if (e < s.pretrain_epochs)
        {
          g_assert_true (memcmp (a->clusters, b->clusters, a->n * sizeof (guint16)) == 0);
          continue;
        }
      {
        CsSnapshot *before = g_ptr_array_index (reinit, e - 1);

        g_assert_cmpfloat (a->metrics.loss_clu, ==, b->metrics.loss_clu);
        g_assert_true (memcmp (b->centroids, before->centroids, b->k * m * sizeof (float)) == 0);
        for (gsize i = 0; i < b->n; i++)
          {
            guint best = 0;
            float best_d = INFINITY;

            for (guint j = 0; j < b->k; j++)
              {
                float d = 0;

                for (guint c = 0; c < m; c++)
                  {
                    float t = b->codes[i * m + c] - before->centroids[j * m + c];
                    d += t * t;
                  }
                if (d < best_d)
                  {
                    best_d = d;
                    best = j;
                  }
              }
            g_assert_cmpuint (b->clusters[i], ==, best);
          }
      }
    }

  s.report = CS_REPORT_REINIT;
  s.optimizer = CS_OPTIMIZER_KEEP;
  kept = run (ds, &s, 0, NULL);
  for (guint e = 0; e < kept->len; e++)
    {
      CsSnapshot *a = g_ptr_array_index (reinit, e), *c = g_ptr_array_index (kept, e);

      if (e < s.pretrain_epochs)
        g_assert_cmpfloat (a->metrics.loss_rec, ==, c->metrics.loss_rec);
      else
        g_assert_cmpfloat (a->metrics.loss_rec, !=, c->metrics.loss_rec);
    }
}

/* How far the codes of epoch e moved from those of epoch e - 1, at most. */
static float
codes_moved (GPtrArray *snaps, guint e, guint m)
{
  CsSnapshot *a = g_ptr_array_index (snaps, e - 1), *b = g_ptr_array_index (snaps, e);
  float most = 0;

  for (gsize i = 0; i < a->n * m; i++)
    most = MAX (most, fabsf (a->codes[i] - b->codes[i]));
  return most;
}

/* The warm-up scales a fresh clustering Adam's learning rate by step / warmup: pretraining is
 * untouched, a long warm-up all but freezes the first clustering epoch's network, and with the
 * pretraining Adam kept there is no fresh one to warm up. */
static void
test_warmup (void)
{
  g_autoptr (CsDataset) ds = synthetic (3);
  g_autoptr (GPtrArray) plain = NULL, slow = NULL, kept = NULL, kept_warm = NULL;
  CsSettings s;
  guint m, p;

  small_settings (&s, 5);
  s.pretrain_epochs = p = 4;
  s.epochs = 2;
  m = s.embedding_dim;
  plain = run (ds, &s, 0, NULL);
  s.warmup = 1000000;
  slow = run (ds, &s, 0, NULL);
  for (guint e = 0; e < p; e++)
    {
      CsSnapshot *a = g_ptr_array_index (plain, e), *b = g_ptr_array_index (slow, e);

      g_assert_true (memcmp (a->codes, b->codes, a->n * m * sizeof (float)) == 0);
    }
  /* At most a few hundred steps of 1e-9 of the rate: the codes stay where pretraining left
   * them, where the plain run moves them by far more. */
  g_assert_cmpfloat (codes_moved (slow, p, m), <, 1e-3f);
  g_assert_cmpfloat (codes_moved (plain, p, m), >, 100 * codes_moved (slow, p, m));

  s.optimizer = CS_OPTIMIZER_KEEP;
  kept_warm = run (ds, &s, 0, NULL);
  s.warmup = 0;
  kept = run (ds, &s, 0, NULL);
  for (guint e = 0; e < kept->len; e++)
    {
      CsSnapshot *a = g_ptr_array_index (kept, e), *b = g_ptr_array_index (kept_warm, e);

      g_assert_true (memcmp (a->codes, b->codes, a->n * m * sizeof (float)) == 0);
    }
}

/* DEC and IDEC train their centroids with the network, never re-initialise, report the KL
 * loss, and stop once fewer than dec_tol of the labels change. With targets updated within
 * epochs, the run is the same on one thread as on three. */
static void
test_dec_idec (void)
{
  g_autoptr (CsDataset) ds = synthetic (1);
  CsSettings s;

  for (CsAlgorithm a = CS_ALGORITHM_DEC; a <= CS_ALGORITHM_IDEC; a++)
    {
      g_autoptr (GPtrArray) snaps = NULL;
      g_autoptr (GPtrArray) stopping = NULL;
      CsSnapshot *last, *pretrained;
      CsTrainer *trainer;

      small_settings (&s, 5);
      s.algorithm = a;
      s.epochs = 4;
      s.dec_tol = 0; /* every epoch */
      snaps = run (ds, &s, 0, &trainer);
      g_assert_cmpuint (snaps->len, ==, s.pretrain_epochs + s.epochs);
      g_assert_cmpuint (cs_trainer_get_converged_epoch (trainer), ==, 0);
      cs_trainer_unref (trainer);
      last = g_ptr_array_index (snaps, snaps->len - 1);
      pretrained = g_ptr_array_index (snaps, s.pretrain_epochs - 1);
      check_snapshot_consistent (last, ds);
      g_test_message ("%s: ACC %.3f, KL %.4f", cs_algorithm_to_string (a), last->metrics.acc,
                      last->metrics.loss_clu);
      g_assert_cmpfloat (last->metrics.acc, >=, 0.8);
      g_assert_false (last->reinitialised);
      g_assert_true (isfinite (last->metrics.loss_clu) && last->metrics.loss_clu > 0);
      g_assert_true (
          memcmp (pretrained->centroids, last->centroids, last->k * last->m * sizeof (float)) != 0);

      /* The stop: a tolerance every run meets at once ends it after one clustering epoch. */
      s.dec_tol = 1.0;
      stopping = run (ds, &s, 0, &trainer);
      g_assert_cmpuint (stopping->len, ==, s.pretrain_epochs + 1);
      g_assert_cmpuint (cs_trainer_get_converged_epoch (trainer), ==, s.pretrain_epochs + 1);
      cs_trainer_unref (trainer);
    }

  /* Targets within the epoch (every 3 batches), on one thread and on three: the same bytes. */
  small_settings (&s, 5);
  s.algorithm = CS_ALGORITHM_IDEC;
  s.epochs = 2;
  s.target_every = 3;
  s.dec_tol = 0;
  s.hidden[0] = 256;
  s.hidden[1] = 512;
  {
    GPtrArray *runs[2];

    for (guint r = 0; r < 2; r++)
      {
        openblas_set_num_threads (r == 0 ? 1 : 3);
        runs[r] = run (ds, &s, 0, NULL);
      }
    openblas_set_num_threads (1);
    for (guint i = 0; i < runs[0]->len; i++)
      {
        CsSnapshot *x = g_ptr_array_index (runs[0], i), *y = g_ptr_array_index (runs[1], i);

        g_assert_cmpmem (&x->metrics.loss_clu, sizeof (double), &y->metrics.loss_clu,
                         sizeof (double));
        g_assert_cmpmem (x->codes, x->n * x->m * 4, y->codes, y->n * y->m * 4);
      }
    g_ptr_array_unref (runs[0]);
    g_ptr_array_unref (runs[1]);
  }
}

/* Requests made mid-run show up in the following snapshots, with the change flagged. */
static void
test_live_settings (void)
{
  g_autoptr (CsDataset) ds = synthetic (2);
  CsSettings s;
  g_autoptr (GPtrArray) snaps = NULL;
  guint change_at;
  CsSnapshot *next, *before;

  small_settings (&s, 5);
  s.pretrain_epochs = 3;
  s.epochs = 5;
  change_at = s.pretrain_epochs + 2;
  snaps = run (ds, &s, change_at, NULL);
  before = g_ptr_array_index (snaps, change_at - 1);
  next = g_ptr_array_index (snaps, change_at);
  g_assert_cmpfloat (before->settings.lr, ==, 1e-3);
  g_assert_cmpuint (before->k, ==, 5);
  g_assert_cmpfloat (next->settings.lr, ==, 5e-4);
  g_assert_cmpuint (next->k, ==, 4);
  g_assert_cmpuint (next->settings.k, ==, 4);
  g_assert_cmpuint (next->settings.reinit_every, ==, 2);
  g_assert_true (next->changed & CS_SETTING_LR);
  g_assert_true (next->changed & CS_SETTING_K);
  g_assert_cmpuint (((CsSnapshot *) g_ptr_array_index (snaps, change_at + 1))->changed, ==, 0);
  check_snapshot_consistent (next, ds);
  /* R = 2 from the change on: re-initialised every second clustering epoch. */
  g_assert_false (next->reinitialised);
  g_assert_true (((CsSnapshot *) g_ptr_array_index (snaps, change_at + 1))->reinitialised);
}

static void
test_deterministic (void)
{
  g_autoptr (CsDataset) ds = synthetic (3);
  CsSettings s;
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (GPtrArray) b = NULL;

  small_settings (&s, 5);
  s.pretrain_epochs = 3;
  s.epochs = 3;
  a = run (ds, &s, 0, NULL);
  b = run (ds, &s, 0, NULL);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      CsSnapshot *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);
      g_assert_cmpfloat (x->metrics.loss_rec, ==, y->metrics.loss_rec);
      g_assert_cmpfloat (x->metrics.acc, ==, y->metrics.acc);
      g_assert_cmpmem (x->clusters, x->n * 2, y->clusters, y->n * 2);
      g_assert_cmpmem (x->codes, x->n * x->m * 4, y->codes, y->n * y->m * 4);
    }
}

/* Cluster identities survive re-initialisation: once converged, labels barely change. */
static void
test_identity_kept (void)
{
  g_autoptr (CsDataset) ds = synthetic (4);
  CsSettings s;
  g_autoptr (GPtrArray) snaps = NULL;
  CsSnapshot *last;

  small_settings (&s, 5);
  snaps = run (ds, &s, 0, NULL);
  last = g_ptr_array_index (snaps, snaps->len - 1);
  g_assert_true (last->reinitialised);
  g_assert_cmpfloat (last->metrics.label_change, <, 0.05);
}

typedef struct
{
  CsTrainer *trainer;
  GMutex lock;
  GCond cond;
  guint epochs_seen;
} PauseState;

static void
count_snapshot (CsSnapshot *snap, gpointer data)
{
  PauseState *p = data;

  g_mutex_lock (&p->lock);
  p->epochs_seen++;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static gpointer
run_thread (gpointer data)
{
  PauseState *p = data;
  GError *error = NULL;
  gboolean ok = cs_trainer_run (p->trainer, NULL, &error);

  g_assert_false (ok);
  g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
  g_error_free (error);
  return NULL;
}

/* Pause holds the worker; cancel ends it even while paused. The model can be copied (and
 * saved) at any point, from another thread. */
static void
test_pause_cancel (void)
{
  g_autoptr (CsDataset) ds = synthetic (5);
  CsSettings s;
  PauseState p = { 0 };
  GThread *thread;
  guint seen;
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.bin", NULL);
  g_autofree char *saved = NULL;
  gsize saved_len = 0;
  g_autoptr (GBytes) running_copy = NULL;
  g_autoptr (GBytes) paused_copy = NULL;
  g_autoptr (GBytes) final_copy = NULL;
  CsAutoencoder *loaded;

  small_settings (&s, 5);
  s.pretrain_epochs = 1000;
  p.trainer = cs_trainer_new (ds, &s, &error);
  g_assert_no_error (error);
  g_mutex_init (&p.lock);
  g_cond_init (&p.cond);
  cs_trainer_set_snapshot_func (p.trainer, count_snapshot, &p);
  thread = g_thread_new ("train", run_thread, &p);

  g_mutex_lock (&p.lock);
  while (p.epochs_seen < 1)
    g_cond_wait (&p.cond, &p.lock);
  g_mutex_unlock (&p.lock);

  /* The model can be copied while the run goes on: the training thread hands it over. */
  running_copy = cs_trainer_dup_model (p.trainer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (running_copy);

  cs_trainer_pause (p.trainer);
  g_assert_true (cs_trainer_is_paused (p.trainer));
  /* At most the epoch in flight finishes; then nothing moves. */
  g_usleep (300 * 1000);
  g_mutex_lock (&p.lock);
  seen = p.epochs_seen;
  g_mutex_unlock (&p.lock);
  g_usleep (300 * 1000);
  g_mutex_lock (&p.lock);
  g_assert_cmpuint (p.epochs_seen, ==, seen);
  g_mutex_unlock (&p.lock);

  /* Paused: copies come at once, are the same twice, load back, and the run stays paused. */
  paused_copy = cs_trainer_dup_model (p.trainer, &error);
  g_assert_no_error (error);
  g_assert_true (cs_trainer_save_model (p.trainer, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, &saved_len, NULL));
  g_assert_cmpmem (saved, saved_len, g_bytes_get_data (paused_copy, NULL),
                   g_bytes_get_size (paused_copy));
  g_assert_cmpuint (g_bytes_get_size (running_copy), ==, g_bytes_get_size (paused_copy));
  loaded = cs_autoencoder_load (path, s.batch_size, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->dims[loaded->code_layer], ==, s.embedding_dim);
  cs_autoencoder_free (loaded);
  g_assert_true (cs_trainer_is_paused (p.trainer));
  g_mutex_lock (&p.lock);
  g_assert_cmpuint (p.epochs_seen, ==, seen);
  g_mutex_unlock (&p.lock);

  cs_trainer_cancel (p.trainer);
  g_thread_join (thread);
  /* Cancelled while paused: no batch ran after the paused copy. */
  final_copy = cs_trainer_dup_model (p.trainer, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (final_copy, paused_copy));
  g_unlink (path);
  g_rmdir (dir);
  cs_trainer_unref (p.trainer);
  g_mutex_clear (&p.lock);
  g_cond_clear (&p.cond);
}

/* cs_trainer_dup_model_async asked during epoch 2 gets the model at the end of epoch 2: its
 * codes are that epoch's snapshot's. Nothing blocks: the run goes on, the answer comes later
 * through the main context. */
typedef struct
{
  CsTrainer *trainer;
  guint ask_at;
  float *codes; /* the snapshot's codes at ask_at */
  GBytes *model;
  GError *error;
  gboolean asked;
  guint answers;
} AsyncModel;

static void
model_ready (GObject *object, GAsyncResult *result, gpointer data)
{
  AsyncModel *a = data;

  g_assert_null (object);
  a->model = cs_trainer_dup_model_finish (result, &a->error);
  a->answers++;
}

/* Asked while epoch ask_at trains: answered once it has ended. */
static void
ask_for_model (guint epoch, CsPhase phase, guint batch, guint n_batches, gpointer data)
{
  AsyncModel *a = data;

  if (epoch == a->ask_at && !a->asked)
    {
      a->asked = TRUE;
      cs_trainer_dup_model_async (a->trainer, NULL, model_ready, a);
    }
}

static void
keep_codes (CsSnapshot *snap, gpointer data)
{
  AsyncModel *a = data;

  if (snap->epoch == a->ask_at)
    {
      g_assert_nonnull (snap->codes);
      a->codes = g_memdup2 (snap->codes, snap->n * snap->m * sizeof (float));
    }
}

static void
test_model_async (void)
{
  g_autoptr (CsDataset) ds = synthetic (5);
  g_autofree char *dir = g_dir_make_tmp ("cs-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.bin", NULL);
  g_autofree float *codes = NULL;
  g_autoptr (GBytes) final = NULL;
  g_autoptr (GBytes) epoch2 = NULL;
  AsyncModel a = { 0 };
  CsAutoencoder *loaded;
  CsSettings s;
  GError *error = NULL;

  small_settings (&s, 5);
  /* Epoch 2 ends pretraining, so its codes are encoded afresh (the earlier pretraining epochs
   * show the training pass's own), and two clustering epochs follow. */
  s.pretrain_epochs = 2;
  s.epochs = 2;
  a.ask_at = 2;
  a.trainer = cs_trainer_new (ds, &s, &error);
  g_assert_no_error (error);
  cs_trainer_set_progress_func (a.trainer, ask_for_model, &a);
  cs_trainer_set_snapshot_func (a.trainer, keep_codes, &a);
  g_assert_true (cs_trainer_run (a.trainer, NULL, &error));
  g_assert_no_error (error);

  /* The answer waits for the main context, even though the run is over. */
  g_assert_cmpuint (a.answers, ==, 0);
  while (a.answers == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (a.error);
  g_assert_nonnull (a.model);
  g_assert_nonnull (a.codes);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (a.model, NULL),
                                      g_bytes_get_size (a.model), NULL));
  loaded = cs_autoencoder_load (path, s.batch_size, NULL, NULL, &error);
  g_assert_no_error (error);
  codes = g_new (float, ds->n *s.embedding_dim);
  cs_autoencoder_encode (loaded, ds->x, ds->n, codes);
  g_assert_cmpmem (codes, ds->n * s.embedding_dim * sizeof (float), a.codes,
                   ds->n * s.embedding_dim * sizeof (float));
  cs_autoencoder_free (loaded);

  /* With the run over, the copy comes at once (through the main context) and is the last,
   * which two more epochs have moved away from epoch 2's. */
  epoch2 = g_steal_pointer (&a.model);
  cs_trainer_dup_model_async (a.trainer, NULL, model_ready, &a);
  while (a.answers == 1)
    g_main_context_iteration (NULL, TRUE);
  final = cs_trainer_dup_model (a.trainer, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (a.model, final));
  g_assert_false (g_bytes_equal (epoch2, final));

  g_clear_pointer (&a.model, g_bytes_unref);
  g_free (a.codes);
  cs_trainer_unref (a.trainer);
  g_unlink (path);
  g_rmdir (dir);
}

/* A saved model loads back and clustering continues from it without pretraining. */
static void
test_save_load_model (void)
{
  g_autoptr (CsDataset) ds = synthetic (6);
  g_autofree char *dir = g_dir_make_tmp ("cs-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.bin", NULL);
  CsSettings s;
  CsTrainer *trainer = NULL;
  g_autoptr (CsTrainer) again = NULL;
  g_autoptr (GPtrArray) first = NULL;
  g_autoptr (GPtrArray) second = NULL;
  GError *error = NULL;
  CsSnapshot *a, *b;
  Collect c;

  small_settings (&s, 5);
  s.epochs = 3;
  first = run (ds, &s, 0, &trainer);
  g_assert_true (cs_trainer_save_model (trainer, path, &error));
  g_assert_no_error (error);
  cs_trainer_unref (trainer);

  s.epochs = 2;
  again = cs_trainer_new (ds, &s, &error);
  g_assert_true (cs_trainer_load_model (again, path, &error));
  g_assert_no_error (error);
  c = (Collect){ g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref), again, 0, 0,
                 0 };
  cs_trainer_set_snapshot_func (again, collect_snapshot, &c);
  g_assert_true (cs_trainer_run (again, NULL, &error));
  second = c.snaps;
  /* No pretraining, and it starts where the first run ended. */
  g_assert_cmpuint (second->len, ==, 2);
  b = g_ptr_array_index (second, 0);
  a = g_ptr_array_index (first, first->len - 1);
  g_assert_cmpint (b->phase, ==, CS_PHASE_CLUSTER);
  g_assert_cmpfloat (fabs (b->metrics.acc - a->metrics.acc), <, 0.05);

  g_unlink (path);
  g_rmdir (dir);
}

/* DEC and IDEC continue from a loaded model with its centroids: the first epoch's target comes
 * from the model's codes, not from a buffer nothing had written yet (on all 70 000
 * Fashion-MNIST images, DEC put every point in one cluster in its first epoch). With a learning
 * rate too small to move anything, the epoch's KL loss is the one of those codes' target. */
static void
test_load_model_dec_target (void)
{
  g_autoptr (CsDataset) ds = synthetic (6);
  g_autofree char *dir = g_dir_make_tmp ("cs-trainer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.bin", NULL);
  g_autofree float *centroids = NULL, *codes = NULL, *p = NULL, *q = NULL;
  CsSettings s;
  CsTrainer *trainer = NULL;
  g_autoptr (CsTrainer) again = NULL;
  g_autoptr (GPtrArray) first = NULL;
  CsAutoencoder *loaded;
  GError *error = NULL;
  const CsSnapshot *snap;
  double kl = 0.0;
  guint k = 0;
  Collect c;

  small_settings (&s, 5);
  s.epochs = 2;
  first = run (ds, &s, 0, &trainer);
  g_assert_true (cs_trainer_save_model (trainer, path, &error));
  g_assert_no_error (error);
  cs_trainer_unref (trainer);

  loaded = cs_autoencoder_load (path, s.batch_size, &centroids, &k, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (k, ==, 5);
  codes = g_new (float, ds->n *s.embedding_dim);
  q = g_new (float, ds->n *k);
  p = g_new (float, ds->n *k);
  cs_autoencoder_encode (loaded, ds->x, ds->n, codes);
  cs_autoencoder_free (loaded);
  cs_dec_soft_assign (codes, ds->n, s.embedding_dim, centroids, k, q);
  cs_dec_target (q, ds->n, k, p);
  for (gsize i = 0; i < ds->n * k; i++)
    kl += p[i] > 0.0f ? p[i] * log ((double) p[i] / q[i]) : 0.0;
  kl /= ds->n;

  for (guint a = 0; a < 2; a++)
    {
      s.algorithm = a == 0 ? CS_ALGORITHM_DEC : CS_ALGORITHM_IDEC;
      s.epochs = 1;
      s.lr = 1e-6;
      again = cs_trainer_new (ds, &s, &error);
      g_assert_true (cs_trainer_load_model (again, path, &error));
      g_assert_no_error (error);
      c = (Collect){ g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref), again, 0,
                     0, 0 };
      cs_trainer_set_snapshot_func (again, collect_snapshot, &c);
      g_assert_true (cs_trainer_run (again, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (c.snaps->len, ==, 1);
      snap = g_ptr_array_index (c.snaps, 0);
      g_assert_cmpint (snap->phase, ==, CS_PHASE_CLUSTER);
      g_assert_cmpfloat (kl, >, 0.0);
      g_assert_cmpfloat (fabs (snap->metrics.loss_clu - kl), <, 1e-3 * kl);
      g_ptr_array_unref (c.snaps);
      g_clear_pointer (&again, cs_trainer_unref);
    }

  g_unlink (path);
  g_rmdir (dir);
}

/* DEC drops the decoder, so its reconstruction loss grows by design (here 1.19 times its best
 * by the second clustering epoch): the divergence guard, however tight, does not stop DEC for
 * it. */
static void
test_dec_guard (void)
{
  g_autoptr (CsDataset) ds = synthetic (8);
  g_autoptr (GPtrArray) snaps = NULL;
  const CsSnapshot *last;
  CsSettings s;

  small_settings (&s, 5);
  s.algorithm = CS_ALGORITHM_DEC;
  s.pretrain_epochs = 5;
  s.epochs = 4;
  s.dec_tol = 0;
  s.divergence_factor = 1.000001;
  snaps = run (ds, &s, 0, NULL);
  last = g_ptr_array_index (snaps, snaps->len - 1);
  g_assert_cmpuint (last->epoch, ==, 9);
  g_assert_cmpfloat (last->metrics.loss_rec, >,
                     1.000001
                         * ((const CsSnapshot *) g_ptr_array_index (snaps, 5))->metrics.loss_rec);
}

static void
test_run_folder (void)
{
  g_autoptr (CsDataset) ds = synthetic (7);
  g_autofree char *dir = g_dir_make_tmp ("cs-run-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "run", NULL);
  g_autofree char *metrics = g_build_filename (sub, "metrics.csv", NULL);
  g_autofree char *labels = g_build_filename (sub, "labels.csv", NULL);
  g_autofree char *config = g_build_filename (sub, "config.json", NULL);
  g_autofree char *model = g_build_filename (sub, "model.bin", NULL);
  g_autofree char *text = NULL;
  g_autofree char *spec = NULL;
  g_auto (GStrv) lines = NULL;
  CsTrainer *trainer = NULL;
  g_autoptr (GBytes) model_bytes = NULL;
  g_autoptr (GPtrArray) snaps = NULL;
  CsSettings s, back;
  GError *error = NULL;

  small_settings (&s, 5);
  s.pretrain_epochs = 2;
  s.epochs = 2;
  snaps = run (ds, &s, 0, &trainer);
  model_bytes = cs_trainer_dup_model (trainer, &error);
  g_assert_no_error (error);
  g_assert_true (cs_run_write_folder (sub, &s, "synthetic", ds, (CsSnapshot *const *) snaps->pdata,
                                      snaps->len, model_bytes, &error));
  g_assert_no_error (error);
  cs_trainer_unref (trainer);

  g_assert_true (g_file_get_contents (metrics, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==,
                   "epoch,phase,loss_rec,loss_clu,acc,nmi,ari,label_change,inertia,seconds,"
                   "k,lr,reinit_every,reinit_mode,alpha,lambda");
  g_assert_cmpuint (g_strv_length (lines), ==, 4 + 2); /* header, 4 rows, empty tail */
  g_assert_true (g_str_has_prefix (lines[1], "1,pretrain,"));
  g_assert_true (g_str_has_prefix (lines[4], "4,cluster,"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&lines, g_strfreev);

  g_assert_true (g_file_get_contents (labels, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "id,label,cluster,confidence,x,y,z_0,z_1,z_2,z_3,z_4");
  g_assert_cmpuint (g_strv_length (lines), ==, ds->n + 2);

  cs_settings_init_default (&back);
  g_assert_true (cs_run_read_config (config, &back, &spec, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (spec, ==, "synthetic");
  g_assert_cmpmem (&back, sizeof back, &s, sizeof s);
  g_assert_true (g_file_test (model, G_FILE_TEST_EXISTS));

  /* A folder that cannot be created is an error that names it; nothing is written. */
  g_clear_pointer (&sub, g_free);
  sub = g_build_filename (metrics, "nested", NULL);
  g_assert_false (cs_run_write_folder (sub, &s, "synthetic", ds, NULL, 0, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "nested"));
  g_clear_error (&error);

  g_unlink (metrics);
  g_unlink (labels);
  g_unlink (config);
  g_unlink (model);
  {
    g_autofree char *rd = g_build_filename (dir, "run", NULL);
    g_rmdir (rd);
  }
  g_rmdir (dir);
}

static void
test_invalid (void)
{
  g_autoptr (CsDataset) ds = synthetic (8);
  CsSettings s;
  GError *error = NULL;

  small_settings (&s, 5);
  s.k = (guint) ds->n + 1;
  g_assert_null (cs_trainer_new (ds, &s, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);
  small_settings (&s, 5);
  s.lr = 0;
  g_assert_null (cs_trainer_new (ds, &s, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  /* Values the network cannot train on, named by sample and feature. */
  small_settings (&s, 2);
  for (guint i = 0; i < 3; i++)
    {
      const float bad[] = { NAN, INFINITY, 1e30f };
      const char *says[] = { "sample 1, feature 2 is NaN", "sample 1, feature 2 is infinite",
                             "values as large as 1e+30 overflow" };
      float *x = g_new0 (float, 12);
      g_autoptr (CsDataset) odd = NULL;

      x[5] = bad[i];
      odd = cs_dataset_new_take ("odd", "odd.csv", x, 4, 3, NULL, 0);
      g_assert_null (cs_trainer_new (odd, &s, &error));
      g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, says[i]));
      g_clear_error (&error);
    }
}

/* A run that splits every product over three threads (test-autoencoder has the same for
 * single steps) gives the numbers of a run on one thread, bit for bit: the codes, clusters and
 * losses of every epoch and the final model. */
static void
test_thread_count (void)
{
  g_autoptr (CsDataset) ds = synthetic (9);
  CsSettings s;
  GPtrArray *runs[2];
  GBytes *models[2];

  small_settings (&s, 5);
  /* Layers wide enough to be split: batch x in x out well above the threshold. */
  s.hidden[0] = 256;
  s.hidden[1] = 512;
  s.batch_size = 256;
  s.pretrain_epochs = 2;
  s.epochs = 2;
  for (guint r = 0; r < 2; r++)
    {
      GError *error = NULL;
      CsTrainer *trainer;

      /* The network takes as many threads as OpenBLAS has when it is made. */
      openblas_set_num_threads (r == 0 ? 1 : 3);
      runs[r] = run (ds, &s, 0, &trainer);
      models[r] = cs_trainer_dup_model (trainer, &error);
      g_assert_no_error (error);
      cs_trainer_unref (trainer);
    }
  openblas_set_num_threads (1);
  g_assert_cmpuint (runs[0]->len, ==, runs[1]->len);
  for (guint i = 0; i < runs[0]->len; i++)
    {
      CsSnapshot *x = g_ptr_array_index (runs[0], i), *y = g_ptr_array_index (runs[1], i);

      g_assert_cmpfloat (x->metrics.loss_rec, ==, y->metrics.loss_rec);
      /* NaN in pretraining: compared as bits. */
      g_assert_cmpmem (&x->metrics.loss_clu, sizeof (double), &y->metrics.loss_clu,
                       sizeof (double));
      g_assert_cmpmem (x->clusters, x->n * 2, y->clusters, y->n * 2);
      g_assert_cmpmem (x->codes, x->n * x->m * 4, y->codes, y->n * y->m * 4);
    }
  g_assert_true (g_bytes_equal (models[0], models[1]));
  for (guint r = 0; r < 2; r++)
    {
      g_ptr_array_unref (runs[r]);
      g_bytes_unref (models[r]);
    }
}

/* With the adaptive thread count on, a run trains as usual and leaves OpenBLAS with the
 * threads it had (whatever the load made it use meanwhile). */
static void
test_adaptive_threads (void)
{
  g_autoptr (CsDataset) ds = synthetic (7);
  CsSettings s;
  GError *error = NULL;
  CsTrainer *trainer;

  small_settings (&s, 5);
  s.pretrain_epochs = 3;
  s.epochs = 2;
  openblas_set_num_threads (2);
  trainer = cs_trainer_new (ds, &s, &error);
  g_assert_no_error (error);
  cs_trainer_set_adaptive_threads (trainer, TRUE);
  g_assert_true (cs_trainer_run (trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (openblas_get_num_threads (), ==, 2);
  g_assert_cmpuint (cs_trainer_get_thread_switches (trainer), <, 100);
  cs_trainer_unref (trainer);
  /* The other tests' numbers are the one-thread ones. */
  openblas_set_num_threads (1);
}

/* A run that would not fit is refused by cs_trainer_new, before anything is allocated, with
 * where the memory would go. */
static void
test_memory_limit (void)
{
  g_autoptr (CsDataset) ds = synthetic (0);
  g_autoptr (GError) error = NULL;
  CsTrainer *trainer;
  CsSettings s;

  small_settings (&s, 5);
  g_setenv ("CS_MEMORY_LIMIT", "64k", TRUE);
  trainer = cs_trainer_new (ds, &s, &error);
  g_assert_null (trainer);
  g_assert_error (error, CS_ERROR, CS_ERROR_NO_MEMORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "network"));
  g_assert_nonnull (strstr (error->message, "history of 23 epochs"));
  g_clear_error (&error);

  g_setenv ("CS_MEMORY_LIMIT", "64M", TRUE);
  trainer = cs_trainer_new (ds, &s, &error);
  g_assert_no_error (error);
  cs_trainer_unref (trainer);
  g_unsetenv ("CS_MEMORY_LIMIT");
}

/* A scripted t-SNE run: the view switched to PCA and back, a pause, a divergence that pauses
 * and goes back an epoch, a model asked for, a checkpoint every epoch; or a cancel. */
typedef struct
{
  CsTrainer *trainer;
  gboolean cancel; /* cancel in epoch 2 instead of following the script */
  GString *events; /* "s3 c3 ..." snapshots, checkpoints, divergences in their order */
  GPtrArray *snaps;
  GPtrArray *checkpoints;
  GBytes *model;
  guint model_answers;
  guint done; /* bit per scripted step */
  guint paused_last_epoch;
} TsneScript;

static void
script_snapshot (CsSnapshot *snap, gpointer data)
{
  TsneScript *t = data;

  g_string_append_printf (t->events, "s%u ", snap->epoch);
  g_ptr_array_add (t->snaps, cs_snapshot_ref (snap));
}

static void
script_checkpoint (guint epoch, GBytes *bytes, gboolean notable, gpointer data)
{
  TsneScript *t = data;

  g_string_append_printf (t->events, "c%u ", epoch);
  g_ptr_array_add (t->checkpoints, g_bytes_ref (bytes));
}

static void
script_diverged (guint bad_epoch, guint good_epoch, const char *message, gpointer data)
{
  TsneScript *t = data;
  CsSettings s;

  g_string_append_printf (t->events, "d%u-%u ", bad_epoch, good_epoch);
  cs_trainer_get_settings (t->trainer, &s);
  s.lr = 1e-3;
  cs_trainer_request_settings (t->trainer, &s, CS_SETTING_LR);
  cs_trainer_resume (t->trainer);
}

static void
script_model (GObject *object, GAsyncResult *result, gpointer data)
{
  TsneScript *t = data;

  t->model = cs_trainer_dup_model_finish (result, NULL);
  t->model_answers++;
}

/* Once the run pauses (in epoch 3): it delivers epoch 2 while it waits, whether that epoch's
 * frame was done before the pause or not; then it goes on. */
static gpointer
script_resumer (gpointer data)
{
  TsneScript *t = data;
  gint64 deadline;

  while (!cs_trainer_is_paused (t->trainer))
    g_usleep (2000);
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (CsSnapshot) last = cs_trainer_dup_last_snapshot (t->trainer);

      t->paused_last_epoch = last ? last->epoch : 0;
      if (t->paused_last_epoch >= 2)
        break;
      g_usleep (2000);
    }
  g_assert_true (cs_trainer_is_paused (t->trainer));
  cs_trainer_resume (t->trainer);
  return NULL;
}

static void
script_progress (guint epoch, CsPhase phase, guint batch, guint n_batches, gpointer data)
{
  TsneScript *t = data;
  CsSettings s;
  guint step;
  /* At batch 4 of these epochs: cancel (cancel run), PCA, t-SNE again, pause, a learning rate
   * that diverges, the model. The pause, the divergence and the model come after t-SNE
   * epochs, whose frames may still be on their way. */
  static const guint at[] = { 2, 4, 5, 3, 7, 8 };

  if (batch != 4)
    return;
  for (step = 0; step < G_N_ELEMENTS (at) && at[step] != epoch; step++)
    ;
  if (step == G_N_ELEMENTS (at) || (t->done & (1u << step)))
    return;
  t->done |= 1u << step;
  cs_trainer_get_settings (t->trainer, &s);
  if (t->cancel)
    {
      if (step == 0)
        cs_trainer_cancel (t->trainer);
      return;
    }
  switch (step)
    {
    case 1:
      s.projection = CS_PROJECTION_PCA;
      cs_trainer_request_settings (t->trainer, &s, CS_SETTING_PROJECTION);
      break;
    case 2:
      s.projection = CS_PROJECTION_TSNE;
      cs_trainer_request_settings (t->trainer, &s, CS_SETTING_PROJECTION);
      break;
    case 3:
      cs_trainer_pause (t->trainer);
      break;
    case 4:
      s.lr = 5.0;
      cs_trainer_request_settings (t->trainer, &s, CS_SETTING_LR);
      break;
    case 5:
      cs_trainer_dup_model_async (t->trainer, NULL, script_model, t);
      break;
    default:
      break;
    }
}

static void
run_tsne_script (TsneScript *t, const CsDataset *ds, gboolean projection_inline, gboolean cancel)
{
  CsSettings s;
  GError *error = NULL;
  GThread *resumer;
  gboolean ok;

  small_settings (&s, 5);
  s.pretrain_epochs = 3;
  s.epochs = 6;
  s.projection = CS_PROJECTION_TSNE;
  memset (t, 0, sizeof *t);
  t->cancel = cancel;
  t->events = g_string_new (NULL);
  t->snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  t->checkpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  t->trainer = cs_trainer_new ((CsDataset *) ds, &s, &error);
  g_assert_no_error (error);
  cs_trainer_set_projection_inline (t->trainer, projection_inline);
  cs_trainer_set_snapshot_func (t->trainer, script_snapshot, t);
  cs_trainer_set_progress_func (t->trainer, script_progress, t);
  cs_trainer_set_checkpoint_func (t->trainer, 1, script_checkpoint, t);
  cs_trainer_set_pause_on_divergence (t->trainer, TRUE, script_diverged, t);
  resumer = cancel ? NULL : g_thread_new ("resumer", script_resumer, t);
  ok = cs_trainer_run (t->trainer, NULL, &error);
  if (cancel)
    {
      g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
      g_assert_false (ok);
      g_clear_error (&error);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_thread_join (resumer);
      while (t->model_answers == 0)
        g_main_context_iteration (NULL, TRUE);
    }
}

static void
tsne_script_clear (TsneScript *t)
{
  g_string_free (t->events, TRUE);
  g_ptr_array_unref (t->snaps);
  g_ptr_array_unref (t->checkpoints);
  g_clear_pointer (&t->model, g_bytes_unref);
  cs_trainer_unref (t->trainer);
}

static void
assert_same_snapshot (const CsSnapshot *x, const CsSnapshot *y)
{
  g_assert_cmpuint (x->epoch, ==, y->epoch);
  g_assert_cmpuint (x->settings.projection, ==, y->settings.projection);
  g_assert_cmpmem (x->xy, x->n * 2 * sizeof (float), y->xy, y->n * 2 * sizeof (float));
  g_assert_cmpmem (x->centroids_xy, x->k * 2 * sizeof (float), y->centroids_xy,
                   y->k * 2 * sizeof (float));
  g_assert_cmpmem (x->codes, x->n * x->m * sizeof (float), y->codes, y->n * y->m * sizeof (float));
  g_assert_cmpmem (x->clusters, x->n * 2, y->clusters, y->n * 2);
}

/* t-SNE frames on a thread of their own while the next epoch trains give what frames on the
 * training thread give, byte for byte and in the same order: snapshots, checkpoints (their
 * t-SNE section completed once the frame is done), the model asked for at an epoch's end,
 * through a switch to PCA and back, a pause (which shows the last epoch before it waits), a
 * divergence that goes back an epoch (the guard's copy of the layout), and a cancel (the
 * frame on its way still goes out, and the run leaves no thread behind). */
static void
test_tsne_thread (void)
{
  g_autoptr (CsDataset) ds = synthetic (6);
  TsneScript a, b, c;

  run_tsne_script (&a, ds, TRUE, FALSE);
  run_tsne_script (&b, ds, FALSE, FALSE);
  g_test_message ("inline: %s", a.events->str);
  g_test_message ("thread: %s", b.events->str);
  /* The script did what it says: a PCA frame, a divergence, a pause in epoch 3. */
  g_assert_nonnull (strstr (a.events->str, "d7-6"));
  g_assert_cmpuint (((CsSnapshot *) a.snaps->pdata[4])->settings.projection, ==, CS_PROJECTION_PCA);
  g_assert_cmpuint (((CsSnapshot *) a.snaps->pdata[5])->settings.projection, ==,
                    CS_PROJECTION_TSNE);
  g_assert_cmpuint (a.paused_last_epoch, ==, 2);
  g_assert_cmpuint (b.paused_last_epoch, ==, 2);

  g_assert_cmpstr (a.events->str, ==, b.events->str);
  g_assert_cmpuint (a.snaps->len, ==, b.snaps->len);
  for (guint i = 0; i < a.snaps->len; i++)
    assert_same_snapshot (a.snaps->pdata[i], b.snaps->pdata[i]);
  g_assert_cmpuint (a.checkpoints->len, ==, b.checkpoints->len);
  for (guint i = 0; i < a.checkpoints->len; i++)
    g_assert_true (g_bytes_equal (a.checkpoints->pdata[i], b.checkpoints->pdata[i]));
  g_assert_nonnull (a.model);
  g_assert_true (g_bytes_equal (a.model, b.model));
  {
    g_autoptr (CsSnapshot) la = cs_trainer_dup_last_snapshot (a.trainer);
    g_autoptr (CsSnapshot) lb = cs_trainer_dup_last_snapshot (b.trainer);

    assert_same_snapshot (la, lb);
  }

  /* Cancelled while epoch 2 trains, most likely with epoch 1's frame (a cold one) on its way. */
  run_tsne_script (&c, ds, FALSE, TRUE);
  g_assert_cmpstr (c.events->str, ==, "s1 c1 ");
  assert_same_snapshot (c.snaps->pdata[0], a.snaps->pdata[0]);
  {
    g_autoptr (CsSnapshot) last = cs_trainer_dup_last_snapshot (c.trainer);

    g_assert_true (last == c.snaps->pdata[0]);
  }
  tsne_script_clear (&a);
  tsne_script_clear (&b);
  tsne_script_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trainer/roy-synthetic", test_roy_synthetic);
  g_test_add_func ("/trainer/dkm-aekm", test_dkm_and_aekm);
  g_test_add_func ("/trainer/prototypes", test_prototypes);
  g_test_add_func ("/trainer/dec-idec", test_dec_idec);
  g_test_add_func ("/trainer/report-optimizer", test_report_and_optimizer);
  g_test_add_func ("/trainer/warmup", test_warmup);
  g_test_add_func ("/trainer/live-settings", test_live_settings);
  g_test_add_func ("/trainer/deterministic", test_deterministic);
  g_test_add_func ("/trainer/identity", test_identity_kept);
  g_test_add_func ("/trainer/pause-cancel", test_pause_cancel);
  g_test_add_func ("/trainer/save-load", test_save_load_model);
  g_test_add_func ("/trainer/load-model-dec-target", test_load_model_dec_target);
  g_test_add_func ("/trainer/dec-guard", test_dec_guard);
  g_test_add_func ("/trainer/model-async", test_model_async);
  g_test_add_func ("/trainer/run-folder", test_run_folder);
  g_test_add_func ("/trainer/invalid", test_invalid);
  g_test_add_func ("/trainer/thread-count", test_thread_count);
  g_test_add_func ("/trainer/memory-limit", test_memory_limit);
  g_test_add_func ("/trainer/adaptive-threads", test_adaptive_threads);
  g_test_add_func ("/trainer/tsne-thread", test_tsne_thread);
  return g_test_run ();
}
