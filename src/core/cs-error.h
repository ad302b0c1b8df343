/* cs-error.h: the engine's error domain.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_ERROR (cs_error_quark ())

typedef enum
{
  CS_ERROR_FAILED,    /* generic failure */
  CS_ERROR_FORMAT,    /* a file's content is malformed */
  CS_ERROR_IO,        /* a file could not be read or written */
  CS_ERROR_INVALID,   /* a setting or argument is out of range */
  CS_ERROR_CANCELLED, /* the user stopped the work */
  CS_ERROR_NO_MEMORY, /* the work needs more memory than the machine has free */
  CS_ERROR_DIVERGED,  /* training diverged; the last good epoch was restored */
} CsError;

GQuark cs_error_quark (void);

G_END_DECLS
