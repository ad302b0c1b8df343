/* bench-reproject: one past epoch drawn again in PCA, LDA and t-SNE from its checkpoint.
 *
 * Usage: bench-reproject [SPEC [REPEAT]]   (SPEC: fashion-mnist-test by default)
 * Trains two pretraining epochs of the default network in PCA, writing each checkpoint, then
 * times what the window's re-projection does for an epoch whose codes are no longer in
 * memory: reading the checkpoint's codes alone, and the whole re-projection (read, fit,
 * project) in PCA, in LDA, in t-SNE cold (no layout to continue from) and in t-SNE warm
 * (continued from the other epoch's layout). Fastest of REPEAT (3) for all but the cold
 * t-SNE, which runs once. Run it with OPENBLAS_NUM_THREADS=1: the window's re-projection
 * runs on one thread.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "cs-checkpoint.h"
#include "cs-dataset-load.h"
#include "cs-reproject.h"
#include "cs-trainer.h"

typedef struct
{
  GPtrArray *snaps;
  char *dir;
} Collect;

static void
on_snapshot (CsSnapshot *snap, gpointer data)
{
  g_ptr_array_add (((Collect *) data)->snaps, cs_snapshot_dup_light (snap));
}

static char *
checkpoint_file (const char *dir, guint epoch)
{
  g_autofree char *name = cs_checkpoint_file_name (epoch, FALSE);

  return g_build_filename (dir, name, NULL);
}

static void
on_checkpoint (guint epoch, GBytes *bytes, gboolean notable, gpointer data)
{
  g_autofree char *path = checkpoint_file (((Collect *) data)->dir, epoch);
  gsize len;
  const char *p = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents (path, p, (gssize) len, NULL))
    g_error ("cannot write %s", path);
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static CsReprojection *
reproject (CsDataset *ds,
           const char *path,
           CsSnapshot *epoch,
           CsProjectionKind kind,
           const CsReprojection *from,
           double *seconds)
{
  g_autoptr (GError) error = NULL;
  CsReprojectOptions options;
  CsReprojection *r;
  double t0 = now ();

  cs_reproject_options_init (&options, kind);
  if (from != NULL)
    {
      options.tsne_layout = from->layout;
      options.tsne_n = from->layout_n;
    }
  r = cs_reproject_checkpoint (ds, path, epoch, &options, NULL, &error);
  if (r == NULL)
    g_error ("%s", error->message);
  *seconds = now () - t0;
  return r;
}

int
main (int argc, char *argv[])
{
  const char *spec = argc > 1 ? argv[1] : "fashion-mnist-test";
  guint repeat = argc > 2 ? (guint) atoi (argv[2]) : 3;
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  g_autofree char *path1 = NULL, *path2 = NULL;
  CsLoadOptions load;
  CsSettings s;
  Collect c = { g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref), NULL };
  double best[4] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE }, cold, t;
  CsReprojection *first_tsne;

  cs_load_options_init (&load);
  ds = cs_dataset_load (spec, &load, &error);
  if (ds == NULL)
    g_error ("%s", error->message);
  c.dir = g_dir_make_tmp ("bench-reproject-XXXXXX", &error);
  cs_settings_init_default (&s);
  s.pretrain_epochs = 2;
  s.epochs = 0;
  trainer = cs_trainer_new (ds, &s, &error);
  if (trainer == NULL)
    g_error ("%s", error->message);
  cs_trainer_set_snapshot_func (trainer, on_snapshot, &c);
  cs_trainer_set_checkpoint_func (trainer, 1, on_checkpoint, &c);
  if (!cs_trainer_run (trainer, NULL, &error))
    g_error ("%s", error->message);
  path1 = checkpoint_file (c.dir, 1);
  path2 = checkpoint_file (c.dir, 2);
  {
    GStatBuf st;

    if (g_stat (path2, &st) != 0)
      g_error ("cannot stat %s", path2);
    printf ("%s: %zu points, codes of dimension %u; a checkpoint of %.1f MB\n", ds->name, ds->n,
            s.embedding_dim, st.st_size / 1e6);
  }

  for (guint r = 0; r < repeat; r++)
    {
      g_autoptr (CsCheckpoint) ck = NULL;
      g_autofree float *codes = NULL;
      double t0 = now ();

      ck = cs_checkpoint_load (path2, &error);
      codes = ck ? cs_trainer_checkpoint_dup_codes (ck, ds, NULL, NULL, &error) : NULL;
      if (codes == NULL)
        g_error ("%s", error->message);
      best[0] = MIN (best[0], now () - t0);
      cs_reprojection_free (reproject (ds, path2, c.snaps->pdata[1], CS_PROJECTION_PCA, NULL, &t));
      best[1] = MIN (best[1], t);
      cs_reprojection_free (reproject (ds, path2, c.snaps->pdata[1], CS_PROJECTION_LDA, NULL, &t));
      best[2] = MIN (best[2], t);
    }
  first_tsne = reproject (ds, path1, c.snaps->pdata[0], CS_PROJECTION_TSNE, NULL, &cold);
  for (guint r = 0; r < repeat; r++)
    {
      cs_reprojection_free (
          reproject (ds, path2, c.snaps->pdata[1], CS_PROJECTION_TSNE, first_tsne, &t));
      best[3] = MIN (best[3], t);
    }
  printf ("read the checkpoint's codes  %8.3f s\n", best[0]);
  printf ("PCA (read, fit, project)     %8.3f s\n", best[1]);
  printf ("LDA (read, fit, project)     %8.3f s\n", best[2]);
  printf ("t-SNE cold (read, lay out)   %8.3f s  (once)\n", cold);
  printf ("t-SNE warm, from epoch 1     %8.3f s\n", best[3]);
  cs_reprojection_free (first_tsne);
  g_unlink (path1);
  g_unlink (path2);
  g_rmdir (c.dir);
  g_free (c.dir);
  g_ptr_array_unref (c.snaps);
  return 0;
}
