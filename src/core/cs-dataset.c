/* cs-dataset.c: the dataset object.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cs-dataset.h"
#include "cs-error.h"

CsDataset *
cs_dataset_ref (CsDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_dataset_unref (CsDataset *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->source);
  g_free (self->x);
  g_free (self->labels);
  g_strfreev (self->class_names);
  g_free (self);
}

/* x and labels must come from g_malloc(); the dataset frees them with g_free(). */
CsDataset *
cs_dataset_new_take (const char *name,
                     const char *source,
                     float *x,
                     gsize n,
                     guint d,
                     gint32 *labels,
                     guint n_classes)
{
  CsDataset *self;

  g_return_val_if_fail (x != NULL, NULL);
  g_return_val_if_fail (n > 0 && d > 0, NULL);
  g_return_val_if_fail (labels == NULL || n_classes > 0, NULL);

  if (labels != NULL)
    {
      for (gsize i = 0; i < n; i++)
        if (labels[i] < 0 || (guint) labels[i] >= n_classes)
          {
            g_critical ("%s: label %d of sample %" G_GSIZE_FORMAT " is outside [0, %u)", G_STRFUNC,
                        labels[i], i, n_classes);
            g_free (x);
            g_free (labels);
            return NULL;
          }
    }

  self = g_new0 (CsDataset, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name != NULL ? name : _ ("Untitled"));
  self->source = g_strdup (source != NULL ? source : "");
  self->x = x;
  self->n = n;
  self->d = d;
  self->labels = labels;
  self->n_classes = labels != NULL ? n_classes : 0;
  return self;
}

gboolean
cs_dataset_scan_values (CsDataset *self, float *max_abs, gsize *first_bad)
{
  gsize count;

  g_return_val_if_fail (self != NULL, FALSE);

  count = self->n * self->d;
  if (g_once_init_enter (&self->scanned))
    {
      float top = 0.0f;
      gsize bad = count;

      for (gsize i = 0; i < count; i++)
        {
          float a = fabsf (self->x[i]);

          if (!isfinite (a))
            {
              bad = i;
              break;
            }
          top = MAX (top, a);
        }
      self->max_abs = top;
      self->first_bad = bad;
      g_once_init_leave (&self->scanned, 1);
    }
  if (max_abs != NULL)
    *max_abs = self->max_abs;
  if (first_bad != NULL)
    *first_bad = self->first_bad;
  return self->first_bad == count;
}

/* "70000" -> "70 000": digits grouped by threes with separator between groups. */
char *
cs_format_count (gsize n, const char *separator)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GSIZE_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}
