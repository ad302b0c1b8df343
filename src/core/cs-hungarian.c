/* cs-hungarian.c: rectangular linear sum assignment by shortest augmenting paths.
 *
 * The algorithm is the one scipy's linear_sum_assignment uses (Crouse, "On implementing
 * 2D rectangular assignment algorithms", IEEE TAES 2016): one Dijkstra-like search per
 * row over reduced costs, dual variables kept feasible, O(rows^2 cols). It is exact for
 * any finite costs.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-hungarian.h"

typedef struct
{
  guint nr; /* rows, nr <= nc */
  guint nc;
  const double *cost; /* nr x nc */
  double *u;          /* nr: row potentials */
  double *v;          /* nc: column potentials */
  double *spc;        /* nc: shortest path cost to each column */
  gint *path;         /* nc: previous row on the shortest path */
  gint *col4row;      /* nr */
  gint *row4col;      /* nc */
  gboolean *sr;       /* nr: row scanned */
  gboolean *sc;       /* nc: column scanned */
  guint *remaining;   /* nc: columns not yet scanned */
} Lsap;

/* Grows a shortest path tree from free row @i until it reaches a free column, which it
 * returns; *min_val receives the length of that path. */
static gint
augmenting_path (Lsap *s, guint i, double *min_val)
{
  guint n_remaining = s->nc;
  double min_v = 0.0;
  gint sink = -1;

  for (guint it = 0; it < s->nc; it++)
    s->remaining[it] = s->nc - it - 1;
  memset (s->sr, 0, s->nr * sizeof (gboolean));
  memset (s->sc, 0, s->nc * sizeof (gboolean));
  for (guint j = 0; j < s->nc; j++)
    s->spc[j] = INFINITY;

  while (sink == -1)
    {
      guint index = 0;
      double lowest = INFINITY;
      const double *row = s->cost + (gsize) i * s->nc;
      guint j;

      s->sr[i] = TRUE;
      for (guint it = 0; it < n_remaining; it++)
        {
          double r;

          j = s->remaining[it];
          r = min_v + row[j] - s->u[i] - s->v[j];
          if (r < s->spc[j])
            {
              s->path[j] = (gint) i;
              s->spc[j] = r;
            }
          /* Among equal costs prefer a free column: it ends the search sooner. */
          if (s->spc[j] < lowest || (s->spc[j] == lowest && s->row4col[j] == -1))
            {
              lowest = s->spc[j];
              index = it;
            }
        }

      min_v = lowest;
      /* Finite costs always leave a reachable column; guard against NaN input. */
      if (!isfinite (min_v))
        return -1;

      j = s->remaining[index];
      if (s->row4col[j] == -1)
        sink = (gint) j;
      else
        i = (guint) s->row4col[j];
      s->sc[j] = TRUE;
      s->remaining[index] = s->remaining[--n_remaining];
    }

  *min_val = min_v;
  return sink;
}

static void
solve (Lsap *s)
{
  for (guint cur = 0; cur < s->nr; cur++)
    {
      double min_v = 0.0;
      gint sink = augmenting_path (s, cur, &min_v);
      gint j;

      g_assert (sink >= 0);

      s->u[cur] += min_v;
      for (guint i = 0; i < s->nr; i++)
        if (s->sr[i] && i != cur)
          s->u[i] += min_v - s->spc[s->col4row[i]];
      for (guint jj = 0; jj < s->nc; jj++)
        if (s->sc[jj])
          s->v[jj] -= min_v - s->spc[jj];

      /* Flip the matching along the path back to the current row. */
      j = sink;
      for (;;)
        {
          gint i = s->path[j];
          gint tmp;

          s->row4col[j] = i;
          tmp = s->col4row[i];
          s->col4row[i] = j;
          j = tmp;
          if (i == (gint) cur)
            break;
        }
    }
}

double
cs_hungarian_min (const double *cost, guint rows, guint cols, gint *row_to_col)
{
  g_autofree double *copy = NULL;
  g_autofree double *dbuf = NULL;
  g_autofree gint *ibuf = NULL;
  g_autofree gboolean *bbuf = NULL;
  g_autofree guint *remaining = NULL;
  gboolean transpose = rows > cols;
  gsize size = (gsize) rows * cols;
  gboolean finite = TRUE;
  double max_abs = 0.0;
  Lsap s;
  double total = 0.0;

  g_return_val_if_fail (row_to_col != NULL || rows == 0, 0.0);
  g_return_val_if_fail (cost != NULL || rows == 0 || cols == 0, 0.0);

  for (guint r = 0; r < rows; r++)
    row_to_col[r] = -1;
  if (rows == 0 || cols == 0)
    return 0.0;

  /* NaN or infinite entries (a diverged run) would stall the search: stand them in by a
   * finite cost beyond any matching of finite entries, so the answer stays a matching. */
  for (gsize i = 0; i < size; i++)
    {
      if (isfinite (cost[i]))
        max_abs = MAX (max_abs, fabs (cost[i]));
      else
        finite = FALSE;
    }

  /* The search runs over rows and needs rows <= cols: solve the transpose otherwise. */
  if (transpose || !finite)
    {
      double big = 1.0 + 2.0 * max_abs * MIN (rows, cols);

      copy = g_new (double, size);
      for (guint r = 0; r < rows; r++)
        for (guint c = 0; c < cols; c++)
          {
            double v = cost[(gsize) r * cols + c];

            if (!isfinite (v))
              v = v < 0.0 ? -big : big;
            if (transpose)
              copy[(gsize) c * rows + r] = v;
            else
              copy[(gsize) r * cols + c] = v;
          }
    }
  if (transpose)
    {
      s.nr = cols;
      s.nc = rows;
      s.cost = copy;
    }
  else
    {
      s.nr = rows;
      s.nc = cols;
      s.cost = copy != NULL ? copy : cost;
    }

  dbuf = g_new0 (double, s.nr + 2 * (gsize) s.nc);
  s.u = dbuf;
  s.v = dbuf + s.nr;
  s.spc = dbuf + s.nr + s.nc;
  ibuf = g_new (gint, s.nr + 2 * (gsize) s.nc);
  s.col4row = ibuf;
  s.row4col = ibuf + s.nr;
  s.path = ibuf + s.nr + s.nc;
  for (gsize i = 0; i < s.nr + 2 * (gsize) s.nc; i++)
    ibuf[i] = -1;
  bbuf = g_new0 (gboolean, s.nr + (gsize) s.nc);
  s.sr = bbuf;
  s.sc = bbuf + s.nr;
  remaining = g_new (guint, s.nc);
  s.remaining = remaining;

  solve (&s);

  if (transpose)
    {
      for (guint c = 0; c < s.nr; c++)
        row_to_col[s.col4row[c]] = (gint) c;
    }
  else
    {
      for (guint r = 0; r < s.nr; r++)
        row_to_col[r] = s.col4row[r];
    }

  for (guint r = 0; r < rows; r++)
    if (row_to_col[r] >= 0)
      total += cost[(gsize) r * cols + row_to_col[r]];
  return total;
}
