/* fuzz-idx.c: libFuzzer harness for the IDX loader, raw and gzip.
 *
 * The loader decompresses whatever starts with the gzip magic, so one harness covers both:
 * the corpus holds raw and .gz files. Each input is loaded as the images file and as the
 * labels file of a fixed, valid set of four 2 x 2 images.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-dataset.h"
#include "fuzz-common.h"

static void
load (const char *images_path, const char *labels_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = cs_dataset_load_idx (images_path, labels_path, &error);

  g_assert ((ds == NULL) != (error == NULL));
}

static char *
fixed_images_path (void)
{
  static char *path;

  if (path == NULL)
    {
      /* idx3, uint8: 4 images of 2 x 2. */
      static const guint8 file[] = { 0, 0, 0x08, 3, 0, 0, 0, 4, 0, 0, 0,  2,  0,  0,  0,  2,
                                     0, 1, 2,    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

      /* Kept open for the life of the process; its name stays valid. */
      fuzz_file_new (file, sizeof file, &path);
    }
  return path;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  char *path;
  int fd = fuzz_file_new (data, size, &path);

  load (path, NULL);
  load (fixed_images_path (), path);
  fuzz_file_close (fd, path);
  return 0;
}
