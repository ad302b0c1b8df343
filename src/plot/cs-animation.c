/* cs-animation.c: Cairo frames to WebM (GStreamer: appsrc ! videoconvert ! vp8enc ! webmmux)
 * or to an animated GIF (giflib, one palette quantised from sample frames).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-animation"

#include "config.h"

#include <gif_lib.h>
#include <glib/gi18n-lib.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "cs-animation.h"
#include "cs-error.h"
#include "cs-file.h"
#include "cs-plot-private.h"

#define MAX_SIDE 8192

gboolean
cs_animation_format_from_path (const char *path, CsAnimationFormat *out)
{
  g_autofree char *ext = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  ext = cs_plot_path_extension (path);
  if (ext != NULL && g_str_equal (ext, "webm"))
    *out = CS_ANIMATION_WEBM;
  else if (ext != NULL && g_str_equal (ext, "gif"))
    *out = CS_ANIMATION_GIF;
  else
    return FALSE;
  return TRUE;
}

void
cs_animation_params_init (CsAnimationParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->format = CS_ANIMATION_WEBM;
  params->width = 1600;
  params->height = 1000;
  params->fps = 4;
}

/* A frame: an opaque image surface filled with the background, then drawn by the caller. */
static void
draw_frame (cairo_surface_t *surface, const CsAnimationParams *params, guint frame)
{
  cairo_t *cr = cairo_create (surface);

  cs_plot_fill_background (cr, params->style, params->width, params->height);
  params->draw (cr, params->width, params->height, frame, params->user_data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
}

static gboolean
check_cancelled (GCancellable *cancellable, GError **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* WebM ------------------------------------------------------------------------------------ */

/* The pipeline's elements and the Debian package that has each. */
static const struct
{
  const char *element, *package;
} webm_elements[] = {
  { "appsrc", "gstreamer1.0-plugins-base" },        { "videoconvert", "gstreamer1.0-plugins-base" },
  { "vp8enc", "gstreamer1.0-plugins-good" },        { "webmmux", "gstreamer1.0-plugins-good" },
  { "giostreamsink", "gstreamer1.0-plugins-base" },
};

/* GStreamer starts on the first WebM export only: its registry scan costs a second the first
 * time, and a run that never exports a video should not pay it. */
static gboolean
ensure_gstreamer (GError **error)
{
  static gsize once = 0;
  static char *init_message = NULL;

  if (g_once_init_enter (&once))
    {
      GError *init_error = NULL;

      if (!gst_init_check (NULL, NULL, &init_error))
        {
          init_message = g_strdup (init_error ? init_error->message : "?");
          g_clear_error (&init_error);
        }
      g_once_init_leave (&once, 1);
    }
  if (init_message != NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FAILED,
                   _ ("GStreamer could not start, so no WebM video can be written (%s); a GIF "
                      "still can"),
                   init_message);
      return FALSE;
    }
  return TRUE;
}

gboolean
cs_animation_check_format (CsAnimationFormat format, GError **error)
{
  if (format == CS_ANIMATION_GIF)
    return TRUE;
  if (!ensure_gstreamer (error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (webm_elements); i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (webm_elements[i].element);

      if (factory == NULL)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FAILED,
                       _ ("Writing WebM video needs GStreamer’s “%s” element: install the "
                          "Debian package %s, or export a GIF"),
                       webm_elements[i].element, webm_elements[i].package);
          return FALSE;
        }
    }
  return TRUE;
}

/* The first error on the bus as a GError naming the file; FALSE when there is none. */
static gboolean
take_bus_error (GstBus *bus, GstClockTime timeout, const char *display, GError **error)
{
  g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (bus, timeout, GST_MESSAGE_ERROR);
  g_autoptr (GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  if (message == NULL)
    return FALSE;
  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("%s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), debug ? debug : "");
  g_set_error (error, CS_ERROR, CS_ERROR_FAILED, _ ("Could not encode “%s”: %s"), display,
               gst_error->message);
  return TRUE;
}

static GstElement *
make_element (GstElement *pipeline, const char *factory)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  /* cs_animation_check_format found every factory. */
  g_assert (element != NULL);
  gst_bin_add (GST_BIN (pipeline), element);
  return element;
}

/* Encodes every frame into memory: webmmux seeks back at the end to write the duration and the
 * cue index, which a seekable memory stream allows and a forward-only sink would not. */
static GBytes *
encode_webm (const CsAnimationParams *params,
             const char *display,
             GCancellable *cancellable,
             GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("cs-animation");
  g_autoptr (GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  g_autoptr (GstCaps) caps = NULL;
  GstElement *src, *convert, *encoder, *mux, *sink;
  gsize frame_bytes = (gsize) params->width * params->height * 4;
  gint fps_n, fps_d;
  gboolean ok = FALSE;

  src = make_element (pipeline, "appsrc");
  convert = make_element (pipeline, "videoconvert");
  encoder = make_element (pipeline, "vp8enc");
  mux = make_element (pipeline, "webmmux");
  sink = make_element (pipeline, "giostreamsink");
  if (!gst_element_link_many (src, convert, encoder, mux, sink, NULL))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FAILED, _ ("Could not encode “%s”: %s"), display,
                   "the GStreamer elements do not link");
      return NULL;
    }

  gst_util_double_to_fraction (params->fps, &fps_n, &fps_d);
  /* Cairo's ARGB32 is a native-endian 32-bit word: BGRA in memory on little-endian machines.
   * The frames are opaque, so the alpha byte is padding. */
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
                              G_BYTE_ORDER == G_LITTLE_ENDIAN ? "BGRx" : "xRGB", "width",
                              G_TYPE_INT, (int) params->width, "height", G_TYPE_INT,
                              (int) params->height, "framerate", GST_TYPE_FRACTION, fps_n, fps_d,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  /* block: the encoder sets the pace, so at most a few frames wait in memory. */
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, "block", TRUE, "max-bytes",
                (guint64) frame_bytes * 2, NULL);
  /* Plots are flat colours, thin lines and text: a constant quality that keeps their edges
   * (cq-level 10 of 63) matters more than the bit rate, which only caps it. "good" quality at
   * cpu-used 4 takes about 0.2 s per 1600 x 1000 frame of a scatter, drawing included. */
  g_object_set (encoder, "end-usage", 2 /* cq */, "cq-level", 10, "min-quantizer", 4,
                "max-quantizer", 40, "target-bitrate",
                (int) MIN (G_MAXINT, params->width * (double) params->height * params->fps),
                "cpu-used", 4, "threads", 2, "keyframe-max-dist",
                (int) MAX (1, ceil (params->fps * 5)), NULL);
  g_object_set (mux, "writing-app", "Clusterscope", NULL);
  g_object_set (sink, "stream", stream, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      if (!take_bus_error (bus, 0, display, error))
        g_set_error (error, CS_ERROR, CS_ERROR_FAILED, _ ("Could not encode “%s”: %s"), display,
                     "the GStreamer pipeline does not start");
      goto out;
    }

  for (guint i = 0; i < params->n_frames; i++)
    {
      g_autoptr (GstBuffer) buffer = NULL;
      GstMapInfo map;
      cairo_surface_t *surface;
      GstFlowReturn flow;
      GstClockTime pts, next;

      if (check_cancelled (cancellable, error) || take_bus_error (bus, 0, display, error))
        goto out;

      /* Cairo draws straight into the buffer GStreamer will encode. */
      buffer = gst_buffer_new_allocate (NULL, frame_bytes, NULL);
      gst_buffer_map (buffer, &map, GST_MAP_WRITE);
      surface
          = cairo_image_surface_create_for_data (map.data, CAIRO_FORMAT_RGB24, (int) params->width,
                                                 (int) params->height, (int) params->width * 4);
      draw_frame (surface, params, i);
      cairo_surface_destroy (surface);
      gst_buffer_unmap (buffer, &map);

      pts = gst_util_uint64_scale (i, GST_SECOND * (guint64) fps_d, (guint64) fps_n);
      next = gst_util_uint64_scale (i + 1, GST_SECOND * (guint64) fps_d, (guint64) fps_n);
      GST_BUFFER_PTS (buffer) = pts;
      GST_BUFFER_DURATION (buffer) = next - pts;
      flow = gst_app_src_push_buffer (GST_APP_SRC (src), g_steal_pointer (&buffer));
      if (flow != GST_FLOW_OK)
        {
          if (!take_bus_error (bus, GST_SECOND, display, error))
            g_set_error (error, CS_ERROR, CS_ERROR_FAILED, _ ("Could not encode “%s”: %s"), display,
                         gst_flow_get_name (flow));
          goto out;
        }
      if (params->progress != NULL)
        params->progress (i + 1, params->n_frames, params->user_data);
    }

  gst_app_src_end_of_stream (GST_APP_SRC (src));
  for (;;)
    {
      g_autoptr (GstMessage) message = gst_bus_timed_pop_filtered (
          bus, 100 * GST_MSECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

      if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
        break;
      if (message != NULL)
        {
          gst_bus_post (bus, g_steal_pointer (&message));
          take_bus_error (bus, 0, display, error);
          goto out;
        }
      if (check_cancelled (cancellable, error))
        goto out;
    }
  ok = TRUE;

out:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (!ok)
    return NULL;
  g_output_stream_close (stream, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (stream));
}

static gboolean
write_webm (CsFileSink *sink,
            const CsAnimationParams *params,
            const char *display,
            GCancellable *cancellable,
            GError **error)
{
  g_autoptr (GBytes) bytes = NULL;
  gconstpointer data;
  gsize size;

  if (!cs_animation_check_format (CS_ANIMATION_WEBM, error))
    return FALSE;
  bytes = encode_webm (params, display, cancellable, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  return cs_file_sink_write (sink, data, size, error);
}

/* GIF ------------------------------------------------------------------------------------- */

/* The plots are drawn from a few dozen colours (background, text, grid, the cluster palette)
 * plus their anti-aliased blends. The colours that cover many pixels get an exact palette
 * entry each, so flat areas, text and markers keep their true colour; median cut shares the
 * rest among the blends. No dithering: it would sprinkle noise over flat backgrounds. */
#define GIF_COLORS 256
#define MAX_EXACT 160
#define SAMPLE_FRAMES 3

typedef struct
{
  guint32 rgb;
  guint32 count;
} ColorCount;

typedef struct
{
  guint first, n; /* a range of the colours array */
  guint64 weight;
  int range, channel; /* widest channel and its extent */
} Box;

static inline int
channel_of (guint32 rgb, int channel)
{
  return (rgb >> (16 - 8 * channel)) & 0xff;
}

/* Cairo's RGB24 pixel with its padding byte cleared. */
static inline guint32
pixel_rgb (const guint8 *row, guint x)
{
  return ((const guint32 *) row)[x] & 0xffffff;
}

/* Calls func for each run of one colour along the rows of surface: the background, text and
 * flat areas are long runs, so the colour work is per run, not per pixel. */
typedef void (*RunFunc) (guint y, guint x, guint run, guint32 rgb, gpointer data);

static void
foreach_run (cairo_surface_t *surface, RunFunc func, gpointer data)
{
  const guint8 *pixels = cairo_image_surface_get_data (surface);
  guint stride = (guint) cairo_image_surface_get_stride (surface);
  guint width = (guint) cairo_image_surface_get_width (surface);
  guint height = (guint) cairo_image_surface_get_height (surface);

  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = pixels + (gsize) y * stride;
      guint x = 0;

      while (x < width)
        {
          guint32 rgb = pixel_rgb (row, x);
          guint run = 1;

          while (x + run < width && pixel_rgb (row, x + run) == rgb)
            run++;
          func (y, x, run, rgb, data);
          x += run;
        }
    }
}

static void
histogram_add_run (guint y, guint x, guint run, guint32 rgb, gpointer histogram)
{
  gpointer key = GUINT_TO_POINTER (rgb + 1);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (histogram, key));

  g_hash_table_insert (histogram, key, GUINT_TO_POINTER (count + run));
}

static int
compare_count_desc (gconstpointer a, gconstpointer b)
{
  const ColorCount *ca = a, *cb = b;

  if (ca->count != cb->count)
    return ca->count < cb->count ? 1 : -1;
  return ca->rgb < cb->rgb ? -1 : ca->rgb > cb->rgb;
}

static int
compare_channel (gconstpointer a, gconstpointer b, gpointer channel)
{
  int va = channel_of (((const ColorCount *) a)->rgb, *(const int *) channel);
  int vb = channel_of (((const ColorCount *) b)->rgb, *(const int *) channel);

  return va - vb;
}

static void
box_measure (Box *box, const ColorCount *colors)
{
  int lo[3] = { 255, 255, 255 }, hi[3] = { 0, 0, 0 };

  box->weight = 0;
  for (guint i = box->first; i < box->first + box->n; i++)
    {
      for (int c = 0; c < 3; c++)
        {
          int v = channel_of (colors[i].rgb, c);

          lo[c] = MIN (lo[c], v);
          hi[c] = MAX (hi[c], v);
        }
      box->weight += colors[i].count;
    }
  box->range = -1;
  for (int c = 0; c < 3; c++)
    if (hi[c] - lo[c] > box->range)
      {
        box->range = hi[c] - lo[c];
        box->channel = c;
      }
}

static GifColorType
box_mean (const Box *box, const ColorCount *colors)
{
  double sum[3] = { 0, 0, 0 };
  GifColorType out;

  for (guint i = box->first; i < box->first + box->n; i++)
    for (int c = 0; c < 3; c++)
      sum[c] += (double) channel_of (colors[i].rgb, c) * colors[i].count;
  out.Red = (GifByteType) lround (sum[0] / box->weight);
  out.Green = (GifByteType) lround (sum[1] / box->weight);
  out.Blue = (GifByteType) lround (sum[2] / box->weight);
  return out;
}

/* Median cut of colours[0..n) into at most max_boxes entries appended to palette. */
static guint
median_cut (ColorCount *colors, guint n, guint max_boxes, GifColorType *palette)
{
  g_autofree Box *boxes = g_new0 (Box, MAX (max_boxes, 1));
  guint n_boxes = 0;

  if (n == 0 || max_boxes == 0)
    return 0;
  boxes[0].first = 0;
  boxes[0].n = n;
  box_measure (&boxes[0], colors);
  n_boxes = 1;
  while (n_boxes < max_boxes)
    {
      Box *split = NULL;
      guint64 half, acc = 0;
      guint cut;

      /* The box spanning the widest range of one channel: blends between distant colours
       * need entries more than near-duplicates of a frequent one. */
      for (guint b = 0; b < n_boxes; b++)
        if (boxes[b].n > 1 && (split == NULL || boxes[b].range > split->range))
          split = &boxes[b];
      if (split == NULL || split->range == 0)
        break;
      g_qsort_with_data (colors + split->first, (gint) split->n, sizeof *colors, compare_channel,
                         &split->channel);
      half = split->weight / 2;
      for (cut = split->first; cut < split->first + split->n - 1; cut++)
        {
          acc += colors[cut].count;
          if (acc >= half)
            break;
        }
      cut++; /* the first colour of the second half; both halves are non-empty */
      boxes[n_boxes].first = cut;
      boxes[n_boxes].n = split->first + split->n - cut;
      split->n = cut - split->first;
      box_measure (split, colors);
      box_measure (&boxes[n_boxes], colors);
      n_boxes++;
    }
  for (guint b = 0; b < n_boxes; b++)
    palette[b] = box_mean (&boxes[b], colors);
  return n_boxes;
}

/* The palette of the whole animation, from the histogram of the sample frames. */
static guint
build_palette (GHashTable *histogram, GifColorType *palette)
{
  g_autofree ColorCount *colors = g_new (ColorCount, g_hash_table_size (histogram));
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0, n_exact = 0;
  guint64 total = 0;
  guint32 threshold;

  g_hash_table_iter_init (&iter, histogram);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      colors[n].rgb = GPOINTER_TO_UINT (key) - 1;
      colors[n].count = GPOINTER_TO_UINT (value);
      total += colors[n].count;
      n++;
    }
  qsort (colors, n, sizeof *colors, compare_count_desc);
  /* A colour that covers a marker's worth of pixels in every sample is one the plots drew on
   * purpose, not a blend. */
  threshold = (guint32) MAX (8, total / 50000);
  if (n <= GIF_COLORS)
    n_exact = n;
  else
    while (n_exact < MAX_EXACT && colors[n_exact].count >= threshold)
      n_exact++;
  for (guint i = 0; i < n_exact; i++)
    {
      palette[i].Red = channel_of (colors[i].rgb, 0);
      palette[i].Green = channel_of (colors[i].rgb, 1);
      palette[i].Blue = channel_of (colors[i].rgb, 2);
    }
  return n_exact
         + median_cut (colors + n_exact, n - n_exact, GIF_COLORS - n_exact, palette + n_exact);
}

/* Pixel -> palette index, nearest in a perceptually weighted RGB distance, through a
 * direct-mapped cache: a frame has few distinct colours and long runs of each. */
typedef struct
{
  const GifColorType *palette;
  guint n;
  guint32 cache_rgb[1 << 15];
  guint8 cache_index[1 << 15];
} Mapper;

static void
mapper_init (Mapper *mapper, const GifColorType *palette, guint n)
{
  mapper->palette = palette;
  mapper->n = n;
  /* No colour has all bits set in its top byte: an empty slot. */
  memset (mapper->cache_rgb, 0xff, sizeof mapper->cache_rgb);
}

static guint8
mapper_lookup (Mapper *mapper, guint32 rgb)
{
  guint slot = ((rgb >> 9) & 0x7c00) | ((rgb >> 6) & 0x3e0) | ((rgb >> 3) & 0x1f);
  int r = channel_of (rgb, 0), g = channel_of (rgb, 1), b = channel_of (rgb, 2);
  guint best = 0;
  int best_d = G_MAXINT;

  if (mapper->cache_rgb[slot] == rgb)
    return mapper->cache_index[slot];
  for (guint i = 0; i < mapper->n; i++)
    {
      int dr = r - mapper->palette[i].Red, dg = g - mapper->palette[i].Green,
          db = b - mapper->palette[i].Blue;
      int d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;

      if (d < best_d)
        {
          best_d = d;
          best = i;
        }
    }
  mapper->cache_rgb[slot] = rgb;
  mapper->cache_index[slot] = (guint8) best;
  return (guint8) best;
}

typedef struct
{
  Mapper *mapper;
  guint8 *out; /* width x height indices */
  guint width;
} MapFrame;

static void
map_run (guint y, guint x, guint run, guint32 rgb, gpointer data)
{
  MapFrame *frame = data;

  memset (frame->out + (gsize) y * frame->width + x, mapper_lookup (frame->mapper, rgb), run);
}

/* giflib's output callback: the sink keeps the first error for the caller. */
static int
gif_output (GifFileType *gif, const GifByteType *data, int length)
{
  return cs_file_sink_write (gif->UserData, data, (gsize) length, NULL) ? length : 0;
}

/* The smallest rectangle holding every pixel that differs from the previous frame; a frame
 * then replaces only that part of the one before (disposal "do not dispose"). FALSE when the
 * frames are equal. */
static gboolean
changed_rect (const guint8 *a, const guint8 *b, guint width, guint height, guint rect[4])
{
  guint x0 = width, y0 = height, x1 = 0, y1 = 0;

  for (guint y = 0; y < height; y++)
    {
      const guint8 *ra = a + (gsize) y * width, *rb = b + (gsize) y * width;
      guint l = 0, r = width;

      if (memcmp (ra, rb, width) == 0)
        continue;
      while (ra[l] == rb[l])
        l++;
      while (ra[r - 1] == rb[r - 1])
        r--;
      x0 = MIN (x0, l);
      x1 = MAX (x1, r);
      y0 = MIN (y0, y);
      y1 = y + 1;
    }
  if (x1 <= x0)
    return FALSE;
  rect[0] = x0;
  rect[1] = y0;
  rect[2] = x1 - x0;
  rect[3] = y1 - y0;
  return TRUE;
}

static gboolean
gif_failed (GifFileType *gif, int code, CsFileSink *sink, const char *display, GError **error)
{
  /* A failed write: the sink's error names the cause. Else giflib's reason. */
  if (cs_file_sink_write (sink, NULL, 0, error))
    g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display,
                 GifErrorString (code ? code : gif->Error));
  return FALSE;
}

static gboolean
write_gif (CsFileSink *sink,
           const CsAnimationParams *params,
           const char *display,
           GCancellable *cancellable,
           GError **error)
{
  guint width = params->width, height = params->height;
  gsize n_pixels = (gsize) width * height;
  g_autoptr (GHashTable) histogram = g_hash_table_new (NULL, NULL);
  g_autofree Mapper *mapper = g_new (Mapper, 1);
  g_autofree guint8 *indices = g_malloc (n_pixels);
  g_autofree guint8 *previous = g_malloc (n_pixels);
  GifColorType palette[GIF_COLORS] = { { 0 } };
  guint samples[SAMPLE_FRAMES] = { 0, params->n_frames / 2, params->n_frames - 1 };
  cairo_surface_t *surface;
  ColorMapObject *map;
  GifFileType *gif;
  GraphicsControlBlock gcb = { 0 };
  GifByteType gcb_bytes[4];
  static const GifByteType loop[3] = { 1, 0, 0 }; /* sub-block 1: repeat 0 = forever */
  double delay;
  gboolean ok = FALSE;
  int code = 0;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error (error, CS_ERROR, CS_ERROR_NO_MEMORY, _ ("Could not write “%s”: %s"), display,
                   cairo_status_to_string (CAIRO_STATUS_NO_MEMORY));
      return FALSE;
    }

  /* First, middle and last frame: the run's look at its start, while it changes, and once
   * it has settled. */
  for (guint s = 0; s < SAMPLE_FRAMES; s++)
    {
      if (s > 0 && samples[s] == samples[s - 1])
        continue;
      if (check_cancelled (cancellable, error))
        {
          cairo_surface_destroy (surface);
          return FALSE;
        }
      draw_frame (surface, params, samples[s]);
      foreach_run (surface, histogram_add_run, histogram);
    }
  mapper_init (mapper, palette, build_palette (histogram, palette));
  g_clear_pointer (&histogram, g_hash_table_unref);

  gif = EGifOpen (sink, gif_output, &code);
  if (gif == NULL)
    {
      cairo_surface_destroy (surface);
      return gif_failed (NULL, code, sink, display, error);
    }
  EGifSetGifVersion (gif, true);
  map = GifMakeMapObject (GIF_COLORS, palette);
  if (EGifPutScreenDesc (gif, (int) width, (int) height, 8, 0, map) == GIF_ERROR)
    goto out;
  if (EGifPutExtensionLeader (gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR
      || EGifPutExtensionBlock (gif, 11, "NETSCAPE2.0") == GIF_ERROR
      || EGifPutExtensionBlock (gif, sizeof loop, loop) == GIF_ERROR
      || EGifPutExtensionTrailer (gif) == GIF_ERROR)
    goto out;

  /* In hundredths of a second; browsers slow anything under 2 down to 10. */
  delay = 100.0 / params->fps;
  gcb.DisposalMode = DISPOSE_DO_NOT;
  gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  for (guint i = 0; i < params->n_frames; i++)
    {
      guint rect[4] = { 0, 0, width, height };

      if (check_cancelled (cancellable, error))
        goto out;
      draw_frame (surface, params, i);
      foreach_run (surface, map_run, &(MapFrame){ mapper, indices, width });
      /* An unchanged frame still takes its place in time: one pixel redrawn. */
      if (i > 0 && !changed_rect (previous, indices, width, height, rect))
        {
          rect[2] = 1;
          rect[3] = 1;
        }
      /* Rounded so that the delays add up to the frame times. */
      gcb.DelayTime = (int) CLAMP (lround (delay * (i + 1)) - lround (delay * i), 2, 65535);
      EGifGCBToExtension (&gcb, gcb_bytes);
      if (EGifPutExtension (gif, GRAPHICS_EXT_FUNC_CODE, sizeof gcb_bytes, gcb_bytes) == GIF_ERROR
          || EGifPutImageDesc (gif, (int) rect[0], (int) rect[1], (int) rect[2], (int) rect[3],
                               false, NULL)
                 == GIF_ERROR)
        goto out;
      for (guint y = rect[1]; y < rect[1] + rect[3]; y++)
        if (EGifPutLine (gif, indices + (gsize) y * width + rect[0], (int) rect[2]) == GIF_ERROR)
          goto out;
      memcpy (previous, indices, n_pixels);
      if (params->progress != NULL)
        params->progress (i + 1, params->n_frames, params->user_data);
    }
  ok = TRUE;

out:
  if (!ok && (error == NULL || *error == NULL))
    gif_failed (gif, 0, sink, display, error);
  if (EGifCloseFile (gif, &code) == GIF_ERROR && ok)
    {
      ok = FALSE;
      gif_failed (NULL, code, sink, display, error);
    }
  GifFreeMapObject (map);
  cairo_surface_destroy (surface);
  return ok;
}

/* Both ------------------------------------------------------------------------------------ */

gboolean
cs_animation_write (const char *path,
                    const CsAnimationParams *params,
                    GCancellable *cancellable,
                    GError **error)
{
  g_autofree char *display = NULL;
  g_autoptr (CsFileSink) sink = NULL;
  CsPlotStyle light;
  CsAnimationParams p;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (params != NULL && params->draw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (path);
  if (params->width < 16 || params->height < 16 || params->width > MAX_SIDE
      || params->height > MAX_SIDE)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("Cannot export “%s”: the size %u × %u is out of range"), display,
                   params->width, params->height);
      return FALSE;
    }
  if (!(params->fps >= 0.1 && params->fps <= 60))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("Cannot export “%s”: %g frames per second is out of range (0.1 to 60)"),
                   display, params->fps);
      return FALSE;
    }
  if (params->n_frames == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("Cannot export “%s”: there are no frames"),
                   display);
      return FALSE;
    }
  p = *params;
  if (p.style == NULL)
    {
      cs_plot_style_init (&light, FALSE);
      p.style = &light;
    }

  /* Opened first: a folder that cannot take the file fails before any frame is drawn. */
  sink = cs_file_sink_new (path, error);
  if (sink == NULL)
    return FALSE;
  switch (p.format)
    {
    case CS_ANIMATION_WEBM:
      ok = write_webm (sink, &p, display, cancellable, error);
      break;
    case CS_ANIMATION_GIF:
      ok = write_gif (sink, &p, display, cancellable, error);
      break;
    default:
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("Unknown animation format %d"),
                   (int) p.format);
      ok = FALSE;
      break;
    }
  /* A failure or a cancel leaves the target as it was: the sink's cleanup aborts. */
  if (!ok)
    return FALSE;
  return cs_file_sink_commit (g_steal_pointer (&sink), error);
}
