/* cs-plot.h: Cairo renderers for the scatter, the metric curves and the confusion matrix.
 *
 * The same code draws the GTK widgets and the PNG / SVG / PDF exports. Nothing here knows
 * about GTK: every function takes a cairo_t, a size in device units and a style, and the
 * layout depends only on the size and the parameters, so the hit-testing and coordinate
 * functions agree with what was drawn without needing a cairo_t.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cs-snapshot.h"

G_BEGIN_DECLS

typedef struct
{
  double r, g, b, a;
} CsRgba;

/* Theme: the window fills it from the GTK style, exports use the light one. */
typedef struct
{
  CsRgba background, foreground, grid, muted;
  double font_size; /* px, default 12 */
  gboolean dark;
} CsPlotStyle;

void cs_plot_style_init (CsPlotStyle *style, gboolean dark);

void cs_plot_set_source (cairo_t *cr, const CsRgba *color);

/* A centred, muted message (the empty state of every plot), on the style's background. */
void cs_plot_draw_message (
    cairo_t *cr, double width, double height, const CsPlotStyle *style, const char *message);

/* Over a picture that is not what the user asked for (still being computed, or out of date):
 * dims it and writes title (bold) and detail (may be NULL) in a box in the middle, so that
 * the old picture shows through but cannot be taken for the new one. */
void cs_plot_draw_notice (cairo_t *cr,
                          double width,
                          double height,
                          const CsPlotStyle *style,
                          const char *title,
                          const char *detail);

/* Colour-blind-safe categorical palette: Okabe-Ito for k <= 8, Tableau 10 for k <= 10,
 * beyond that evenly spaced hues in CIE LCh with alternating lightness. The dark variants
 * are lightened slightly so they stand out on a dark background. */
void cs_palette_color (guint index, guint k, gboolean dark, CsRgba *out);

typedef enum
{
  CS_MARKER_CIRCLE,
  CS_MARKER_SQUARE,
  CS_MARKER_TRIANGLE,
  CS_MARKER_DIAMOND,
  CS_MARKER_CROSS,
} CsMarker;

/* Circles while the Okabe-Ito colours suffice (k <= 8); beyond, shapes cycle so that two
 * clusters with similar colours, neighbours in the palette, differ in shape. */
CsMarker cs_palette_marker (guint index, guint k);

/* Draws marker at (x, y) with the given radius in the current path's units, filled with fill
 * and outlined with outline (1.5 px). */
void cs_plot_draw_marker (cairo_t *cr,
                          CsMarker marker,
                          double x,
                          double y,
                          double radius,
                          const CsRgba *fill,
                          const CsRgba *outline);

/* A grey-scale picture of one image sample (w x h values in [0, 1], row-major), every pixel
 * scale x scale device pixels (nearest neighbour, so pixels stay square): dark on white when
 * invert (Fashion-MNIST is white on black; a dark object reads better on a light background),
 * as stored otherwise. An opaque CAIRO_FORMAT_ARGB32 surface (GDK_MEMORY_DEFAULT), or NULL when
 * w or h is 0. The scatter's tooltip and its legend's prototypes both draw with it. */
cairo_surface_t *cs_plot_image_surface_new (
    const float *pixels, guint w, guint h, guint scale, gboolean invert);

/* That picture fitted (aspect kept, centred) into the box x, y, size x size, with a thin
 * frame of the style's muted colour. */
void cs_plot_draw_image (cairo_t *cr,
                         const CsPlotStyle *style,
                         const float *pixels,
                         guint w,
                         guint h,
                         double x,
                         double y,
                         double size);

/* Scatter ------------------------------------------------------------------------------- */

typedef struct
{
  double x0, y0, x1, y1; /* data coordinates shown */
} CsViewport;

typedef enum
{
  CS_COLOR_BY_CLUSTER,
  CS_COLOR_BY_LABEL,
} CsColorBy;

/* Zero-initialise, then set what you need (or use cs_plot_scatter_params_init): every field
 * has a meaningful zero except highlight, which must be -1 for "none". */
typedef struct
{
  CsSnapshot *snapshot;     /* the epoch shown (NULL: empty state message) */
  CsSnapshot *const *trail; /* earlier snapshots, oldest first, for centroid trails (may be NULL) */
  guint n_trail;
  const gint32 *labels; /* true labels, for CS_COLOR_BY_LABEL (NULL if none) */
  guint n_classes;
  const char *const *class_names; /* may be NULL */
  CsColorBy color_by;
  CsViewport view; /* x0 == x1: fit to data */
  gboolean show_legend;
  gssize highlight;          /* point index to ring, or -1 */
  const char *title;         /* may be NULL */
  double point_size;         /* dot size in px (2 or 3 look right), 0: automatic */
  const char *empty_message; /* NULL: "No data yet — press Start" */
  double pixel_scale; /* device pixels per unit for the point raster (HiDPI: 2), 0: from cr */
  /* > 0 when every point is a w x h image: the legend then shows each cluster's prototype
   * (snapshot->prototypes, when its length d is w x h) beside its colour. */
  guint image_width, image_height;
  /* Coloured by cluster, cluster j takes entry cluster_colors[j] of a palette of palette_k
   * colours (and its marker): a run shown beside another, its clusters matched to the other's.
   * NULL: entry j of a palette of K. */
  const guint *cluster_colors;
  guint n_cluster_colors;
  guint palette_k;
  /* A selection to emphasise: one byte per point (non-zero: selected), n_selected bytes, which
   * must equal snapshot->n. Selected points are drawn on top in full colour, the others
   * faded. NULL, or no byte set: no emphasis. */
  const guint8 *selected;
  gsize n_selected;
} CsScatterParams;

/* Centroid trails show this many earlier epochs, on screen and in exports alike. */
#define CS_PLOT_SCATTER_TRAIL_LENGTH 30

/* Zeroes params, sets highlight = -1 and show_legend = TRUE. */
void cs_plot_scatter_params_init (CsScatterParams *params);

/* The bounding box of the points (and centroids) with a 5 % margin. */
void cs_plot_scatter_fit (const CsSnapshot *snapshot, CsViewport *view);

void cs_plot_scatter_draw (cairo_t *cr,
                           double width,
                           double height,
                           const CsPlotStyle *style,
                           const CsScatterParams *params);

/* The axis titles of the projection snapshot was drawn with ("PC 1", "PC 2", ...); a t-SNE
 * view of a sample says so in the horizontal one. Free them with g_free. */
void cs_plot_scatter_axis_titles (const CsSnapshot *snapshot,
                                  char            **x,
                                  char            **y);

/* Two runs side by side on the same points: b's clusters take the colours of the clusters of a
 * they share most points with (cs_match_clusters), unmatched ones new colours. a_colors (a->k
 * entries) and b_colors (b->k) receive palette entries of a palette of *palette_k colours, for
 * CsScatterParams.cluster_colors. FALSE when the two are not of the same points. */
gboolean cs_plot_scatter_match_colors (const CsSnapshot *a,
                                       const CsSnapshot *b,
                                       guint            *a_colors,
                                       guint            *b_colors,
                                       guint            *palette_k);

/* left and right side by side, each in half the width (exports of a comparison). */
void cs_plot_scatter_draw_pair (cairo_t               *cr,
                                double                 width,
                                double                 height,
                                const CsPlotStyle     *style,
                                const CsScatterParams *left,
                                const CsScatterParams *right);

/* pixel -> nearest point index within radius px, or -1 (same layout as draw). */
gssize cs_plot_scatter_hit (double width,
                            double height,
                            const CsScatterParams *params,
                            double px,
                            double py,
                            double radius);

/* Even-odd point-in-polygon test; polygon holds n_vertices (x, y) pairs, closed implicitly. */
gboolean cs_plot_point_in_polygon (const double *polygon, guint n_vertices, double x, double y);

/* The points drawn inside a polygon given in pixels (a lasso, or a rectangle's 4 corners),
 * under the same mapping as draw: mask (snapshot->n bytes) gets 1 for a point inside the
 * polygon and the plot area, 0 otherwise. Returns how many are inside. */
gsize cs_plot_scatter_select_polygon (double width,
                                      double height,
                                      const CsScatterParams *params,
                                      const double *polygon,
                                      guint n_vertices,
                                      guint8 *mask);

/* pixel -> the legend entry under it: a cluster, or a class when coloured by label; -1 when
 * none (or the "+ n more" row). Same layout as draw (it measures text with the style). */
gint cs_plot_scatter_legend_hit (double width,
                                 double height,
                                 const CsPlotStyle *style,
                                 const CsScatterParams *params,
                                 double px,
                                 double py);

/* The rectangle (pixels) where the data are drawn, for clipping or pointer checks. */
void cs_plot_scatter_area (double width,
                           double height,
                           const CsScatterParams *params,
                           double *x,
                           double *y,
                           double *w,
                           double *h);

/* data <-> pixel mapping of the plot area, so the widget can zoom / pan. */
void cs_plot_scatter_data_to_pixel (double width,
                                    double height,
                                    const CsScatterParams *params,
                                    double x,
                                    double y,
                                    double *px,
                                    double *py);
void cs_plot_scatter_pixel_to_data (double width,
                                    double height,
                                    const CsScatterParams *params,
                                    double px,
                                    double py,
                                    double *x,
                                    double *y);

/* The clusters' prototypes (snapshot->prototypes as image_width x image_height pictures) in a
 * grid, each under its colour and number, for the run folder's prototypes.png. *width and
 * *height receive the natural size (cs_plot_prototypes_size); FALSE when the snapshot has no
 * prototypes of that size. */
gboolean cs_plot_prototypes_size (const CsSnapshot *snapshot,
                                  guint image_width,
                                  guint image_height,
                                  double *width,
                                  double *height);
void cs_plot_prototypes_draw (cairo_t *cr,
                              double width,
                              double height,
                              const CsPlotStyle *style,
                              const CsSnapshot *snapshot,
                              guint image_width,
                              guint image_height);

/* Curves -------------------------------------------------------------------------------- */

typedef struct
{
  CsSnapshot *const *history; /* every epoch so far, in order */
  guint n;
  gint cursor;          /* index into history shown as a vertical cursor, or -1 */
  gboolean show_losses; /* losses on their own (right, log) axis */
  const char *title;
  /* Another run to compare with (or NULL): its ACC, NMI and ARI drawn thin and dashed in the
   * same colours, named in the legend. */
  CsSnapshot *const *compare;
  guint n_compare;
  const char *compare_name;
} CsCurvesParams;

void cs_plot_curves_draw (cairo_t *cr,
                          double width,
                          double height,
                          const CsPlotStyle *style,
                          const CsCurvesParams *params);

/* pixel x -> history index under the pointer (nearest epoch), or -1. */
gint cs_plot_curves_hit (double width, double height, const CsCurvesParams *params, double px);

/* The series colours, so a widget's tooltip or a legend elsewhere can match the curves. */
typedef enum
{
  CS_CURVE_ACC,
  CS_CURVE_NMI,
  CS_CURVE_ARI,
  CS_CURVE_LABEL_CHANGE,
  CS_CURVE_LOSS_REC,
  CS_CURVE_LOSS_CLU,
  CS_CURVE_N,
} CsCurve;

void cs_plot_curve_color (CsCurve curve, gboolean dark, CsRgba *out);

/* Confusion matrix ---------------------------------------------------------------------- */

typedef struct
{
  CsSnapshot *snapshot;
  const char *const *class_names; /* may be NULL: rows are then numbered */
  const char *title;
} CsConfusionParams;

void cs_plot_confusion_draw (cairo_t *cr,
                             double width,
                             double height,
                             const CsPlotStyle *style,
                             const CsConfusionParams *params);

/* pixel -> the cell under it: its class (row) and cluster (column, by cluster id), for a
 * tooltip. FALSE outside the matrix. Same layout as draw (it measures text with the style). */
gboolean cs_plot_confusion_hit (double width,
                                double height,
                                const CsPlotStyle *style,
                                const CsConfusionParams *params,
                                double px,
                                double py,
                                guint *klass,
                                guint *cluster);

/* Choosing K ---------------------------------------------------------------------------- */

/* Two stacked panels over one K axis: K-means inertia (the elbow) above, the silhouette
 * below (its best K ringed), the running job's K marked. A K not computed yet is NAN and
 * leaves a gap, so the plot can be drawn while the sweep fills it in. */
typedef struct
{
  guint k_min, k_max;       /* inclusive */
  const double *inertia;    /* k_max - k_min + 1, indexed by K - k_min */
  const double *silhouette; /* the same */
  guint current_k;          /* the job's K, marked (0: none) */
  guint hover_k;            /* K under the pointer, highlighted (0: none) */
  const char *title;        /* may be NULL */
} CsKChoiceParams;

void cs_plot_kchoice_draw (cairo_t *cr,
                           double width,
                           double height,
                           const CsPlotStyle *style,
                           const CsKChoiceParams *params);

/* pixel -> the K whose column is under it (either panel), or 0 outside the panels. */
guint cs_plot_kchoice_hit (
    double width, double height, const CsKChoiceParams *params, double px, double py);

/* The K of the highest silhouette so far, or 0 when none is known. */
guint cs_plot_kchoice_best (const CsKChoiceParams *params);

/* Export -------------------------------------------------------------------------------- */

typedef enum
{
  CS_PLOT_PNG,
  CS_PLOT_SVG,
  CS_PLOT_PDF,
} CsPlotFormat;

/* From the extension (.png, .svg, .pdf, any case); FALSE when unknown. */
gboolean cs_plot_format_from_path (const char *path, CsPlotFormat *out);
/* The same, or FALSE with an error (CS_ERROR_INVALID) that names the file and says what to
 * add. */
gboolean cs_plot_format_for_path (const char *path, CsPlotFormat *out, GError **error);
const char *cs_plot_format_to_extension (CsPlotFormat format); /* "png", "svg", "pdf" */

typedef void (*CsPlotDrawFunc) (cairo_t *cr, double width, double height, gpointer user_data);

/* Draws into a PNG / SVG / PDF surface of width x height (points for vector, pixels for PNG),
 * after filling it with style->background (style may be NULL: light). Written atomically: a
 * temporary file in the same directory, renamed over the target only on success; on failure
 * nothing is left behind and error (CS_ERROR_IO) says why. */
gboolean cs_plot_export (const char *path,
                         CsPlotFormat format,
                         double width,
                         double height,
                         const CsPlotStyle *style,
                         CsPlotDrawFunc draw,
                         gpointer user_data,
                         GError **error);

/* The whole dashboard (scatter, curves, confusion matrix side by side) into one cr. Any of
 * the three may be NULL; the others then share the space. */
void cs_plot_dashboard_draw (cairo_t *cr,
                             double width,
                             double height,
                             const CsPlotStyle *style,
                             const CsScatterParams *scatter,
                             const CsCurvesParams *curves,
                             const CsConfusionParams *confusion);

G_END_DECLS
