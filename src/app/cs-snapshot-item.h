/* cs-snapshot-item.h: one epoch of the history as a GObject, the item of CsHistoryModel.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cs-snapshot.h"

G_BEGIN_DECLS

#define CS_TYPE_SNAPSHOT_ITEM (cs_snapshot_item_get_type ())
G_DECLARE_FINAL_TYPE (CsSnapshotItem, cs_snapshot_item, CS, SNAPSHOT_ITEM, GObject)

CsSnapshotItem *cs_snapshot_item_new (CsSnapshot *snapshot);
CsSnapshot *cs_snapshot_item_get_snapshot (CsSnapshotItem *self);

G_END_DECLS
