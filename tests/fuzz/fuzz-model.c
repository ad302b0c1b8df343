/* fuzz-model.c: libFuzzer harness for the model file (cs_autoencoder_load), which the GUI and
 * `--load-model` read.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-autoencoder.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *centroids = NULL;
  CsAutoencoder *ae;
  guint k = 0;
  char *path;
  int fd = fuzz_file_new (data, size, &path);

  ae = cs_autoencoder_load (path, 4, &centroids, &k, &error);
  g_assert ((ae == NULL) != (error == NULL));
  if (ae != NULL)
    {
      /* What a save of the loaded model does next. */
      g_autoptr (GBytes) again = cs_autoencoder_serialize (ae, centroids, k);

      g_assert (g_bytes_get_size (again) <= size);
      cs_autoencoder_free (ae);
    }
  fuzz_file_close (fd, path);
  return 0;
}
