/* cs-controls.h: the settings panel (dataset, algorithm, hyper-parameters, schedule).
 *
 * Its setting rows are made from the settings table and bound to the application's GSettings,
 * which is the truth for the next run (the controller follows it).
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

/* While a run is active only the settings a running job accepts stay editable. */
void cs_controls_set_running (CsControls *self, gboolean running);
/* Stores what is typed in a spin button that still has focus. */
void cs_controls_commit (CsControls *self);

void cs_controls_set_dataset_info (CsControls *self,
                                   const char *title,
                                   const char *subtitle,
                                   gboolean loading);
void cs_controls_set_dataset_menu (CsControls *self, GMenuModel *menu);

/* Sets one setting by its GSettings key name ("k", "learning-rate", "pretrain-epochs",
 * "algorithm", ...) as a user would. Numbers may be any numeric GVariant (clamped to the
 * setting's range); enums take their nicks. FALSE when unknown. Consumes a floating value. */
gboolean cs_controls_set_named (CsControls *self, const char *name, GVariant *value);

/* The widgets, for tests and for the window's actions. */
GtkSpinButton *cs_controls_get_lr_spin (CsControls *self);
GtkSpinButton *cs_controls_get_k_spin (CsControls *self);

G_END_DECLS
