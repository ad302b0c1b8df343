/* fuzz-config.c: libFuzzer harness for config.json / --config (json-glib, then
 * cs_settings_update_from_json and the settings' validation).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-run.h"
#include "cs-settings.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *spec = NULL;
  CsSettings settings;
  char *path;
  int fd = fuzz_file_new (data, size, &path);

  cs_settings_init_default (&settings);
  if (cs_run_read_config (path, &settings, &spec, &error))
    {
      g_autoptr (GError) invalid = NULL;

      /* What the CLI does next with the settings it read. */
      cs_settings_validate (&settings, &invalid);
      g_assert (error == NULL);
    }
  else
    g_assert (error != NULL && spec == NULL);
  fuzz_file_close (fd, path);
  return 0;
}
