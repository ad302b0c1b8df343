/* cs-dataset-npy.c: NumPy .npy arrays (format 1.0, 2.0, 3.0) as data and labels.
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
#include "cs-memory.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_MAX_DIMS 8

/* See convert_labels() in cs-dataset-csv.c: larger labels are identifiers, not classes. */
#define NPY_MAX_LABEL 100000

typedef struct
{
  char descr[16];
  gboolean fortran_order;
  guint ndim;
  guint64 shape[NPY_MAX_DIMS];
  /* From descr: */
  char kind;       /* 'f', 'i', 'u' */
  guint item_size; /* bytes */
  gboolean big_endian;
} NpyHeader;

/* A cursor over the header's Python dict literal. */
typedef struct
{
  const char *path;
  const char *p;
} DictParser;

static void
skip_spaces (DictParser *parser)
{
  while (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r')
    parser->p++;
}

static gboolean
header_error (DictParser *parser, const char *what, GError **error)
{
  g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: malformed .npy header: %s"), parser->path,
               what);
  return FALSE;
}

static gboolean
parse_string (DictParser *parser, char *out, gsize out_size, GError **error)
{
  char quote = *parser->p;
  const char *start;
  gsize len;

  if (quote != '\'' && quote != '"')
    return header_error (parser, _ ("expected a quoted string"), error);
  start = ++parser->p;
  while (*parser->p != '\0' && *parser->p != quote)
    parser->p++;
  if (*parser->p != quote)
    return header_error (parser, _ ("unterminated string"), error);
  len = parser->p - start;
  parser->p++;
  if (len >= out_size)
    return header_error (parser, _ ("string too long"), error);
  memcpy (out, start, len);
  out[len] = '\0';
  return TRUE;
}

static gboolean
parse_shape (DictParser *parser, NpyHeader *header, GError **error)
{
  if (*parser->p != '(')
    return header_error (parser, _ ("'shape' is not a tuple"), error);
  parser->p++;
  header->ndim = 0;

  for (;;)
    {
      char *end = NULL;
      guint64 v;

      skip_spaces (parser);
      if (*parser->p == ')')
        break;
      if (!g_ascii_isdigit (*parser->p))
        return header_error (parser, _ ("'shape' holds something other than sizes"), error);
      v = g_ascii_strtoull (parser->p, &end, 10);
      parser->p = end;
      if (*parser->p == 'L') /* written by Python 2 */
        parser->p++;
      if (header->ndim == NPY_MAX_DIMS)
        return header_error (parser, _ ("'shape' has too many dimensions"), error);
      header->shape[header->ndim++] = v;
      skip_spaces (parser);
      if (*parser->p == ',')
        parser->p++;
      else if (*parser->p != ')')
        return header_error (parser, _ ("expected ',' or ')' in 'shape'"), error);
    }
  parser->p++;
  return TRUE;
}

static gboolean
parse_descr (const char *path, NpyHeader *header, GError **error)
{
  const char *d = header->descr;
  guint64 size;
  char *end = NULL;

  if (d[0] != '<' && d[0] != '>' && d[0] != '|' && d[0] != '=')
    goto unsupported;
  if (d[1] != 'f' && d[1] != 'i' && d[1] != 'u')
    goto unsupported;
  size = g_ascii_strtoull (d + 2, &end, 10);
  if (end == d + 2 || *end != '\0')
    goto unsupported;
  if ((d[1] == 'f' && size != 4 && size != 8)
      || (d[1] != 'f' && size != 1 && size != 2 && size != 4 && size != 8))
    goto unsupported;

  header->kind = d[1];
  header->item_size = (guint) size;
  header->big_endian = d[0] == '>' || (d[0] == '=' && G_BYTE_ORDER == G_BIG_ENDIAN);
  return TRUE;

unsupported:
  g_set_error (
      error, CS_ERROR, CS_ERROR_FORMAT,
      _ ("%s: unsupported dtype '%s' (supported: float32 '<f4', float64 '<f8', uint8 '|u1'; "
         "labels also int32 '<i4' and int64 '<i8')"),
      path, d);
  return FALSE;
}

/* Parses magic, version and the header dict; *data_offset is where the array starts. */
static gboolean
npy_parse_header (const char *path,
                  const guint8 *data,
                  gsize length,
                  NpyHeader *header,
                  gsize *data_offset,
                  GError **error)
{
  g_autofree char *text = NULL;
  DictParser parser = { path, NULL };
  gboolean seen_descr = FALSE, seen_order = FALSE, seen_shape = FALSE;
  gsize header_len, start;
  guint major, minor;

  memset (header, 0, sizeof *header);

  if (length == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: empty file"), path);
      return FALSE;
    }
  if (length < NPY_MAGIC_LEN || memcmp (data, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: not a NumPy .npy file (bad magic at byte 0, expected \\x93NUMPY)"),
                   path);
      return FALSE;
    }
  if (length < 10)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: truncated at byte %zu, expected at least 10 bytes"), path, length);
      return FALSE;
    }

  major = data[6];
  minor = data[7];
  if (major == 1)
    {
      header_len = data[8] | (gsize) data[9] << 8;
      start = 10;
    }
  else if ((major == 2 || major == 3) && length >= 12)
    {
      header_len = data[8] | (gsize) data[9] << 8 | (gsize) data[10] << 16 | (gsize) data[11] << 24;
      start = 12;
    }
  else if (major == 2 || major == 3)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: truncated at byte %zu, expected at least 12 bytes"), path, length);
      return FALSE;
    }
  else
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: unsupported .npy format version %u.%u (supported: 1.0, 2.0, 3.0)"), path,
                   major, minor);
      return FALSE;
    }

  if (header_len > length - start)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: truncated at byte %zu, expected a %zu-byte header to end at byte %zu"),
                   path, length, header_len, start + header_len);
      return FALSE;
    }
  *data_offset = start + header_len;

  text = g_strndup ((const char *) data + start, header_len);
  parser.p = text;
  skip_spaces (&parser);
  if (*parser.p != '{')
    return header_error (&parser, _ ("expected a dict"), error);
  parser.p++;

  for (;;)
    {
      char key[32];

      skip_spaces (&parser);
      if (*parser.p == '}')
        break;
      if (!parse_string (&parser, key, sizeof key, error))
        return FALSE;
      skip_spaces (&parser);
      if (*parser.p != ':')
        return header_error (&parser, _ ("expected ':' after a key"), error);
      parser.p++;
      skip_spaces (&parser);

      if (g_str_equal (key, "descr"))
        {
          if (*parser.p == '[')
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: unsupported dtype: structured arrays are not supported"), path);
              return FALSE;
            }
          if (!parse_string (&parser, header->descr, sizeof header->descr, error))
            return FALSE;
          seen_descr = TRUE;
        }
      else if (g_str_equal (key, "fortran_order"))
        {
          if (g_str_has_prefix (parser.p, "True"))
            header->fortran_order = TRUE;
          else if (!g_str_has_prefix (parser.p, "False"))
            return header_error (&parser, _ ("'fortran_order' is neither True nor False"), error);
          parser.p += header->fortran_order ? 4 : 5;
          seen_order = TRUE;
        }
      else if (g_str_equal (key, "shape"))
        {
          if (!parse_shape (&parser, header, error))
            return FALSE;
          seen_shape = TRUE;
        }
      else
        {
          g_autofree char *what = g_strdup_printf (_ ("unexpected key '%s'"), key);
          return header_error (&parser, what, error);
        }

      skip_spaces (&parser);
      if (*parser.p == ',')
        parser.p++;
      else if (*parser.p != '}')
        return header_error (&parser, _ ("expected ',' or '}'"), error);
    }

  if (!seen_descr || !seen_order || !seen_shape)
    return header_error (&parser, _ ("'descr', 'fortran_order' or 'shape' is missing"), error);

  if (!parse_descr (path, header, error))
    return FALSE;
  if (header->fortran_order)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: Fortran-order arrays are not supported; save with np.ascontiguousarray"),
                   path);
      return FALSE;
    }
  return TRUE;
}

static char *
format_shape (const NpyHeader *header)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; i < header->ndim; i++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, i > 0 ? ", " : "", header->shape[i]);
  if (header->ndim == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

/* Checks that the array's bytes are all there; returns the element count. */
static gboolean
npy_check_size (const char *path,
                const NpyHeader *header,
                gsize offset,
                gsize length,
                gsize *count,
                GError **error)
{
  gsize elements = 1, bytes, expected;

  for (guint i = 0; i < header->ndim; i++)
    if (!g_size_checked_mul (&elements, elements, header->shape[i]))
      goto too_large;
  if (!g_size_checked_mul (&bytes, elements, header->item_size)
      || !g_size_checked_add (&expected, offset, bytes) || elements > G_MAXSIZE / sizeof (float))
    goto too_large;

  if (length < expected)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: truncated at byte %zu, expected %zu bytes"), path, length, expected);
      return FALSE;
    }
  *count = elements;
  return TRUE;

too_large:
  g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: the array shape is too large"), path);
  return FALSE;
}

static inline guint64
read_uint (const guint8 *p, guint size, gboolean big_endian)
{
  guint64 v = 0;

  /* Byte by byte: the data need not be aligned, and either byte order is handled alike. */
  if (big_endian)
    for (guint b = 0; b < size; b++)
      v = (v << 8) | p[b];
  else
    for (guint b = size; b > 0; b--)
      v = (v << 8) | p[b - 1];
  return v;
}

static inline double
read_float (const guint8 *p, const NpyHeader *header)
{
  guint64 bits = read_uint (p, header->item_size, header->big_endian);

  if (header->item_size == 4)
    {
      guint32 b32 = (guint32) bits;
      float f;
      memcpy (&f, &b32, sizeof f);
      return f;
    }
  else
    {
      double v;
      memcpy (&v, &bits, sizeof v);
      return v;
    }
}

static inline gint64
read_int (const guint8 *p, const NpyHeader *header)
{
  guint64 bits = read_uint (p, header->item_size, header->big_endian);
  guint shift = 64 - 8 * header->item_size;

  if (header->kind == 'u')
    return bits > G_MAXINT64 ? G_MAXINT64 : (gint64) bits;
  /* Sign-extend from item_size bytes. */
  return (gint64) (bits << shift) >> shift;
}

static gboolean
map_file (const char *path, GMappedFile **file, GError **error)
{
  g_autoptr (GError) local = NULL;

  *file = g_mapped_file_new (path, FALSE, &local);
  if (*file == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: no such file"), path);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: cannot read: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

static gint32 *
load_labels (const char *path, gsize n, guint *n_classes, GError **error)
{
  g_autoptr (GMappedFile) file = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree char *shape = NULL;
  const guint8 *data;
  gsize length, offset, count;
  NpyHeader header;
  gint64 max_label = -1;

  if (!map_file (path, &file, error))
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  length = g_mapped_file_get_length (file);

  if (!npy_parse_header (path, data, length, &header, &offset, error))
    return NULL;
  if (header.kind == 'f')
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: labels must be integers, not dtype '%s'"), path, header.descr);
      return NULL;
    }
  shape = format_shape (&header);
  if (!(header.ndim == 1 || (header.ndim == 2 && header.shape[1] == 1)))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: labels must be a 1-D array, found shape %s"), path, shape);
      return NULL;
    }
  if (header.shape[0] != n)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: %llu labels for %zu samples"), path,
                   (unsigned long long) header.shape[0], n);
      return NULL;
    }
  if (!npy_check_size (path, &header, offset, length, &count, error))
    return NULL;

  labels = g_new (gint32, n);
  for (gsize i = 0; i < n; i++)
    {
      gint64 v = read_int (data + offset + i * header.item_size, &header);

      if (v < 0)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: label %lld at index %zu is negative; labels must be class indices "
                          "0, 1, 2, …"),
                       path, (long long) v, i);
          return NULL;
        }
      if (v > NPY_MAX_LABEL)
        {
          g_set_error (
              error, CS_ERROR, CS_ERROR_FORMAT,
              _ ("%s: label %lld at index %zu is too large for a class index (at most %d)"), path,
              (long long) v, i, NPY_MAX_LABEL);
          return NULL;
        }
      labels[i] = (gint32) v;
      max_label = MAX (max_label, v);
    }

  *n_classes = (guint) max_label + 1;
  return g_steal_pointer (&labels);
}

CsDataset *
cs_dataset_load_npy (const char *path, const char *labels_path, GError **error)
{
  g_autoptr (GMappedFile) file = NULL;
  g_autofree float *x = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree char *name = NULL;
  g_autofree char *shape = NULL;
  CsDataset *dataset;
  const guint8 *data;
  gsize length, offset, count, n;
  guint d, n_classes = 0;
  NpyHeader header;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!map_file (path, &file, error))
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  length = g_mapped_file_get_length (file);

  if (!npy_parse_header (path, data, length, &header, &offset, error))
    return NULL;
  if (header.kind != 'f' && !(header.kind == 'u' && header.item_size == 1))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: unsupported dtype '%s' for data (supported: float32 '<f4', float64 "
                      "'<f8', uint8 '|u1')"),
                   path, header.descr);
      return NULL;
    }

  shape = format_shape (&header);
  if (header.ndim != 2 && header.ndim != 3)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: expected a 2-D (samples × features) or 3-D (samples × height × width) "
                      "array, found shape %s"),
                   path, shape);
      return NULL;
    }
  if (!npy_check_size (path, &header, offset, length, &count, error))
    return NULL;
  if (count == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: the array of shape %s is empty"), path,
                   shape);
      return NULL;
    }
  n = header.shape[0];
  if (count / n > G_MAXUINT)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: too many features per sample"), path);
      return NULL;
    }
  d = (guint) (count / n);

  {
    g_autofree char *what = g_strdup_printf (_ ("Loading “%s”"), path);
    g_autofree char *detail = g_strdup_printf (_ ("%s values as floats"), shape);

    if (!cs_memory_check ((guint64) count * sizeof (float), what, detail, error))
      return NULL;
  }
  x = g_new (float, count);
  if (header.kind == 'u')
    {
      float lut[256];

      for (guint v = 0; v < 256; v++)
        lut[v] = (float) v / 255.0f;
      for (gsize i = 0; i < count; i++)
        x[i] = lut[data[offset + i]];
    }
  else
    {
      gboolean native_f4
          = header.item_size == 4 && header.big_endian == (G_BYTE_ORDER == G_BIG_ENDIAN);

      /* The common case, float32 in the machine's order, is a plain copy. */
      if (native_f4)
        memcpy (x, data + offset, count * sizeof (float));
      for (gsize i = 0; i < count; i++)
        {
          gsize at = offset + i * header.item_size;
          double v = native_f4 ? x[i] : read_float (data + at, &header);
          float f = (float) v;

          if (!isfinite (f))
            {
              /* A float64 past FLT_MAX is finite in the file: say so, and what to do. */
              if (isnan (f))
                g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                             _ ("%s: element %zu (sample %zu, feature %u) at byte %zu is NaN; NaN "
                                "and infinite values are not supported"),
                             path, i, i / d, (guint) (i % d), at);
              else if (!isfinite (v))
                g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                             _ ("%s: element %zu (sample %zu, feature %u) at byte %zu is infinite; "
                                "NaN and infinite values are not supported"),
                             path, i, i / d, (guint) (i % d), at);
              else
                g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                             _ ("%s: element %zu (sample %zu, feature %u) at byte %zu is beyond "
                                "the single-precision range; scale it down"),
                             path, i, i / d, (guint) (i % d), at);
              return NULL;
            }
          x[i] = f;
        }
    }

  if (labels_path != NULL)
    {
      labels = load_labels (labels_path, n, &n_classes, error);
      if (labels == NULL)
        return NULL;
    }

  name = g_path_get_basename (path);
  dataset = cs_dataset_new_take (name, path, g_steal_pointer (&x), n, d, g_steal_pointer (&labels),
                                 n_classes);
  if (header.ndim == 3)
    {
      dataset->image_height = (guint) header.shape[1];
      dataset->image_width = (guint) header.shape[2];
    }
  return dataset;
}
