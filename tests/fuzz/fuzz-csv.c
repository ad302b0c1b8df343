/* fuzz-csv.c: libFuzzer harness for the CSV loader.
 *
 * Each input is loaded twice: with the defaults (header detected, no label column) and with
 * the last column as labels and standardisation, so the label and scaling paths see every
 * input too.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-dataset.h"
#include "fuzz-common.h"

static void
load (const char *path, const CsCsvOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = cs_dataset_load_csv (path, options, &error);

  /* A loader answers with a dataset or an error, never both, never neither. */
  g_assert ((ds == NULL) != (error == NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const CsCsvOptions labelled = { "-1", -1, TRUE };
  char *path;
  int fd = fuzz_file_new (data, size, &path);

  load (path, NULL);
  load (path, &labelled);
  fuzz_file_close (fd, path);
  return 0;
}
