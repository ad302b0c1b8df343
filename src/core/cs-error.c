/* cs-error.c: the engine's error domain.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include "cs-error.h"

G_DEFINE_QUARK (cs - error - quark, cs_error)
