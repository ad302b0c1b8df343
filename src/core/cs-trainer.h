/* cs-trainer.h: one training run: pretraining, K-means initialisation, clustering epochs.
 *
 * cs_trainer_run() blocks and is meant for a worker thread. Everything else is safe to call
 * from any thread while it runs: requested settings are read at batch (learning rate) or
 * epoch (K, R, alpha, lambda) boundaries; pause waits on a condition variable; cancel is
 * checked every batch.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-checkpoint.h"
#include "cs-dataset.h"
#include "cs-settings.h"
#include "cs-snapshot.h"
#include "cs-types.h"

G_BEGIN_DECLS

/* Called on the worker thread once per epoch. The callee does not own the snapshot: take a
 * reference to keep it (and hand it to the main loop). With a t-SNE view, an epoch's snapshot
 * (and its checkpoint, which holds the layout) is delivered once its frame, computed on a
 * thread of its own while the next epoch trains, is done: at a batch boundary of the next
 * epoch, before a pause, or at the run's end; the order of the callbacks is unchanged. */
typedef void (*CsSnapshotFunc) (CsSnapshot *snapshot,
                                gpointer    user_data);

/* Called on the worker thread every few batches. */
typedef void (*CsProgressFunc) (guint    epoch,
                                CsPhase  phase,
                                guint    batch,
                                guint    n_batches,
                                gpointer user_data);

CsTrainer *cs_trainer_new   (CsDataset        *dataset,
                             const CsSettings *settings,
                             GError          **error);
/* A trainer that continues a run from a checkpoint (cs_checkpoint_load, or the bytes a
 * CsCheckpointFunc received): same settings, network, optimiser, centroids and random state,
 * so that its epochs are those the original run would have had, byte for byte. The dataset
 * must be the one the checkpoint was made on (its shape and a fingerprint are checked). Takes
 * ownership of checkpoint. Settings requested before the run apply from the next epoch. */
CsTrainer *cs_trainer_new_from_checkpoint (CsDataset    *dataset,
                                           CsCheckpoint *checkpoint,
                                           GError      **error);
/* The latent codes (n x m, g_free) a checkpoint holds: those the trainer projected at the end
 * of its epoch, byte for byte. The dataset must be the one it was made on (as above). epoch and
 * m (may be NULL) receive the checkpoint's epoch and the code dimension. */
float     *cs_trainer_checkpoint_dup_codes (CsCheckpoint    *checkpoint,
                                            const CsDataset *dataset,
                                            guint           *epoch,
                                            guint           *m,
                                            GError         **error);
/* The epoch a resumed trainer continues after (0 for a new run). */
guint      cs_trainer_get_start_epoch     (CsTrainer *self);
/* DEC / IDEC: the epoch at which the run ended because its labels settled (fewer than dec_tol
 * changed between target updates), or 0. Read after cs_trainer_run returns. */
guint      cs_trainer_get_converged_epoch (CsTrainer *self);
CsTrainer *cs_trainer_ref   (CsTrainer *self);
void       cs_trainer_unref (CsTrainer *self);

void cs_trainer_set_snapshot_func (CsTrainer      *self,
                                   CsSnapshotFunc  func,
                                   gpointer        user_data);
/* Before the run: compute t-SNE frames on the training thread, in its epochs' critical path, as
 * before they had a thread of their own (also CS_PROJECTION_INLINE=1 in the environment). The
 * bytes are the same either way; only the time differs (bench/bench-epoch --tsne). */
void cs_trainer_set_projection_inline (CsTrainer *self,
                                       gboolean   projection_inline);
void cs_trainer_set_progress_func (CsTrainer      *self,
                                   CsProgressFunc  func,
                                   gpointer        user_data);

/* Called on the worker thread at the end of every epoch that is a multiple of every, with the
 * checkpoint's bytes (cs_checkpoint_parse reads them); the callee refs what it keeps. notable:
 * the centroids were re-initialised or a setting changed in that epoch. */
typedef void (*CsCheckpointFunc) (guint    epoch,
                                  GBytes  *checkpoint,
                                  gboolean notable,
                                  gpointer user_data);
void cs_trainer_set_checkpoint_func (CsTrainer        *self,
                                     guint             every,
                                     CsCheckpointFunc  func,
                                     gpointer          user_data);

/* The divergence guard (settings.divergence_factor): an epoch whose reconstruction loss is not
 * a number, or exceeds the best of its phase so far by that factor, is undone (the trainer goes back to the
 * end of the last good epoch; nothing of the bad epoch is published). Then, by default, the run
 * ends with CS_ERROR_DIVERGED and a message "diverged at epoch N (...)" that names the setting
 * changed just before. With pause_on_divergence, the run pauses instead and func (if set) is
 * called on the worker with the same message and the last good epoch; resuming continues from
 * there, with whatever settings were requested meanwhile. */
typedef void (*CsDivergedFunc) (guint       bad_epoch,
                                guint       good_epoch,
                                const char *message,
                                gpointer    user_data);
void cs_trainer_set_pause_on_divergence (CsTrainer      *self,
                                         gboolean        pause,
                                         CsDivergedFunc  func,
                                         gpointer        user_data);

/* Loads autoencoder weights (and centroids if stored) before the run: pretraining is then
 * skipped and clustering starts from the loaded model. */
gboolean cs_trainer_load_model (CsTrainer  *self,
                                const char *path,
                                GError    **error);
/* The model file's bytes (autoencoder weights and current centroids), at any time from any
 * thread but the one in cs_trainer_run: during a run, the running thread copies its model at
 * the next batch boundary (at once when paused), so this may wait for up to a batch, or for an
 * epoch's encoding and K-means. NULL with an error before there is a model. */
GBytes *cs_trainer_dup_model (CsTrainer  *self,
                              GError    **error);
/* The same without blocking anyone: the running thread publishes the bytes at the end of its
 * current epoch (so they go with that epoch's snapshot, which reaches the main loop first), at
 * once when paused, or when the run ends; with no run on its way, the model is copied here.
 * The callback runs in the caller's thread-default main context. */
void    cs_trainer_dup_model_async  (CsTrainer           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GBytes *cs_trainer_dup_model_finish (GAsyncResult        *result,
                                     GError             **error);
/* cs_trainer_dup_model written to path, atomically. */
gboolean cs_trainer_save_model (CsTrainer  *self,
                                const char *path,
                                GError    **error);

/* Before the run: let it use as many threads as there are cores other programs leave free,
 * re-read twice a second at most (cs-thread-tuner.h); the count is restored at the end. The
 * numbers do not depend on the count (cs-autoencoder.c splits its work so that they do not),
 * only the speed. Off by default: with the engine's own threads, two are not slower than one
 * while other programs keep the cores busy, and faster when they keep both busy. */
void cs_trainer_set_adaptive_threads (CsTrainer *self,
                                      gboolean   adaptive);
/* After the run: how often the adaptive thread count changed its choice. */
guint cs_trainer_get_thread_switches (CsTrainer *self);

/* Runs every epoch. Returns FALSE with CS_ERROR_CANCELLED when cancelled. */
gboolean cs_trainer_run (CsTrainer    *self,
                         GCancellable *cancellable,
                         GError      **error);

/* Thread-safe: asks for the settings named in mask to take the values in settings. */
void cs_trainer_request_settings (CsTrainer        *self,
                                  const CsSettings *settings,
                                  CsSettingMask     mask);
/* Thread-safe copy of the settings in force (after the last applied request). */
void cs_trainer_get_settings (CsTrainer  *self,
                              CsSettings *out);
void cs_trainer_pause   (CsTrainer *self);
void cs_trainer_resume  (CsTrainer *self);
gboolean cs_trainer_is_paused (CsTrainer *self);
/* Thread-safe; wakes a paused run so that it can end. */
void cs_trainer_cancel  (CsTrainer *self);

CsDataset *cs_trainer_get_dataset (CsTrainer *self);
/* Latest snapshot (a new reference), or NULL before the first epoch. */
CsSnapshot *cs_trainer_dup_last_snapshot (CsTrainer *self);
/* The latent codes of every point after the last epoch (n x m), copied; NULL before. */
float *cs_trainer_dup_codes (CsTrainer *self,
                             guint     *m_out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsTrainer, cs_trainer_unref)

G_END_DECLS
