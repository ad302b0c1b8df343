/* cs-animation.h: frames drawn with Cairo, written as a WebM video or an animated GIF.
 *
 * A callback draws each frame on an image surface, one at a time, so an animation of hundreds
 * of epochs never holds more than a frame or two of pixels. WebM goes through GStreamer (VP8 in
 * a WebM container), GIF through giflib with one 256-colour palette for the whole animation.
 * Both are written atomically (cs-file.h): a failed or cancelled export leaves the old file or
 * none, never a part of one. Nothing here knows about GTK; it runs on any thread.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "cs-plot.h"

G_BEGIN_DECLS

typedef enum
{
  CS_ANIMATION_WEBM,
  CS_ANIMATION_GIF,
} CsAnimationFormat;

/* From the extension (.webm, .gif, any case); FALSE when unknown. */
gboolean cs_animation_format_from_path (const char *path, CsAnimationFormat *out);

/* Whether this machine can write format: GStreamer starts and has the elements the WebM
 * pipeline needs. The error names the Debian package to install. GIF is always available. */
gboolean cs_animation_check_format (CsAnimationFormat format, GError **error);

/* Draws frame (0 .. n_frames - 1) on cr, which is already filled with the style's background. */
typedef void (*CsAnimationDrawFunc) (
    cairo_t *cr, double width, double height, guint frame, gpointer user_data);
/* Called on the writing thread after each frame is encoded. */
typedef void (*CsAnimationProgressFunc) (guint done, guint total, gpointer user_data);

typedef struct
{
  CsAnimationFormat format;
  guint width, height;      /* pixels, 16 .. 8192 */
  double fps;               /* frames per second, 0.1 .. 60 (a GIF rounds its delay to 1/100 s) */
  guint n_frames;           /* at least 1 */
  const CsPlotStyle *style; /* the frames' background; NULL: light */
  CsAnimationDrawFunc draw;
  CsAnimationProgressFunc progress; /* may be NULL */
  gpointer user_data;               /* for draw and progress */
} CsAnimationParams;

/* Fills params with 4 frames per second of 1600 x 1000 pixels, WebM, no callbacks. */
void cs_animation_params_init (CsAnimationParams *params);

/* Draws every frame and writes path. cancellable is checked between frames: cancelled, the
 * file is left as it was and the error is G_IO_ERROR_CANCELLED. Errors: CS_ERROR_INVALID for
 * parameters out of range, CS_ERROR_FAILED for a GStreamer that cannot encode (naming the
 * package), CS_ERROR_IO for the write. The WebM is assembled in memory before it is written
 * (the muxer goes back to write the duration and the seek index): about 45 KB per frame of
 * a scatter at 1600 x 1000. */
gboolean cs_animation_write (const char *path,
                             const CsAnimationParams *params,
                             GCancellable *cancellable,
                             GError **error);

G_END_DECLS
