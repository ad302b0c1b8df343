/* cs-history-model.h: the run's history as a GListModel with a cursor on the epoch shown.
 *
 * The views observe one model, the way GTK widgets share a selection model: scrubbing is one
 * change of "position" (and so of "current"), and a new view only has to observe it.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-history.h"
#include "cs-snapshot-item.h"

G_BEGIN_DECLS

#define CS_TYPE_HISTORY_MODEL (cs_history_model_get_type ())
G_DECLARE_FINAL_TYPE (CsHistoryModel, cs_history_model, CS, HISTORY_MODEL, GObject)

/* Items are CsSnapshotItem; keep_full as for cs_history_new(). */
CsHistoryModel *cs_history_model_new (guint keep_full);
/* The snapshots themselves, for code that wants the plain array (plots, exports). */
CsHistory *cs_history_model_get_history (CsHistoryModel *self);

/* A new epoch. The cursor moves to it while it follows the newest epoch. */
void cs_history_model_append (CsHistoryModel *self, CsSnapshot *snapshot);
/* Forgets every epoch; the cursor goes to -1 and follows again. */
void cs_history_model_clear (CsHistoryModel *self);
/* Keeps the first n epochs; the cursor goes to the last of them and follows again. */
void cs_history_model_truncate (CsHistoryModel *self, guint n);

/* The index of the epoch shown, -1 when the history is empty. Clamped to the history. */
gint cs_history_model_get_position (CsHistoryModel *self);
void cs_history_model_set_position (CsHistoryModel *self, gint position);
/* The snapshot at the cursor, or NULL. */
CsSnapshot *cs_history_model_get_current (CsHistoryModel *self);
/* TRUE while the cursor is on the newest epoch (or the history is empty): new epochs move it. */
gboolean cs_history_model_get_follows (CsHistoryModel *self);

G_END_DECLS
