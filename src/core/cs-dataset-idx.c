/* cs-dataset-idx.c: IDX files (raw or gzip), and Fashion-MNIST built on them.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-memory.h"

#define IDX_TYPE_UBYTE 0x08
#define IDX_MAX_DIMS 3

/* Big reads keep the per-call overhead of the converter stream negligible. */
#define IDX_CHUNK_SIZE (4 * 1024 * 1024)

/* The float buffer grows in steps no larger than the data read so far, so a header that
 * promises more than the file holds cannot make us allocate it. */
#define IDX_INITIAL_VALUES (16 * 1024 * 1024)

#define FASHION_SIDE 28
#define FASHION_CLASSES 10

typedef struct
{
  const char *path;
  GInputStream *stream;
  gboolean gzip;
  gsize offset; /* bytes consumed from the (decompressed) stream */
  guint8 type;
  guint ndim;
  guint32 dims[IDX_MAX_DIMS];
  gsize count; /* elements after the header */
} IdxReader;

static const char *
idx_type_name (guint8 type)
{
  switch (type)
    {
    case 0x08:
      return _ ("unsigned byte");
    case 0x09:
      return _ ("signed byte");
    case 0x0B:
      return _ ("16-bit integer");
    case 0x0C:
      return _ ("32-bit integer");
    case 0x0D:
      return _ ("32-bit float");
    case 0x0E:
      return _ ("64-bit float");
    default:
      return _ ("unknown");
    }
}

static void
idx_reader_clear (IdxReader *reader)
{
  g_clear_object (&reader->stream);
}

/* Turns a stream error into one that names the file and says where it happened. */
static void
idx_set_read_error (IdxReader *reader, GError *local, gsize expected, GError **error)
{
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                 _ ("%s: truncated at byte %zu, expected %zu bytes (the gzip stream ends early)"),
                 reader->path, reader->offset, expected);
  else if (reader->gzip && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                 _ ("%s: corrupt gzip data after byte %zu of the decompressed "
                    "stream: %s"),
                 reader->path, reader->offset, local->message);
  else
    g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: read error at byte %zu: %s"), reader->path,
                 reader->offset, local->message);
}

/* Reads exactly size bytes, or fails with a message saying where the file ended. */
static gboolean
idx_read_exact (IdxReader *reader, void *buffer, gsize size, gsize expected, GError **error)
{
  g_autoptr (GError) local = NULL;
  gsize got = 0;

  if (!g_input_stream_read_all (reader->stream, buffer, size, &got, NULL, &local))
    {
      reader->offset += got;
      idx_set_read_error (reader, local, expected, error);
      return FALSE;
    }
  reader->offset += got;
  if (got < size)
    {
      if (reader->offset == 0)
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: empty file"), reader->path);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                     _ ("%s: truncated at byte %zu, expected %zu bytes"), reader->path,
                     reader->offset, expected);
      return FALSE;
    }
  return TRUE;
}

/* Opens path, decompressing when it starts with the gzip magic (whatever its name), and
 * parses the IDX header. */
static gboolean
idx_reader_open (
    IdxReader *reader, const char *path, guint min_ndim, guint max_ndim, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) raw = NULL;
  g_autoptr (GError) local = NULL;
  guint8 magic[4];
  guint8 dims[4 * IDX_MAX_DIMS];
  gsize got = 0;
  gsize header_size;

  memset (reader, 0, sizeof *reader);
  reader->path = path;

  raw = g_file_read (file, NULL, &local);
  if (raw == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: no such file"), path);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: cannot open: %s"), path, local->message);
      return FALSE;
    }

  if (!g_input_stream_read_all (G_INPUT_STREAM (raw), magic, 2, &got, NULL, &local)
      || !g_seekable_seek (G_SEEKABLE (raw), 0, G_SEEK_SET, NULL, &local))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: read error: %s"), path, local->message);
      return FALSE;
    }
  if (got == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: empty file"), path);
      return FALSE;
    }

  reader->gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (reader->gzip)
    {
      g_autoptr (GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      reader->stream = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (gz));
    }
  else
    {
      reader->stream = G_INPUT_STREAM (g_object_ref (raw));
    }

  if (!idx_read_exact (reader, magic, 4, 4, error))
    return FALSE;
  if (magic[0] != 0 || magic[1] != 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: not an IDX file: wrong magic 0x%02x%02x at byte 0, expected 0x0000"),
                   path, magic[0], magic[1]);
      return FALSE;
    }

  reader->type = magic[2];
  reader->ndim = magic[3];
  if (reader->type != IDX_TYPE_UBYTE)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: unsupported IDX element type 0x%02x (%s) at byte 2; only unsigned bytes "
                      "(0x08) are supported"),
                   path, reader->type, idx_type_name (reader->type));
      return FALSE;
    }
  if (reader->ndim < min_ndim || reader->ndim > max_ndim)
    {
      if (min_ndim == max_ndim)
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                     _ ("%s: the IDX header at byte 3 gives %u dimensions where %u is expected"),
                     path, reader->ndim, min_ndim);
      else
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                     _ ("%s: the IDX header at byte 3 gives %u dimensions where %u or %u are "
                        "expected"),
                     path, reader->ndim, min_ndim, max_ndim);
      return FALSE;
    }

  header_size = 4 + 4 * reader->ndim;
  if (!idx_read_exact (reader, dims, 4 * reader->ndim, header_size, error))
    return FALSE;

  reader->count = 1;
  for (guint i = 0; i < reader->ndim; i++)
    {
      const guint8 *b = dims + 4 * i;

      reader->dims[i]
          = ((guint32) b[0] << 24) | ((guint32) b[1] << 16) | ((guint32) b[2] << 8) | b[3];
      if (reader->dims[i] == 0)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: dimension %u (byte %u) is 0: the file holds no data"), path, i,
                       4 + 4 * i);
          return FALSE;
        }
      if (!g_size_checked_mul (&reader->count, reader->count, reader->dims[i])
          || reader->count > G_MAXSIZE / sizeof (float))
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: the dimensions in the IDX header are too large"), path);
          return FALSE;
        }
    }
  return TRUE;
}

/* The images as floats must fit in memory before the first is read. */
static gboolean
idx_check_memory (const IdxReader *reader, GError **error)
{
  g_autofree char *what = g_strdup_printf (_ ("Loading “%s”"), reader->path);
  g_autofree char *detail = g_strdup_printf (_ ("%zu values as floats"), (size_t) reader->count);

  return cs_memory_check ((guint64) reader->count * sizeof (float), what, detail, error);
}

/* Reads the reader's count bytes after the header into dst, either converted to floats
 * in [0, 1] (values != NULL) or kept as bytes (bytes != NULL). */
static gboolean
idx_read_data (IdxReader *reader, float **values, guint8 **bytes, GError **error)
{
  g_autofree guint8 *chunk = NULL;
  g_autofree float *out = NULL;
  g_autofree guint8 *out_bytes = NULL;
  gsize header_size = reader->offset;
  gsize expected = header_size + reader->count;
  gsize done = 0;
  gsize capacity;
  float lut[256];

  if (values != NULL)
    {
      for (guint v = 0; v < 256; v++)
        lut[v] = (float) v / 255.0f;
      capacity = MIN (reader->count, IDX_INITIAL_VALUES);
      out = g_new (float, capacity);
      chunk = g_malloc (MIN (reader->count, IDX_CHUNK_SIZE));
    }
  else
    {
      capacity = MIN (reader->count, IDX_INITIAL_VALUES);
      out_bytes = g_malloc (capacity);
    }

  while (done < reader->count)
    {
      gsize want = MIN (reader->count - done, IDX_CHUNK_SIZE);
      guint8 *dst;

      if (done + want > capacity)
        {
          capacity = MIN (reader->count, MAX (capacity * 2, done + want));
          if (values != NULL)
            out = g_renew (float, out, capacity);
          else
            out_bytes = g_realloc (out_bytes, capacity);
        }

      dst = values != NULL ? chunk : out_bytes + done;
      if (!idx_read_exact (reader, dst, want, expected, error))
        return FALSE;

      if (values != NULL)
        {
          float *o = out + done;
          for (gsize i = 0; i < want; i++)
            o[i] = lut[chunk[i]];
        }
      done += want;
    }

  if (values != NULL)
    *values = g_steal_pointer (&out);
  else
    *bytes = g_steal_pointer (&out_bytes);
  return TRUE;
}

CsDataset *
cs_dataset_load_idx (const char *images_path, const char *labels_path, GError **error)
{
  IdxReader images, labels_reader;
  g_autofree float *x = NULL;
  g_autofree guint8 *label_bytes = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree char *name = NULL;
  CsDataset *dataset;
  guint n_classes = 0;
  gsize n;
  guint d;
  gboolean ok;

  g_return_val_if_fail (images_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ok = idx_reader_open (&images, images_path, 2, 3, error) && idx_check_memory (&images, error)
       && idx_read_data (&images, &x, NULL, error);
  idx_reader_clear (&images);
  if (!ok)
    return NULL;

  n = images.dims[0];
  if ((gsize) images.count / n > G_MAXUINT)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: too many features per sample"),
                   images_path);
      return NULL;
    }
  d = (guint) (images.count / n);

  if (labels_path != NULL)
    {
      guint8 max_label = 0;

      ok = idx_reader_open (&labels_reader, labels_path, 1, 1, error);
      if (ok && labels_reader.dims[0] != n)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: %u labels for %zu images in %s"),
                       labels_path, labels_reader.dims[0], n, images_path);
          ok = FALSE;
        }
      ok = ok && idx_read_data (&labels_reader, NULL, &label_bytes, error);
      idx_reader_clear (&labels_reader);
      if (!ok)
        return NULL;

      labels = g_new (gint32, n);
      for (gsize i = 0; i < n; i++)
        {
          labels[i] = label_bytes[i];
          max_label = MAX (max_label, label_bytes[i]);
        }
      n_classes = (guint) max_label + 1;
    }

  name = g_path_get_basename (images_path);
  dataset = cs_dataset_new_take (name, images_path, g_steal_pointer (&x), n, d,
                                 g_steal_pointer (&labels), n_classes);
  if (images.ndim == 3)
    {
      dataset->image_height = images.dims[1];
      dataset->image_width = images.dims[2];
    }
  return dataset;
}

/* The dataset's own English names; translated when a dataset is made. */
static const char *fashion_class_names[FASHION_CLASSES] = {
  NC_ ("Fashion-MNIST class", "T-shirt/top"), NC_ ("Fashion-MNIST class", "Trouser"),
  NC_ ("Fashion-MNIST class", "Pullover"),    NC_ ("Fashion-MNIST class", "Dress"),
  NC_ ("Fashion-MNIST class", "Coat"),        NC_ ("Fashion-MNIST class", "Sandal"),
  NC_ ("Fashion-MNIST class", "Shirt"),       NC_ ("Fashion-MNIST class", "Sneaker"),
  NC_ ("Fashion-MNIST class", "Bag"),         NC_ ("Fashion-MNIST class", "Ankle boot"),
};

static void
set_fashion_missing_error (GError **error, const char *dir, const char *what)
{
  g_set_error (
      error, CS_ERROR, CS_ERROR_IO,
      _ ("Fashion-MNIST was not found in %s (%s). Install Debian's dataset-fashion-mnist "
         "package (sudo apt install dataset-fashion-mnist), or set CS_FASHION_MNIST_DIR to "
         "a directory holding its four IDX files."),
      dir, what);
}

static CsDataset *
load_fashion_split (const char *dir, const char *prefix, GError **error)
{
  g_autofree char *images_base = g_strdup_printf ("%s-images-idx3-ubyte.gz", prefix);
  g_autofree char *labels_base = g_strdup_printf ("%s-labels-idx1-ubyte.gz", prefix);
  g_autofree char *images_path = g_build_filename (dir, images_base, NULL);
  g_autofree char *labels_path = g_build_filename (dir, labels_base, NULL);
  g_autoptr (CsDataset) dataset = NULL;

  if (!g_file_test (images_path, G_FILE_TEST_IS_REGULAR)
      || !g_file_test (labels_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *what = g_strdup_printf (
          _ ("%s is missing"),
          g_file_test (images_path, G_FILE_TEST_IS_REGULAR) ? labels_base : images_base);
      set_fashion_missing_error (error, dir, what);
      return NULL;
    }

  dataset = cs_dataset_load_idx (images_path, labels_path, error);
  if (dataset == NULL)
    return NULL;

  if (dataset->image_width != FASHION_SIDE || dataset->image_height != FASHION_SIDE
      || dataset->n_classes > FASHION_CLASSES)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: not Fashion-MNIST: expected %d×%d images with labels 0 to %d, found "
                      "%u×%u images with labels up to %u"),
                   images_path, FASHION_SIDE, FASHION_SIDE, FASHION_CLASSES - 1,
                   dataset->image_width, dataset->image_height, dataset->n_classes - 1);
      return NULL;
    }
  return g_steal_pointer (&dataset);
}

CsDataset *
cs_dataset_load_fashion_mnist (const char *dir, CsFashionSplit split, GError **error)
{
  g_autoptr (CsDataset) train = NULL;
  g_autoptr (CsDataset) test = NULL;
  g_autofree char *count = NULL;
  g_autofree char *name = NULL;
  const char *split_label;
  const char *source;
  CsDataset *dataset;
  float *x;
  gint32 *labels;
  gsize n;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dir == NULL)
    {
      dir = g_getenv ("CS_FASHION_MNIST_DIR");
      if (dir == NULL || *dir == '\0')
        dir = FASHION_MNIST_DIR;
    }

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      set_fashion_missing_error (error, dir, _ ("no such directory"));
      return NULL;
    }

  switch (split)
    {
    case CS_FASHION_TEST:
      split_label = C_ ("Fashion-MNIST split", "test");
      source = "fashion-mnist-test";
      test = load_fashion_split (dir, "t10k", error);
      if (test == NULL)
        return NULL;
      break;
    case CS_FASHION_TRAIN:
      split_label = C_ ("Fashion-MNIST split", "train");
      source = "fashion-mnist-train";
      train = load_fashion_split (dir, "train", error);
      if (train == NULL)
        return NULL;
      break;
    case CS_FASHION_ALL:
      split_label = C_ ("Fashion-MNIST split", "train + test");
      source = "fashion-mnist";
      train = load_fashion_split (dir, "train", error);
      if (train == NULL)
        return NULL;
      test = load_fashion_split (dir, "t10k", error);
      if (test == NULL)
        return NULL;
      break;
    default:
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("unknown Fashion-MNIST split %d"), split);
      return NULL;
    }

  /* Take the arrays over rather than copy them: the per-split datasets are ours alone. */
  if (train != NULL && test != NULL)
    {
      n = train->n + test->n;
      x = g_renew (float, g_steal_pointer (&train->x), n * train->d);
      memcpy (x + train->n * train->d, test->x, test->n * test->d * sizeof (float));
      labels = g_renew (gint32, g_steal_pointer (&train->labels), n);
      memcpy (labels + train->n, test->labels, test->n * sizeof (gint32));
    }
  else
    {
      CsDataset *only = train != NULL ? train : test;
      n = only->n;
      x = g_steal_pointer (&only->x);
      labels = g_steal_pointer (&only->labels);
    }

  count = cs_format_count (n, " ");
  /* Translators: the split ("test") and its number of samples ("10 000") */
  name = g_strdup_printf (_ ("Fashion-MNIST (%s, %s)"), split_label, count);
  dataset = cs_dataset_new_take (name, source, x, n, FASHION_SIDE * FASHION_SIDE, labels,
                                 FASHION_CLASSES);
  dataset->image_width = FASHION_SIDE;
  dataset->image_height = FASHION_SIDE;
  dataset->class_names = g_new0 (char *, FASHION_CLASSES + 1);
  for (guint c = 0; c < FASHION_CLASSES; c++)
    dataset->class_names[c]
        = g_strdup (g_dpgettext2 (GETTEXT_PACKAGE, "Fashion-MNIST class", fashion_class_names[c]));
  return dataset;
}
