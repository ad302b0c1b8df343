/* cs-history.h: the epochs of one run, oldest first, as the window and the CLI keep them.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-snapshot.h"

G_BEGIN_DECLS

typedef struct _CsHistory CsHistory;

/* Snapshots older than the newest keep_full lose their latent codes (cs_snapshot_dup_light):
 * the plots and metrics.csv need only the 2-D view, so a 100-epoch run on 70 000 points stays
 * small, while labels.csv still gets the codes of the last epoch. Not thread-safe: one owner
 * (the main loop, or the CLI under its lock). */
CsHistory *cs_history_new (guint keep_full);
CsHistory *cs_history_ref (CsHistory *self);
void cs_history_unref (CsHistory *self);

/* Appends snapshot (a new reference). Returns the index of the older snapshot that was replaced
 * by its light copy, or -1 when none was. */
gint cs_history_append (CsHistory *self, CsSnapshot *snapshot);
void cs_history_clear (CsHistory *self);
/* Keeps the first n epochs (a branch continues after them). */
void cs_history_truncate (CsHistory *self, guint n);

guint cs_history_get_n (CsHistory *self);
guint cs_history_get_keep_full (CsHistory *self);
/* NULL when index is out of range. The pointer stays valid while the snapshot is in the history
 * and not yet replaced by its light copy; take a reference to keep it longer. */
CsSnapshot *cs_history_get (CsHistory *self, guint index);
CsSnapshot *cs_history_get_latest (CsHistory *self);
/* The snapshots as an array (oldest first), valid until the next append or clear. */
CsSnapshot *const *cs_history_peek (CsHistory *self, guint *n);

/* The first index of the centroid trail drawn behind epoch index: the clustering epochs just
 * before it with the same K, at most max_length of them. Returns index when there is no trail. */
guint cs_history_get_trail_start (CsHistory *self, guint index, guint max_length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsHistory, cs_history_unref)

G_END_DECLS
