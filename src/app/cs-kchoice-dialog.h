/* cs-kchoice-dialog.h: "Choose K": a K-means sweep over K on the latent codes, drawn as it
 * fills in; a click on a K sets the job's K.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-kchoice-view.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

#define CS_TYPE_KCHOICE_DIALOG (cs_kchoice_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsKChoiceDialog, cs_kchoice_dialog, CS, KCHOICE_DIALOG, AdwWindow)

/* Transient for parent; a click on a K activates parent's "win.set-k" and the mark follows
 * settings' "k". */
CsKChoiceDialog *cs_kchoice_dialog_new (GtkWindow *parent, GSettings *settings);

/* Starts the sweep on snapshot's codes (it must have them; a reference is kept) on a worker
 * thread, K from 2 to 30 (at most the number of points), seeded with seed. */
void cs_kchoice_dialog_start (CsKChoiceDialog *self, CsSnapshot *snapshot, guint64 seed);
gboolean cs_kchoice_dialog_is_running (CsKChoiceDialog *self);
/* Ks done so far. */
guint cs_kchoice_dialog_get_n_done (CsKChoiceDialog *self);
CsKChoiceView *cs_kchoice_dialog_get_view (CsKChoiceDialog *self);
/* The plot as shown (light style, 900 x 600) into path: .png, .svg or .pdf, atomically. */
gboolean cs_kchoice_dialog_export_to (CsKChoiceDialog *self, const char *path, GError **error);

G_END_DECLS
