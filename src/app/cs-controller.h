/* cs-controller.h: one window's run: dataset, settings, the training thread and its history.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-dataset.h"
#include "cs-history-model.h"
#include "cs-reprojector.h"
#include "cs-settings.h"
#include "cs-snapshot.h"
#include "cs-trainer.h"

G_BEGIN_DECLS

typedef enum
{
  CS_RUN_IDLE,     /* no run yet, or after Reset */
  CS_RUN_RUNNING,  /* the worker is training */
  CS_RUN_PAUSED,   /* the worker waits on its condition variable */
  CS_RUN_STOPPING, /* cancelled, the worker has not returned yet */
  CS_RUN_FINISHED, /* the run ended (completed, stopped or failed); its history stays */
} CsRunState;

#define CS_TYPE_CONTROLLER (cs_controller_get_type ())
G_DECLARE_FINAL_TYPE (CsController, cs_controller, CS, CONTROLLER, GObject)

CsController *cs_controller_new (void);

CsRunState cs_controller_get_state (CsController *self);
/* TRUE while a worker thread exists (running, paused or stopping). */
gboolean cs_controller_is_active (CsController *self);

/* Dataset ----------------------------------------------------------------------------- */

/* Starts loading spec (see cs_dataset_load) off the main thread. The current dataset is
 * replaced only once the new one loaded fully; a failure emits "error" and keeps it. A newer
 * request cancels an older one that has not finished. Refused while a run is active. */
void cs_controller_load_dataset (CsController *self, const char *spec);
gboolean cs_controller_is_loading (CsController *self);
CsDataset *cs_controller_get_dataset (CsController *self);
const char *cs_controller_get_dataset_spec (CsController *self);

/* Settings ---------------------------------------------------------------------------- */

void cs_controller_get_settings (CsController *self, CsSettings *out);
/* Settings for the next run. While a run is active the fields in mask that a running job
 * accepts (CS_SETTING_*) are requested from the trainer; the rest wait for the next run. */
void
cs_controller_set_settings (CsController *self, const CsSettings *settings, CsSettingMask mask);
/* Takes the settings that have a GSettings key from gsettings, now and whenever they change;
 * a live one changed during a run is requested from the trainer at once. */
void cs_controller_follow_settings (CsController *self, GSettings *gsettings);
/* A model (model.bin of a saved run) to start the next run from, or NULL. */
void cs_controller_set_model_path (CsController *self, const char *path);

/* Run --------------------------------------------------------------------------------- */

/* Starts a new run on the current dataset (clearing the history), or resumes a paused one. */
gboolean cs_controller_start (CsController *self, GError **error);
void cs_controller_pause (CsController *self);
void cs_controller_resume (CsController *self);
/* Continues the run from the epoch at history index: from its checkpoint in the cache, with the
 * current settings from the next epoch on; the later epochs are replaced. A paused run is
 * stopped first and the branch starts when its worker has returned. */
gboolean cs_controller_continue_from (CsController *self, guint index, GError **error);
/* Cancels the worker; it returns within a batch and the state becomes FINISHED. */
void cs_controller_stop (CsController *self);
/* Blocks until the checkpoints queued for the cache are written (and their buffers freed). */
void cs_controller_flush_checkpoints (CsController *self);
/* Stops any run and forgets its history. */
void cs_controller_reset (CsController *self);

void cs_controller_get_progress (
    CsController *self, guint *epoch, CsPhase *phase, guint *batch, guint *n_batches);
/* Epochs of the current (or next) run: pretraining plus clustering. */
guint cs_controller_get_total_epochs (CsController *self);

/* History ----------------------------------------------------------------------------- */

/* The epochs of the current (or last) run and the cursor on the one shown: the views observe
 * it, the timeline moves it. Cleared when a run starts or the dataset changes. */
CsHistoryModel *cs_controller_get_history_model (CsController *self);

guint cs_controller_get_n_history (CsController *self);
CsSnapshot *const *cs_controller_get_history (CsController *self, guint *n);
CsSnapshot *cs_controller_get_snapshot (CsController *self, guint index);
CsSnapshot *cs_controller_get_latest (CsController *self);
/* The epochs of the history re-projected in the projection in force (the settings'), for the
 * views and exports (cs-reprojector.h). */
CsReprojector *cs_controller_get_reprojector (CsController *self);
/* The file of epoch's checkpoint in the window's cache, or NULL. With wait, once the
 * checkpoints queued have been written (it blocks until then: not for the main loop while
 * training); without, those still queued (the newest epochs', which have their codes) are not
 * found. */
char *cs_controller_lookup_checkpoint (CsController *self, guint epoch, gboolean wait);
/* The trainer of the current (or last) run, or NULL. */
CsTrainer *cs_controller_get_trainer (CsController *self);

/* What a run folder needs beyond the dataset and the history, for writing it on another thread
 * (cs_run_write_folder): the settings in force, the dataset spec (g_free) and the trainer (a
 * new reference; NULL before the first epoch). FALSE with error when there is nothing to save. */
gboolean cs_controller_get_run_to_save (CsController *self,
                                        CsSettings *settings,
                                        char **dataset_spec,
                                        CsTrainer **trainer,
                                        GError **error);

G_END_DECLS
