/* cs-kchoice-view.h: inertia and silhouette against K; a click picks a K.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-plot-view.h"

G_BEGIN_DECLS

#define CS_TYPE_KCHOICE_VIEW (cs_kchoice_view_get_type ())
G_DECLARE_FINAL_TYPE (CsKChoiceView, cs_kchoice_view, CS, KCHOICE_VIEW, CsPlotView)

/* Emits "k-activated" (guint k) when a K's column is clicked. */
GtkWidget *cs_kchoice_view_new (void);

/* The Ks shown (k_min .. k_max, NAN where not computed yet); copied. */
void cs_kchoice_view_set_values (CsKChoiceView *self,
                                 guint k_min,
                                 guint k_max,
                                 const double *inertia,
                                 const double *silhouette);
void cs_kchoice_view_set_current_k (CsKChoiceView *self, guint k);
void cs_kchoice_view_get_params (CsKChoiceView *self, CsKChoiceParams *params);

G_END_DECLS
