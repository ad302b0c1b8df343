/* cs-types.h: forward declarations shared by the engine, the plots and the app.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsAutoencoder CsAutoencoder;
typedef struct _CsContingency CsContingency;
typedef struct _CsDataset CsDataset;
typedef struct _CsProjection CsProjection;
typedef struct _CsRng CsRng;
typedef struct _CsSettings CsSettings;
typedef struct _CsSnapshot CsSnapshot;
typedef struct _CsTrainer CsTrainer;

G_END_DECLS
