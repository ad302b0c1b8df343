/* fuzz-npy.c: libFuzzer harness for the NumPy .npy loader.
 *
 * Each input is loaded as the data file and as the labels file of a fixed, valid 4 x 2
 * float32 array, so the label parser sees it too once the fuzzer finds a 4-entry shape.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-dataset.h"
#include "fuzz-common.h"

static void
load (const char *path, const char *labels_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = cs_dataset_load_npy (path, labels_path, &error);

  g_assert ((ds == NULL) != (error == NULL));
}

/* A 4 x 2 float32 array of zeros in format version 1.0, its header padded to 128 bytes. */
static char *
fixed_data_path (void)
{
  static char *path;

  if (path == NULL)
    {
      static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }";
      guint8 file[128 + 4 * 2 * 4] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 128 - 10, 0 };

      memset (file + 10, ' ', 128 - 10);
      memcpy (file + 10, dict, strlen (dict));
      file[127] = '\n';
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
  load (fixed_data_path (), path);
  fuzz_file_close (fd, path);
  return 0;
}
