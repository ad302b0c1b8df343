/* cs-dataset-csv.c: delimited text files with numeric features and an optional label column.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-memory.h"

/* Integer labels are class indices; a larger one is almost surely an identifier column
 * chosen by mistake, and would make every per-class table huge. */
#define CSV_MAX_INTEGER_LABEL 100000

typedef struct
{
  const char *path;
  char delimiter;
  GPtrArray *fields; /* char *, pointing into the line being split */
} CsvParser;

/* Decompressed text beyond this is refused rather than read: a CSV of that size would not fit
 * the float matrix beside it on a desktop machine anyway, and a gzip bomb must not fill memory. */
#define CSV_MAX_TEXT_BYTES ((gsize) 4 << 30)

/* Reads the whole file; when it starts with the gzip magic (whatever its name: scikit-learn
 * ships .csv.gz), decompresses it. Errors name the file and, for bad gzip data, the offset in
 * the decompressed text where it broke. */
static gboolean
read_text (const char *path, char **contents, gsize *length, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *raw = NULL;
  g_autoptr (GZlibDecompressor) gz = NULL;
  g_autoptr (GInputStream) compressed = NULL;
  g_autoptr (GInputStream) stream = NULL;
  GString *out;
  gsize raw_length = 0;
  GStatBuf st;

  /* The text is held whole: it must fit first. (Decompressed text is bounded below.) */
  if (g_stat (path, &st) == 0 && st.st_size > 0)
    {
      g_autofree char *what = g_strdup_printf (_ ("Reading “%s”"), path);

      if (!cs_memory_check ((guint64) st.st_size, what, NULL, error))
        return FALSE;
    }
  if (!g_file_get_contents (path, &raw, &raw_length, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: no such file"), path);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: cannot read: %s"), path, local->message);
      return FALSE;
    }
  if (raw_length < 2 || (guint8) raw[0] != 0x1f || (guint8) raw[1] != 0x8b)
    {
      *contents = g_steal_pointer (&raw);
      *length = raw_length;
      return TRUE;
    }

  gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  compressed = g_memory_input_stream_new_from_data (raw, raw_length, NULL);
  stream = g_converter_input_stream_new (compressed, G_CONVERTER (gz));
  out = g_string_sized_new (MIN (raw_length * 4, (gsize) 64 << 20));
  for (;;)
    {
      guint8 buffer[65536];
      gssize got = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &local);

      if (got < 0)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: corrupt gzip data after byte %zu of the decompressed text: %s"),
                       path, out->len, local->message);
          g_string_free (out, TRUE);
          return FALSE;
        }
      if (got == 0)
        break;
      if (out->len + (gsize) got > CSV_MAX_TEXT_BYTES)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: decompresses to more than 4 GiB of text; decompress and convert it "
                          "to .npy (float32) instead"),
                       path);
          g_string_free (out, TRUE);
          return FALSE;
        }
      g_string_append_len (out, (const char *) buffer, got);
    }
  *length = out->len;
  *contents = g_string_free (out, FALSE);
  return TRUE;
}

static char
detect_delimiter (const char *line)
{
  guint commas = 0, semicolons = 0, tabs = 0;
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (*p == ',')
        commas++;
      else if (*p == ';')
        semicolons++;
      else if (*p == '\t')
        tabs++;
    }

  if (semicolons > commas && semicolons >= tabs)
    return ';';
  if (tabs > commas && tabs > semicolons)
    return '\t';
  return ',';
}

static inline gboolean
is_blank (char c, char delimiter)
{
  return c == ' ' || (c == '\t' && delimiter != '\t');
}

/* Splits line in place into parser->fields: unquotes "..." fields ("" is a quote) and trims
 * blanks around unquoted ones. */
static gboolean
split_line (CsvParser *parser, char *line, guint line_number, GError **error)
{
  char *r = line;
  char delimiter = parser->delimiter;

  g_ptr_array_set_size (parser->fields, 0);

  for (;;)
    {
      char *start, *w, *end;
      char c;

      while (is_blank (*r, delimiter))
        r++;
      start = w = r;

      if (*r == '"')
        {
          r++;
          for (;;)
            {
              if (*r == '\0')
                {
                  g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                               _ ("%s: line %u, column %u: unterminated quoted field"),
                               parser->path, line_number, parser->fields->len + 1);
                  return FALSE;
                }
              if (*r == '"')
                {
                  if (r[1] != '"')
                    {
                      r++;
                      break;
                    }
                  r++;
                }
              *w++ = *r++;
            }
          end = w;
          while (is_blank (*r, delimiter))
            r++;
          if (*r != '\0' && *r != delimiter)
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: line %u, column %u: unexpected text after a closing quote"),
                           parser->path, line_number, parser->fields->len + 1);
              return FALSE;
            }
        }
      else
        {
          while (*r != '\0' && *r != delimiter)
            *w++ = *r++;
          end = w;
          while (end > start && is_blank (end[-1], delimiter))
            end--;
        }

      c = *r;
      *end = '\0';
      g_ptr_array_add (parser->fields, start);
      if (c == '\0')
        return TRUE;
      r++;
    }
}

static gboolean
parse_number (const char *text, double *value)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

static gboolean
parse_column_index (const char *text, gint64 *index)
{
  return g_ascii_string_to_signed (text, 10, G_MININT32, G_MAXINT32, index, NULL);
}

/* The next non-blank line, with its 1-based number; NULL at the end. Cuts the buffer. */
static char *
next_line (char **cursor, char *end, guint *line_number)
{
  while (*cursor < end)
    {
      char *line = *cursor;
      char *nl = memchr (line, '\n', end - line);
      char *stop = nl != NULL ? nl : end;

      *cursor = nl != NULL ? nl + 1 : end;
      (*line_number)++;
      if (stop > line && stop[-1] == '\r')
        stop--;
      *stop = '\0';

      for (const char *p = line; *p != '\0'; p++)
        if (*p != ' ' && *p != '\t')
          return line;
    }
  return NULL;
}

static char *
join_fields (GPtrArray *fields)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < fields->len; i++)
    g_string_append_printf (s, "%s“%s”", i > 0 ? ", " : "", (const char *) fields->pdata[i]);
  return g_string_free (s, FALSE);
}

/* Resolves the label column against the first row; decides whether that row is a header. */
static gboolean
resolve_header_and_label (CsvParser *parser,
                          const CsCsvOptions *options,
                          guint first_line,
                          gboolean *has_header,
                          int *label_index,
                          GError **error)
{
  GPtrArray *first = parser->fields;
  guint ncols = first->len;
  const char *label = options->label_column;
  gint64 index = -1;
  gboolean by_name = FALSE;

  *label_index = -1;
  if (label != NULL)
    {
      if (parse_column_index (label, &index))
        {
          if (index < 0)
            index += ncols;
          if (index < 0 || index >= ncols)
            {
              g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                           _ ("%s: label column %s is out of range: line %u has %u columns"),
                           parser->path, label, first_line, ncols);
              return FALSE;
            }
          *label_index = (int) index;
        }
      else
        {
          by_name = TRUE;
        }
    }

  if (options->has_header >= 0)
    *has_header = options->has_header != 0;
  else if (by_name)
    *has_header = TRUE;
  else
    {
      double v;

      *has_header = FALSE;
      for (guint i = 0; i < ncols; i++)
        if ((int) i != *label_index && !parse_number (first->pdata[i], &v))
          *has_header = TRUE;
    }

  if (by_name)
    {
      if (!*has_header)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       _ ("%s: the label column “%s” is given by name, but the file has no header"),
                       parser->path, label);
          return FALSE;
        }
      for (guint i = 0; i < ncols && *label_index < 0; i++)
        if (g_str_equal (first->pdata[i], label))
          *label_index = (int) i;
      for (guint i = 0; i < ncols && *label_index < 0; i++)
        if (g_ascii_strcasecmp (first->pdata[i], label) == 0)
          *label_index = (int) i;
      if (*label_index < 0)
        {
          g_autofree char *names = join_fields (first);
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       _ ("%s: no column named “%s” for the labels; the header on line %u has %s"),
                       parser->path, label, first_line, names);
          return FALSE;
        }
    }
  return TRUE;
}

/* Integer labels when every label is an integral number (np.savetxt writes "1.0e+00"),
 * otherwise strings, numbered in order of first appearance. */
static gboolean
convert_labels (CsvParser *parser,
                GPtrArray *texts,
                GArray *line_numbers,
                guint column,
                gint32 **labels_out,
                guint *n_classes_out,
                char ***names_out,
                GError **error)
{
  gsize n = texts->len;
  g_autofree gint32 *labels = g_new (gint32, n);
  gboolean integers = TRUE;
  gint64 max_label = -1;

  for (gsize i = 0; i < n && integers; i++)
    {
      double v;

      if (!parse_number (texts->pdata[i], &v) || !isfinite (v) || v != floor (v)
          || fabs (v) > G_MAXINT32)
        integers = FALSE;
    }

  if (integers)
    {
      for (gsize i = 0; i < n; i++)
        {
          double v = 0.0;
          guint line = g_array_index (line_numbers, guint, i);

          /* Cannot fail: every label parsed above. */
          parse_number (texts->pdata[i], &v);
          if (v < 0)
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: line %u, column %u: label %s is negative; integer labels must "
                              "be class indices 0, 1, 2, …"),
                           parser->path, line, column + 1, (const char *) texts->pdata[i]);
              return FALSE;
            }
          if (v > CSV_MAX_INTEGER_LABEL)
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: line %u, column %u: label %s is too large for a class index "
                              "(at most %d); is this the label column?"),
                           parser->path, line, column + 1, (const char *) texts->pdata[i],
                           CSV_MAX_INTEGER_LABEL);
              return FALSE;
            }
          labels[i] = (gint32) v;
          max_label = MAX (max_label, labels[i]);
        }
      *n_classes_out = (guint) max_label + 1;
      *names_out = NULL;
    }
  else
    {
      g_autoptr (GHashTable) classes = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      for (gsize i = 0; i < n; i++)
        {
          const char *text = texts->pdata[i];
          gpointer value;

          if (*text == '\0')
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: line %u, column %u: empty label"), parser->path,
                           g_array_index (line_numbers, guint, i), column + 1);
              return FALSE;
            }
          if (!g_hash_table_lookup_extended (classes, text, NULL, &value))
            {
              value = GUINT_TO_POINTER (names->len);
              g_hash_table_insert (classes, (gpointer) text, value);
              g_ptr_array_add (names, g_strdup (text));
            }
          labels[i] = (gint32) GPOINTER_TO_UINT (value);
        }
      *n_classes_out = names->len;
      g_ptr_array_add (names, NULL);
      *names_out = (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
    }

  *labels_out = g_steal_pointer (&labels);
  return TRUE;
}

/* Zero mean, unit variance per feature (population variance, as scikit-learn's
 * StandardScaler); a constant feature becomes 0 rather than NaN. */
static void
standardize (float *x, gsize n, guint d)
{
  g_autofree double *mean = g_new0 (double, d);
  g_autofree double *var = g_new0 (double, d);
  g_autofree gboolean *constant = g_new (gboolean, d);

  for (guint j = 0; j < d; j++)
    constant[j] = TRUE;

  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      {
        mean[j] += x[i * d + j];
        if (x[i * d + j] != x[j])
          constant[j] = FALSE;
      }
  for (guint j = 0; j < d; j++)
    mean[j] /= (double) n;
  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      {
        double delta = x[i * d + j] - mean[j];
        var[j] += delta * delta;
      }
  for (guint j = 0; j < d; j++)
    {
      double scale = constant[j] ? 0.0 : 1.0 / sqrt (var[j] / (double) n);

      for (gsize i = 0; i < n; i++)
        x[i * d + j] = (float) ((x[i * d + j] - mean[j]) * scale);
    }
}

CsDataset *
cs_dataset_load_csv (const char *path, const CsCsvOptions *options, GError **error)
{
  static const CsCsvOptions default_options = { NULL, -1, FALSE };
  g_autofree char *contents = NULL;
  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  g_autoptr (GArray) values = NULL;
  g_autoptr (GPtrArray) label_texts = g_ptr_array_new ();
  g_autoptr (GArray) label_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gint32 *labels = NULL;
  g_auto (GStrv) class_names = NULL;
  g_autofree char *name = NULL;
  CsvParser parser = { path, ',', fields };
  CsDataset *dataset;
  char *cursor, *end, *line, *nul;
  gsize length = 0;
  guint line_number = 0, first_line;
  guint ncols, d;
  guint n_classes = 0;
  int label_index;
  gboolean has_header;
  gboolean line_is_split = TRUE; /* the first line was split to look at it */
  gsize n = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    options = &default_options;

  if (!read_text (path, &contents, &length, error))
    return NULL;

  nul = memchr (contents, '\0', length);
  if (nul != NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: binary data (a NUL byte at byte %zu); not a text file"), path,
                   (gsize) (nul - contents));
      return NULL;
    }

  cursor = contents;
  end = contents + length;
  if (length >= 3 && memcmp (contents, "\xef\xbb\xbf", 3) == 0)
    cursor += 3;

  line = next_line (&cursor, end, &line_number);
  if (line == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: empty file"), path);
      return NULL;
    }
  first_line = line_number;

  parser.delimiter = detect_delimiter (line);
  if (!split_line (&parser, line, line_number, error))
    return NULL;
  ncols = fields->len;

  if (!resolve_header_and_label (&parser, options, first_line, &has_header, &label_index, error))
    return NULL;

  d = ncols - (label_index >= 0 ? 1 : 0);
  if (d == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: no feature columns: the only column holds the labels"), path);
      return NULL;
    }

  /* The values as floats, counted as if each took 8 bytes of text ("0.12345,"). */
  {
    g_autofree char *what = g_strdup_printf (_ ("Loading “%s”"), path);

    if (!cs_memory_check ((guint64) length / 8 * sizeof (float), what, NULL, error))
      return NULL;
  }
  values = g_array_sized_new (FALSE, FALSE, sizeof (float), d * MAX (length / 8 / ncols, 16));

  if (has_header)
    {
      line = next_line (&cursor, end, &line_number);
      line_is_split = FALSE;
    }

  for (; line != NULL; line = next_line (&cursor, end, &line_number))
    {
      if (!line_is_split && !split_line (&parser, line, line_number, error))
        return NULL;
      line_is_split = FALSE;
      if (fields->len != ncols)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: line %u: expected %u fields, found %u"), path, line_number, ncols,
                       fields->len);
          return NULL;
        }

      for (guint j = 0; j < ncols; j++)
        {
          const char *text = fields->pdata[j];
          double v;
          float f;

          if ((int) j == label_index)
            {
              g_ptr_array_add (label_texts, (gpointer) text);
              g_array_append_val (label_lines, line_number);
              continue;
            }
          if (!parse_number (text, &v))
            {
              if (options->label_column == NULL)
                g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                             _ ("%s: line %u, column %u: '%s' is not a number (if this column "
                                "holds labels, name it as the label column)"),
                             path, line_number, j + 1, text);
              else
                g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                             _ ("%s: line %u, column %u: '%s' is not a number"), path, line_number,
                             j + 1, text);
              return NULL;
            }
          f = (float) v;
          if (!isfinite (f) && isfinite (v))
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: line %u, column %u: '%s' is beyond the single-precision range "
                              "(magnitudes up to %.3g); scale the column down"),
                           path, line_number, j + 1, text, FLT_MAX);
              return NULL;
            }
          if (!isfinite (f))
            {
              g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                           _ ("%s: line %u, column %u: '%s' is not a finite number (NaN and "
                              "infinite values are not supported)"),
                           path, line_number, j + 1, text);
              return NULL;
            }
          g_array_append_val (values, f);
        }
      n++;
    }

  if (n == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: no data rows after the header on line %u"), path, first_line);
      return NULL;
    }

  if (label_index >= 0
      && !convert_labels (&parser, label_texts, label_lines, (guint) label_index, &labels,
                          &n_classes, &class_names, error))
    return NULL;

  if (options->standardize)
    standardize ((float *) (void *) values->data, n, d);

  name = g_path_get_basename (path);
  dataset = cs_dataset_new_take (name, path,
                                 (float *) (void *) g_array_free (g_steal_pointer (&values), FALSE),
                                 n, d, g_steal_pointer (&labels), n_classes);
  dataset->class_names = g_steal_pointer (&class_names);
  return dataset;
}
