/* cs-controls.h: the settings panel (dataset, algorithm, hyper-parameters, schedule).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-settings.h"

G_BEGIN_DECLS

#define CS_TYPE_CONTROLS (cs_controls_get_type ())
G_DECLARE_FINAL_TYPE (CsControls, cs_controls, CS, CONTROLS, AdwPreferencesPage)

/* Shows settings without emitting "changed". */
void cs_controls_set_settings (CsControls *self, const CsSettings *settings);
/* Overwrites the fields the panel edits; the others in settings stay. */
void cs_controls_get_settings (CsControls *self, CsSettings *settings);
/* While a run is active only the settings a running job accepts stay editable. */
void cs_controls_set_running (CsControls *self, gboolean running);

void cs_controls_set_dataset_info (CsControls *self,
                                   const char *title,
                                   const char *subtitle,
                                   gboolean loading);
void cs_controls_set_dataset_menu (CsControls *self, GMenuModel *menu);

/* Sets one setting by its GSettings key name ("k", "learning-rate", "pretrain-epochs",
 * "algorithm", ...) as a user would, so "changed" follows. Numbers may be any numeric
 * GVariant; "algorithm" and "reinit-mode" take their string names. FALSE when unknown. */
gboolean cs_controls_set_named (CsControls *self, const char *name, GVariant *value);

/* The widgets, for tests and for the window's actions. */
GtkSpinButton *cs_controls_get_lr_spin (CsControls *self);
GtkSpinButton *cs_controls_get_k_spin (CsControls *self);

G_END_DECLS
