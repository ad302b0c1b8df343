/* cs-palette.c: colour-blind-safe categorical colours and marker shapes for clusters.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <math.h>

#include "cs-plot.h"

/* Okabe & Ito (2008), ordered so that small K gets the most distinct hues and yellow (weak
 * on white) and black (lost under the dark centroid outlines) come last. */
static const guint32 okabe_ito[8] = {
  0x0072B2, /* blue */
  0xE69F00, /* orange */
  0x009E73, /* bluish green */
  0xD55E00, /* vermillion */
  0xCC79A7, /* reddish purple */
  0x56B4E9, /* sky blue */
  0xF0E442, /* yellow */
  0x000000, /* black */
};

/* Tableau 10 (2016 revision). */
static const guint32 tableau10[10] = {
  0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
  0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC,
};

static void
rgba_from_hex (guint32 hex, CsRgba *out)
{
  out->r = ((hex >> 16) & 0xff) / 255.0;
  out->g = ((hex >> 8) & 0xff) / 255.0;
  out->b = (hex & 0xff) / 255.0;
  out->a = 1.0;
}

static double
srgb_gamma (double c)
{
  c = c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1.0 / 2.4) - 0.055;
  return CLAMP (c, 0.0, 1.0);
}

/* CIE LCh (D65) to sRGB, clipped to the gamut. */
static void
rgba_from_lch (double l, double c, double h_deg, CsRgba *out)
{
  double h = h_deg * G_PI / 180.0;
  double a = c * cos (h), b = c * sin (h);
  double fy = (l + 16.0) / 116.0, fx = fy + a / 500.0, fz = fy - b / 200.0;
  const double eps = 6.0 / 29.0;
  double x = fx > eps ? fx * fx * fx : 3 * eps * eps * (fx - 4.0 / 29.0);
  double y = fy > eps ? fy * fy * fy : 3 * eps * eps * (fy - 4.0 / 29.0);
  double z = fz > eps ? fz * fz * fz : 3 * eps * eps * (fz - 4.0 / 29.0);

  x *= 0.95047;
  z *= 1.08883;
  out->r = srgb_gamma (3.2404542 * x - 1.5371385 * y - 0.4985314 * z);
  out->g = srgb_gamma (-0.9692660 * x + 1.8760108 * y + 0.0415560 * z);
  out->b = srgb_gamma (0.0556434 * x - 0.2040259 * y + 1.0572252 * z);
  out->a = 1.0;
}

void
cs_palette_color (guint index, guint k, gboolean dark, CsRgba *out)
{
  g_return_if_fail (out != NULL);

  if (k == 0)
    k = 1;
  if (k <= G_N_ELEMENTS (okabe_ito))
    {
      rgba_from_hex (okabe_ito[index % G_N_ELEMENTS (okabe_ito)], out);
      if (dark && index % G_N_ELEMENTS (okabe_ito) == 7)
        rgba_from_hex (0xD0D0D0, out); /* black would vanish on a dark background */
    }
  else if (k <= G_N_ELEMENTS (tableau10))
    rgba_from_hex (tableau10[index % G_N_ELEMENTS (tableau10)], out);
  else
    {
      /* Evenly spaced hues, with the lightness alternating over three levels so that
       * neighbours in hue also differ in lightness. */
      static const double lightness[3] = { 52.0, 72.0, 40.0 };
      guint i = index % k;
      double hue = 40.0 + 360.0 * i / k;

      rgba_from_lch (lightness[i % 3], i % 3 == 2 ? 45.0 : 55.0, hue, out);
    }

  if (dark)
    {
      /* Lift the colours a little: the dark ones otherwise sink into the background. */
      out->r = out->r + (1.0 - out->r) * 0.12;
      out->g = out->g + (1.0 - out->g) * 0.12;
      out->b = out->b + (1.0 - out->b) * 0.12;
    }
}

CsMarker
cs_palette_marker (guint index, guint k)
{
  static const CsMarker cycle[] = {
    CS_MARKER_CIRCLE, CS_MARKER_SQUARE, CS_MARKER_TRIANGLE, CS_MARKER_DIAMOND, CS_MARKER_CROSS,
  };

  /* Okabe-Ito colours are told apart by everyone; beyond them shapes carry the identity too. */
  if (k <= G_N_ELEMENTS (okabe_ito))
    return CS_MARKER_CIRCLE;
  return cycle[index % G_N_ELEMENTS (cycle)];
}
