/* cs-hungarian.h: the linear assignment problem (Hungarian / Jonker-Volgenant style).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* cost: rows x cols, row-major, any finite values; rows and cols may differ.
 * Minimises the summed cost of a matching of size min(rows, cols).
 * row_to_col[r] receives the matched column or -1 (when rows > cols).
 * Returns the total cost of the matching. */
double cs_hungarian_min (const double *cost,
                         guint         rows,
                         guint         cols,
                         gint         *row_to_col);

G_END_DECLS
