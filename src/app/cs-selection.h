/* cs-selection.h: the points the user picked, as one byte per point, shared by the views.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How a new pick combines with the selection: the plain gesture replaces it, Shift adds to it,
 * Ctrl takes away from it. */
typedef enum
{
  CS_SELECT_REPLACE,
  CS_SELECT_ADD,
  CS_SELECT_REMOVE,
} CsSelectMode;

/* The mode the modifiers held during a gesture ask for. */
CsSelectMode cs_select_mode_from_state (GdkModifierType state);

#define CS_TYPE_SELECTION (cs_selection_get_type ())
G_DECLARE_FINAL_TYPE (CsSelection, cs_selection, CS, SELECTION, GObject)

/* Indexes of the dataset's points, stable across epochs: the selection outlives a move of
 * the timeline, so the user watches where the group goes. "changed" after every change;
 * "count" notifies too when the number selected changes. */
CsSelection *cs_selection_new (void);

/* A new empty selection over n points (a new dataset). */
void cs_selection_reset (CsSelection *self, gsize n);
gsize cs_selection_get_size (CsSelection *self);
gsize cs_selection_get_count (CsSelection *self);
/* get_size () bytes, non-zero where selected; NULL when the size is 0. Valid until the next
 * reset. */
const guint8 *cs_selection_get_mask (CsSelection *self);
gboolean cs_selection_contains (CsSelection *self, gsize index);

/* Combines mask (get_size () bytes, non-zero: picked) with the selection. */
void cs_selection_apply (CsSelection *self, const guint8 *mask, CsSelectMode mode);
void cs_selection_clear (CsSelection *self);
void cs_selection_select_all (CsSelection *self);

/* The selected indexes in increasing order (count of them). */
GArray *cs_selection_dup_indexes (CsSelection *self);

G_END_DECLS
