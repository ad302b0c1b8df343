/* fuzz-checkpoint.c: libFuzzer harness for the checkpoint file (cs_checkpoint_parse, then
 * cs_trainer_new_from_checkpoint and the restore at the start of cs_trainer_run), which
 * `--resume` and the window's branches read.
 *
 * The checkpoints are of one small dataset, made here; the seeds in corpus/checkpoint were
 * written on it by
 *   clusterscope-cli -d synthetic-blobs --synthetic-n 40 --synthetic-d 4 --synthetic-k 2 -k 2
 *     --hidden 8 -m 2 -p 2 -e 2 --batch-size 8 --checkpoint-every 1 -o DIR
 * so that mutations get past the data fingerprint into the sections.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-checkpoint.h"
#include "cs-trainer.h"
#include "fuzz-common.h"

static CsDataset *
fuzz_dataset (void)
{
  static CsDataset *dataset;

  if (dataset == NULL)
    {
      CsSyntheticOptions options;

      cs_synthetic_options_init (&options);
      options.n = 40;
      options.d = 4;
      options.k = 2;
      options.kind = CS_SYNTHETIC_BLOBS;
      dataset = cs_dataset_new_synthetic (&options);
    }
  return dataset;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CsCheckpoint *ck = cs_checkpoint_parse (bytes, "fuzz.ckpt", &error);
  CsTrainer *trainer;

  g_assert ((ck == NULL) != (error == NULL));
  if (ck == NULL)
    return 0;
  /* A forged network must not make the fuzzer allocate gigabytes. */
  g_setenv ("CS_MEMORY_LIMIT", "256M", TRUE);
  trainer = cs_trainer_new_from_checkpoint (fuzz_dataset (), ck, &error);
  g_assert ((trainer == NULL) != (error == NULL));
  if (trainer != NULL)
    {
      gboolean ok;

      /* Cancelled before the first batch: the run restores the state and stops (or ends at
       * once when the checkpoint is of its last epoch). */
      g_cancellable_cancel (cancellable);
      ok = cs_trainer_run (trainer, cancellable, &error);
      g_assert (ok == (error == NULL));
      cs_trainer_unref (trainer);
    }
  return 0;
}
