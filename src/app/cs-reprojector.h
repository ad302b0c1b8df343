/* cs-reprojector.h: past epochs drawn again in the projection in force, lazily, off the main
 * thread.
 *
 * Each epoch of the history was projected as the settings of its epoch said. When the
 * projection in force is another one, the epoch at the history's cursor is re-projected on a
 * worker thread (cs_reproject: from its codes when the snapshot still has them, else from its
 * checkpoint in the window's cache) and kept in a bounded cache of frames, so that scrubbing
 * back and forth is instant. Work for an epoch the cursor has left, or for a projection no
 * longer in force, is cancelled. Views and exports ask for the frame to draw with
 * cs_reprojector_lookup, which never blocks.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-checkpoint-cache.h"
#include "cs-dataset.h"
#include "cs-history-model.h"
#include "cs-settings.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

/* What the frame of an epoch is, in the projection in force. */
typedef enum
{
  CS_REPROJECT_NONE,    /* the epoch was made in it: draw it as it is */
  CS_REPROJECT_READY,   /* a re-projected frame is ready */
  CS_REPROJECT_WORKING, /* being re-projected (or about to be): the old frame is out of date */
  CS_REPROJECT_MISSING, /* its checkpoint is no longer in the cache: it cannot be re-projected */
  CS_REPROJECT_FAILED,  /* re-projecting failed (cs_reprojector_get_error says why) */
} CsReprojectState;

/* How many re-projected frames are kept (the least recently shown go first). */
#define CS_REPROJECTOR_MAX_FRAMES 32

#define CS_TYPE_REPROJECTOR (cs_reprojector_get_type ())
G_DECLARE_FINAL_TYPE (CsReprojector, cs_reprojector, CS, REPROJECTOR, GObject)

/* Follows history's cursor. Checkpoints are looked up in cache (borrowed: it must outlive the
 * reprojector, or at least its cs_reprojector_shutdown). */
CsReprojector *cs_reprojector_new (CsHistoryModel *history, CsCheckpointCache *cache);
/* Cancels the work, lets go of the history, and returns once no work reads the cache any
 * more (work under way may go on, without it, until it notices the cancellation): the cache
 * can then be freed. Nothing starts after it. */
void cs_reprojector_shutdown (CsReprojector *self);
/* The dataset of the history's epochs (their checkpoints' data), and the run's folder in the
 * cache (owned by the cache). Either change forgets every frame. */
void cs_reprojector_set_source (CsReprojector *self, CsDataset *dataset, const char *cache_run);

void cs_reprojector_set_projection (CsReprojector *self, CsProjectionKind kind);
CsProjectionKind cs_reprojector_get_projection (CsReprojector *self);

/* The frame to draw for epoch (a snapshot of the history) in the projection in force: a
 * re-projected copy when one is ready (owned by the reprojector, valid until the next change
 * of the main loop), otherwise NULL; *state says which case it is. trail and n_trail (may be
 * NULL) receive the centroid trail that goes with a re-projected frame (its earlier epochs'
 * centroids in the same projection; none for t-SNE, which has no map for centroids). Starts
 * no work. */
CsSnapshot *cs_reprojector_lookup (CsReprojector *self,
                                   CsSnapshot *epoch,
                                   CsReprojectState *state,
                                   CsSnapshot *const **trail,
                                   guint *n_trail);
/* history (n epochs) with each epoch whose frame in the projection in force is ready replaced
 * by that frame: a new array of references, for a run folder. */
GPtrArray *cs_reprojector_dup_history (CsReprojector *self, CsSnapshot *const *history, guint n);
/* The state of the epoch at the history's cursor ("state" property). */
CsReprojectState cs_reprojector_get_state (CsReprojector *self);
/* Why the epoch at the cursor could not be re-projected, or NULL. */
const char *cs_reprojector_get_error (CsReprojector *self);
/* Cancels the work under way and forgets every frame. */
void cs_reprojector_clear (CsReprojector *self);

G_END_DECLS
