/* cs-checkpoint-cache.h: the window's checkpoints of recent epochs, on disk, in bounded space.
 *
 * Each run gets a folder under the cache root (by default the user cache directory's
 * clusterscope/checkpoints). Checkpoints are written on a thread of the cache's own, so that
 * training does not wait for the disk; when the root holds more than the limit, the oldest
 * files go first, those marked to keep (re-initialisations, settings changes) only when nothing
 * else is left, and never a run's newest. A run's folder is removed when the cache is freed;
 * the folders of runs whose process has gone without removing them (killed, crashed) are
 * removed when a cache starts and whenever it prunes, so they cannot fill the budget.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsCheckpointCache CsCheckpointCache;

/* root NULL: the user cache directory's clusterscope/checkpoints. */
CsCheckpointCache *cs_checkpoint_cache_new (const char *root,
                                            guint64     limit_bytes);
/* Waits for pending writes, removes the folders of the runs it made. */
void cs_checkpoint_cache_free (CsCheckpointCache *self);

void cs_checkpoint_cache_set_limit (CsCheckpointCache *self,
                                    guint64            limit_bytes);
/* A new run's folder (owned by the cache; valid until it is freed). */
const char *cs_checkpoint_cache_new_run (CsCheckpointCache *self);
/* Any thread: queues the checkpoint of epoch for writing. When two are already waiting this
 * one is dropped (returns FALSE): a slow disk costs checkpoints, not memory. */
gboolean cs_checkpoint_cache_put (CsCheckpointCache *self,
                                  const char        *run,
                                  guint              epoch,
                                  GBytes            *bytes,
                                  gboolean           keep_longer);
/* Blocks until every queued checkpoint is written (or failed). */
void cs_checkpoint_cache_flush (CsCheckpointCache *self);
/* The checkpoint file of epoch in run, or NULL when it is not (or no longer) there. */
char *cs_checkpoint_cache_lookup (CsCheckpointCache *self,
                                  const char        *run,
                                  guint              epoch);
/* Removes run's checkpoints after epoch (a branch replaces them). */
void cs_checkpoint_cache_drop_after (CsCheckpointCache *self,
                                     const char        *run,
                                     guint              epoch);
/* Bytes the root holds now. */
guint64 cs_checkpoint_cache_get_size (CsCheckpointCache *self);

G_END_DECLS
