/* test-autoencoder.c: the network against naive loops and finite differences.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-autoencoder.h"
#include "cs-error.h"
#include "cs-loss.h"
#include "cs-rng.h"

static const guint small_dims[] = { 7, 6, 5, 3, 5, 6, 7 };

static CsAutoencoder *
make_small (guint max_batch, guint64 seed)
{
  CsAutoencoder *ae = cs_autoencoder_new (small_dims, G_N_ELEMENTS (small_dims), max_batch);
  CsRng rng;

  cs_rng_init (&rng, seed);
  cs_autoencoder_init_glorot (ae, &rng);
  /* Non-zero biases so that the bias paths are exercised. */
  for (guint l = 0; l < ae->n_layers; l++)
    for (guint j = 0; j < ae->dims[l + 1]; j++)
      ae->b[l][j] = (float) (0.2 * cs_rng_normal (&rng));
  return ae;
}

static float *
random_matrix (gsize rows, guint cols, guint64 seed)
{
  float *x = g_new (float, rows *cols);
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (gsize i = 0; i < rows * cols; i++)
    x[i] = (float) cs_rng_uniform (&rng);
  return x;
}

/* Naive double-precision forward pass; returns activations of every layer. */
static double **
naive_forward (const CsAutoencoder *ae, const float *x, guint batch)
{
  double **acts = g_new0 (double *, ae->n_layers + 1);

  acts[0] = g_new (double, (gsize) batch * ae->dims[0]);
  for (gsize i = 0; i < (gsize) batch * ae->dims[0]; i++)
    acts[0][i] = x[i];
  for (guint l = 0; l < ae->n_layers; l++)
    {
      guint in = ae->dims[l], out = ae->dims[l + 1];
      gboolean relu = l + 1 != ae->code_layer && l + 1 != ae->n_layers;

      acts[l + 1] = g_new (double, (gsize) batch *out);
      for (guint i = 0; i < batch; i++)
        for (guint j = 0; j < out; j++)
          {
            double s = ae->b[l][j];
            for (guint c = 0; c < in; c++)
              s += acts[l][(gsize) i * in + c] * ae->w[l][(gsize) c * out + j];
            acts[l + 1][(gsize) i * out + j] = relu && s < 0 ? 0 : s;
          }
    }
  return acts;
}

static void
free_acts (const CsAutoencoder *ae, double **acts)
{
  for (guint l = 0; l <= ae->n_layers; l++)
    g_free (acts[l]);
  g_free (acts);
}

static void
test_forward_matches_naive (void)
{
  const guint batch = 9;
  CsAutoencoder *ae = make_small (batch, 1);
  g_autofree float *x = random_matrix (batch, 7, 2);
  const float *out = cs_autoencoder_forward (ae, x, batch);
  double **ref = naive_forward (ae, x, batch);

  for (guint l = 1; l <= ae->n_layers; l++)
    for (gsize i = 0; i < (gsize) batch * ae->dims[l]; i++)
      g_assert_cmpfloat_with_epsilon (ae->acts[l][i], ref[l][i], 1e-5);
  for (gsize i = 0; i < (gsize) batch * 7; i++)
    g_assert_cmpfloat_with_epsilon (out[i], ref[ae->n_layers][i], 1e-5);
  free_acts (ae, ref);
  cs_autoencoder_free (ae);
}

/* The encoding of many rows in blocks equals the code of the training forward pass. */
static void
test_encode_blocks (void)
{
  const gsize n = 4500; /* more than two encoding blocks */
  CsAutoencoder *ae = make_small (n, 3);
  g_autofree float *x = random_matrix (n, 7, 4);
  g_autofree float *z = g_new (float, n * 3);
  const float *code;

  cs_autoencoder_encode (ae, x, n, z);
  cs_autoencoder_forward (ae, x, n);
  code = cs_autoencoder_code (ae);
  for (gsize i = 0; i < n * 3; i++)
    g_assert_cmpfloat_with_epsilon (z[i], code[i], 1e-6);
  cs_autoencoder_free (ae);
}

/* The decoder alone, on more rows than a block, equals the naive decoder half of the network
 * applied to the codes, and leaves the training caches alone. */
static void
test_decode_matches_naive (void)
{
  const gsize n = 2100; /* more than one block */
  CsAutoencoder *ae = make_small (16, 5);
  g_autofree float *z = random_matrix (n, 3, 6);
  g_autofree float *x = g_new (float, n * 7);
  g_autofree float *cache = g_memdup2 (ae->acts[1], (gsize) 16 * ae->dims[1] * sizeof (float));

  cs_autoencoder_decode (ae, z, n, x);
  for (gsize i = 0; i < n; i++)
    {
      double a[64], b[64];
      guint width = 3;

      for (guint c = 0; c < 3; c++)
        a[c] = z[i * 3 + c];
      for (guint l = ae->code_layer; l < ae->n_layers; l++)
        {
          guint in = ae->dims[l], out = ae->dims[l + 1];
          gboolean relu = l + 1 != ae->n_layers;

          g_assert_cmpuint (out, <=, 64);
          for (guint j = 0; j < out; j++)
            {
              double sum = ae->b[l][j];
              for (guint c = 0; c < in; c++)
                sum += a[c] * ae->w[l][(gsize) c * out + j];
              b[j] = relu && sum < 0 ? 0 : sum;
            }
          memcpy (a, b, out * sizeof (double));
          width = out;
        }
      g_assert_cmpuint (width, ==, 7);
      for (guint c = 0; c < 7; c++)
        g_assert_cmpfloat_with_epsilon (x[i * 7 + c], a[c], 1e-5);
    }
  g_assert_cmpmem (cache, (gsize) 16 * ae->dims[1] * sizeof (float), ae->acts[1],
                   (gsize) 16 * ae->dims[1] * sizeof (float));
  cs_autoencoder_free (ae);
}

/* Total loss of the network on x, optionally with the clustering loss on the code. */
static double
total_loss (CsAutoencoder *ae,
            const float *x,
            guint batch,
            const float *r,
            guint k,
            double alpha,
            double lambda)
{
  double loss;

  cs_autoencoder_forward (ae, x, batch);
  loss = cs_autoencoder_rec_loss (ae, x, batch, NULL);
  if (r)
    {
      g_autofree float *work = g_new (float, 2 * batch * k);
      loss += lambda
              * cs_cluster_loss (cs_autoencoder_code (ae), batch, ae->dims[ae->code_layer], r, k,
                                 alpha, lambda, NULL, NULL, work);
    }
  return loss;
}

/* Central differences on every parameter against the analytic gradient. */
static void
check_gradients (gboolean with_cluster_loss)
{
  const guint batch = 5, k = 3;
  CsAutoencoder *ae = make_small (batch, 11);
  g_autofree float *x = random_matrix (batch, 7, 12);
  g_autofree float *d_out = g_new (float, batch * 7);
  g_autofree float *d_code = g_new (float, batch * 3);
  g_autofree float *work = g_new (float, 2 * batch * k);
  g_autofree float *r = NULL;
  g_autofree float *analytic = NULL;
  const double alpha = 3.0, lambda = 0.7, eps = 2e-3;
  guint bad = 0;

  if (with_cluster_loss)
    {
      CsRng rng;
      cs_rng_init (&rng, 13);
      r = g_new (float, k * 3);
      /* Centroids near the codes so that the softmax is not saturated. */
      cs_autoencoder_forward (ae, x, batch);
      for (guint j = 0; j < k; j++)
        for (guint c = 0; c < 3; c++)
          r[j * 3 + c] = cs_autoencoder_code (ae)[j * 3 + c] + (float) (0.3 * cs_rng_normal (&rng));
    }

  cs_autoencoder_forward (ae, x, batch);
  cs_autoencoder_rec_loss (ae, x, batch, d_out);
  if (with_cluster_loss)
    cs_cluster_loss (cs_autoencoder_code (ae), batch, 3, r, k, alpha, lambda, d_code, NULL, work);
  cs_autoencoder_backward (ae, d_out, with_cluster_loss ? d_code : NULL, batch);
  analytic = g_memdup2 (ae->grads, ae->n_params * sizeof (float));

  for (gsize p = 0; p < ae->n_params; p++)
    {
      float saved = ae->params[p];
      double lp, lm, numeric;

      ae->params[p] = saved + (float) eps;
      lp = total_loss (ae, x, batch, r, k, alpha, lambda);
      ae->params[p] = saved - (float) eps;
      lm = total_loss (ae, x, batch, r, k, alpha, lambda);
      ae->params[p] = saved;
      numeric = (lp - lm) / (2 * eps);
      if (fabs (numeric - analytic[p]) > 2e-3 + 2e-2 * fabs (numeric))
        {
          g_test_message ("param %zu: analytic %g numeric %g", p, analytic[p], numeric);
          bad++;
        }
    }
  /* A ReLU kink inside the +-eps interval can spoil a single difference; no more than that. */
  g_assert_cmpuint (bad, <=, 1);
  cs_autoencoder_free (ae);
}

static void
test_gradients_reconstruction (void)
{
  check_gradients (FALSE);
}

static void
test_gradients_with_cluster_loss (void)
{
  check_gradients (TRUE);
}

static void
test_adam_step (void)
{
  float p[2] = { 1.0f, -2.0f }, g[2] = { 0.5f, -0.25f }, m[2] = { 0 }, v[2] = { 0 };
  CsAdamConfig cfg;

  cs_adam_config_init (&cfg);
  /* First step of Adam moves each parameter by lr * sign (g) (up to eps). */
  cs_adam_update (p, g, m, v, 2, &cfg, 0.1, 1);
  g_assert_cmpfloat_with_epsilon (p[0], 0.9f, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], -1.9f, 1e-6);
  /* Second step with the same gradient: bias-corrected moments are unchanged, same move. */
  cs_adam_update (p, g, m, v, 2, &cfg, 0.1, 2);
  g_assert_cmpfloat_with_epsilon (p[0], 0.8f, 1e-5);
  g_assert_cmpfloat_with_epsilon (p[1], -1.8f, 1e-5);
}

/* Training on a tiny problem lowers the reconstruction loss. */
static void
test_training_reduces_loss (void)
{
  const guint batch = 32;
  CsAutoencoder *ae = make_small (batch, 21);
  g_autofree float *x = random_matrix (batch, 7, 22);
  g_autofree float *d_out = g_new (float, batch * 7);
  CsAdamConfig cfg;
  double first, last = 0;

  cs_adam_config_init (&cfg);
  cs_autoencoder_forward (ae, x, batch);
  first = cs_autoencoder_rec_loss (ae, x, batch, NULL);
  for (guint it = 0; it < 300; it++)
    {
      cs_autoencoder_forward (ae, x, batch);
      last = cs_autoencoder_rec_loss (ae, x, batch, d_out);
      cs_autoencoder_backward (ae, d_out, NULL, batch);
      cs_autoencoder_adam_step (ae, &cfg, 1e-2);
    }
  g_assert_cmpfloat (last, <, first * 0.5);

  /* A new objective starts from a fresh optimiser: moments and step count forgotten. */
  g_assert_cmpuint (ae->adam_t, ==, 300);
  cs_autoencoder_reset_adam (ae);
  g_assert_cmpuint (ae->adam_t, ==, 0);
  for (gsize i = 0; i < ae->n_params; i++)
    g_assert_true (ae->adam_m[i] == 0.0f && ae->adam_v[i] == 0.0f);
  cs_autoencoder_free (ae);
}

/* The fused backward + Adam step (each layer updated once its gradient has been used) gives
 * the same parameters, moments and gradients as backward followed by a separate Adam step,
 * with and without the code gradient, over several steps; and a gathered input is not copied. */
static void
test_fused_step_matches (void)
{
  const guint batch = 9;
  CsAutoencoder *a = make_small (batch, 41), *b = make_small (batch, 41);
  g_autofree float *x = random_matrix (batch, 7, 42);
  g_autofree float *d_code = random_matrix (batch, 3, 43);
  g_autofree float *d_out_a = g_new (float, batch * 7);
  g_autofree float *d_out_b = g_new (float, batch * 7);
  CsAdamConfig cfg;

  cs_adam_config_init (&cfg);
  for (guint it = 0; it < 5; it++)
    {
      const float *code = it % 2 ? d_code : NULL;

      cs_autoencoder_forward (a, x, batch);
      cs_autoencoder_rec_loss (a, x, batch, d_out_a);
      cs_autoencoder_backward (a, d_out_a, code, batch);
      cs_autoencoder_adam_step (a, &cfg, 1e-2);

      memcpy (cs_autoencoder_input (b), x, batch * 7 * sizeof (float));
      cs_autoencoder_forward (b, cs_autoencoder_input (b), batch);
      cs_autoencoder_rec_loss (b, x, batch, d_out_b);
      cs_autoencoder_backward_step (b, d_out_b, code, batch, &cfg, 1e-2);
    }
  g_assert_cmpuint (a->adam_t, ==, b->adam_t);
  /* Parameters and both moments (the fused step leaves its gradients cleared). */
  for (gsize i = 0; i < 4 * a->n_params; i++)
    if (i < a->n_params || i >= 2 * a->n_params)
      g_assert_cmpfloat_with_epsilon (a->memory[i], b->memory[i],
                                      1e-6f * (1.0f + fabsf (a->memory[i])));
  for (gsize i = 0; i < b->n_params; i++)
    g_assert_true (b->grads[i] == 0.0f);

  /* A plain backward after fused steps overwrites the gradients: nothing left over is added. */
  cs_autoencoder_forward (a, x, batch);
  cs_autoencoder_rec_loss (a, x, batch, d_out_a);
  cs_autoencoder_backward (a, d_out_a, d_code, batch);
  cs_autoencoder_forward (b, x, batch);
  cs_autoencoder_rec_loss (b, x, batch, d_out_b);
  cs_autoencoder_backward (b, d_out_b, d_code, batch);
  cs_autoencoder_backward (b, d_out_b, d_code, batch);
  for (gsize i = 0; i < a->n_params; i++)
    g_assert_cmpfloat_with_epsilon (a->grads[i], b->grads[i], 1e-6f * (1.0f + fabsf (a->grads[i])));
  cs_autoencoder_free (a);
  cs_autoencoder_free (b);
}

/* With helper threads every product, the passes around it (bias, ReLU, mask and bias
 * gradients) and the Adam step are split across them: the same numbers as on one thread, bit
 * for bit, on layers and batches big enough to be split; the encoding too. */
static void
test_parallel_adam_matches (void)
{
  static const guint dims[] = { 400, 400, 8, 400, 400 };
  const guint batch = 256, n_enc = 600;
  CsAutoencoder *a = cs_autoencoder_new (dims, G_N_ELEMENTS (dims), batch);
  CsAutoencoder *b = cs_autoencoder_new (dims, G_N_ELEMENTS (dims), batch);
  g_autofree float *x = random_matrix (batch, 400, 51);
  g_autofree float *d_out = g_new (float, batch * 400);
  g_autofree float *x_enc = random_matrix (n_enc, 400, 53);
  g_autofree float *z_a = g_new (float, n_enc * 8);
  g_autofree float *z_b = g_new (float, n_enc * 8);
  CsAdamConfig cfg;
  CsRng rng;

  cs_parallel_free (a->parallel);
  a->parallel = cs_parallel_new (1);
  cs_parallel_free (b->parallel);
  b->parallel = cs_parallel_new (3);
  cs_rng_init (&rng, 52);
  cs_autoencoder_init_glorot (a, &rng);
  memcpy (b->params, a->params, a->n_params * sizeof (float));
  cs_adam_config_init (&cfg);
  for (guint it = 0; it < 3; it++)
    {
      cs_autoencoder_forward (a, x, batch);
      cs_autoencoder_rec_loss (a, x, batch, d_out);
      cs_autoencoder_backward_step (a, d_out, NULL, batch, &cfg, 1e-3);
      cs_autoencoder_forward (b, x, batch);
      cs_autoencoder_rec_loss (b, x, batch, d_out);
      cs_autoencoder_backward_step (b, d_out, NULL, batch, &cfg, 1e-3);
    }
  g_assert_cmpmem (a->memory, 4 * a->n_params * sizeof (float), b->memory,
                   4 * b->n_params * sizeof (float));
  cs_autoencoder_encode (a, x_enc, n_enc, z_a);
  cs_autoencoder_encode (b, x_enc, n_enc, z_b);
  g_assert_cmpmem (z_a, n_enc * 8 * sizeof (float), z_b, n_enc * 8 * sizeof (float));
  cs_autoencoder_free (a);
  cs_autoencoder_free (b);
}

static void
test_save_load (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-ae-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "model.bin", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.bin", NULL);
  CsAutoencoder *ae = make_small (4, 31);
  CsAutoencoder *back;
  float centroids[6] = { 1, 2, 3, 4, 5, 6 };
  g_autofree float *c_back = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  guint k = 0;
  GError *error = NULL;

  g_assert_true (cs_autoencoder_save (ae, centroids, 2, path, &error));
  g_assert_no_error (error);
  back = cs_autoencoder_load (path, 8, &c_back, &k, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpuint (back->n_layers, ==, ae->n_layers);
  g_assert_cmpmem (back->params, back->n_params * 4, ae->params, ae->n_params * 4);
  g_assert_cmpuint (k, ==, 2);
  g_assert_cmpmem (c_back, sizeof centroids, centroids, sizeof centroids);
  cs_autoencoder_free (back);

  /* Truncated: the error names the offset. */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (bad, contents, (gssize) len - 10, NULL));
  g_assert_null (cs_autoencoder_load (bad, 8, NULL, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "truncated at byte"));
  g_clear_error (&error);

  /* Bad magic. */
  g_assert_true (g_file_set_contents (bad, "NOTAMODEL-----------", -1, NULL));
  g_assert_null (cs_autoencoder_load (bad, 8, NULL, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "bad magic"));
  g_clear_error (&error);

  cs_autoencoder_free (ae);
  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_symmetric_layout (void)
{
  const guint hidden[] = { 500, 500, 2000 };
  CsAutoencoder *ae = cs_autoencoder_new_symmetric (784, hidden, 3, 10, 4);
  const guint expect[] = { 784, 500, 500, 2000, 10, 2000, 500, 500, 784 };

  g_assert_cmpuint (ae->n_layers, ==, 8);
  g_assert_cmpuint (ae->code_layer, ==, 4);
  g_assert_cmpmem (ae->dims, sizeof expect, expect, sizeof expect);
  /* About 20 MFLOP per sample for a training step, as DESIGN.md says. */
  g_assert_cmpfloat (cs_autoencoder_train_flops (ae, 1), >, 15e6);
  g_assert_cmpfloat (cs_autoencoder_train_flops (ae, 1), <, 25e6);
  cs_autoencoder_free (ae);
}

typedef struct
{
  int rows, inner, cols;
  const float *a, *b, *d; /* rows x inner, inner x cols, rows x cols */
} Operands;

/* Rows [r0, r1) of one of the three products the network computes, into out (row-major, its
 * full width): a b (rows x cols), a^T d (inner x cols) or d b^T (rows x inner). Returns the
 * product's row count; *width gets its column count. */
static int
product_rows (const Operands *o, guint form, int r0, int r1, float *out, int *width)
{
  int n;

  if (form == 0)
    {
      /* As the engine makes it: added to the bias (here zeros), beta = 1. */
      n = o->cols;
      memset (out + (gsize) r0 * n, 0, (gsize) (r1 - r0) * n * sizeof (float));
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, r1 - r0, n, o->inner, 1.0f,
                   o->a + (gsize) r0 * o->inner, o->inner, o->b, n, 1.0f, out + (gsize) r0 * n, n);
    }
  else if (form == 1)
    {
      n = o->cols;
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r1 - r0, n, o->rows, 1.0f, o->a + r0,
                   o->inner, o->d, n, 0.0f, out + (gsize) r0 * n, n);
    }
  else
    {
      n = o->inner;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, r1 - r0, n, o->cols, 1.0f,
                   o->d + (gsize) r0 * o->cols, o->cols, o->b, o->cols, 0.0f, out + (gsize) r0 * n,
                   n);
    }
  *width = n;
  return form == 1 ? o->inner : o->rows;
}

/* Whether OpenBLAS runs its AVX-512 kernels here (SkylakeX and its successors), which cut
 * products by other rules than the Haswell kernel (see SPLIT_ROWS in cs-autoencoder.c). */
static gboolean
blas_avx512 (void)
{
  const char *core = openblas_get_corename ();

  g_test_message ("OpenBLAS core: %s", core);
  return g_str_equal (core, "SkylakeX") || g_str_equal (core, "Cooperlake")
         || g_str_equal (core, "SapphireRapids");
}

/* What the engine's thread split rests on: single-threaded sgemm gives the same bits for a
 * product computed whole or in row blocks that start at multiples of CS_AE_SPLIT_ROWS, for the
 * three forms the network uses (x W, A^T delta, delta W^T), when no block is small enough for
 * OpenBLAS's small-matrix kernels (10^6 multiply-adds, AVX-512 only). What breaks it is checked
 * too, so that the test notices if OpenBLAS ever changes either way (/autoencoder/sgemm-tiles
 * checks the cuts the engine makes): with the Haswell kernel, column blocks cut anywhere else
 * than at OpenBLAS's own blocks; with the AVX-512 kernels, a block of a larger product small
 * enough for the small-matrix kernels. */
static void
test_sgemm_row_split (void)
{
  const int rows = 256, inner = 784, cols = 500;
  const int splits[] = { CS_AE_SPLIT_ROWS, 5 * CS_AE_SPLIT_ROWS, 11 * CS_AE_SPLIT_ROWS };
  g_autofree float *a = random_matrix (rows, inner, 61);
  g_autofree float *b = random_matrix (inner, cols, 62);
  g_autofree float *d = random_matrix (rows, cols, 63);
  Operands o = { rows, inner, cols, a, b, d };
  /* Large enough for any of the three results. */
  g_autofree float *whole = g_new0 (float, inner *MAX (rows, cols));
  g_autofree float *parts = g_new0 (float, inner *MAX (rows, cols));
  gsize size;
  int m, n, s;

  openblas_set_num_threads (1);
  for (guint form = 0; form < 3; form++)
    for (guint i = 0; i < G_N_ELEMENTS (splits); i++)
      {
        s = splits[i];
        m = product_rows (&o, form, 0, form == 1 ? inner : rows, whole, &n);
        product_rows (&o, form, 0, s, parts, &n);
        product_rows (&o, form, s, m, parts, &n);
        g_assert_cmpmem (whole, (gsize) m * n * sizeof (float), parts,
                         (gsize) m * n * sizeof (float));
      }

  if (blas_avx512 ())
    {
      /* x W with 10 columns (the code layer's width): 2 M multiply-adds whole, 94 000 in the
       * first 12 rows. */
      n = 10;
      memset (whole, 0, (gsize) rows * n * sizeof (float));
      memset (parts, 0, (gsize) CS_AE_SPLIT_ROWS * n * sizeof (float));
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, n, inner, 1.0f, a, inner, b,
                   cols, 1.0f, whole, n);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, CS_AE_SPLIT_ROWS, n, inner, 1.0f, a,
                   inner, b, cols, 1.0f, parts, n);
      size = (gsize) CS_AE_SPLIT_ROWS * n * sizeof (float);
    }
  else
    {
      /* x W in two column blocks. */
      s = splits[1];
      m = product_rows (&o, 0, 0, rows, whole, &n);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, s, inner, 1.0f, a, inner, b, cols,
                   0.0f, parts, n);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n - s, inner, 1.0f, a, inner,
                   b + s, cols, 0.0f, parts + s, n);
      size = (gsize) m * n * sizeof (float);
    }
  g_assert_true (memcmp (whole, parts, size) != 0);
}

/* Rows [r0, r1) x columns [c0, c1) of form's product (as product_rows) of depth k, into out
 * (rows x cols, row-major): a (rows x k) b (k x cols); a (k x rows)^T b (k x cols); or
 * a (rows x k) b (cols x k)^T. */
static void
product_tile (guint form,
              int rows,
              int cols,
              int k,
              const float *a,
              const float *b,
              int r0,
              int r1,
              int c0,
              int c1,
              float *out)
{
  float *c = out + (gsize) r0 * cols + c0;

  if (form == 0)
    {
      /* As the engine makes it: added to the bias (here zeros), beta = 1. */
      for (int r = r0; r < r1; r++)
        memset (c + (gsize) (r - r0) * cols, 0, (gsize) (c1 - c0) * sizeof (float));
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, r1 - r0, c1 - c0, k, 1.0f,
                   a + (gsize) r0 * k, k, b + c0, cols, 1.0f, c, cols);
    }
  else if (form == 1)
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r1 - r0, c1 - c0, k, 1.0f, a + r0, rows,
                 b + c0, cols, 0.0f, c, cols);
  else
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, r1 - r0, c1 - c0, k, 1.0f,
                 a + (gsize) r0 * k, k, b + (gsize) c0 * k, k, 0.0f, c, cols);
}

/* The tiles the training step cuts a product into, for 2 to 16 threads, give the same bytes as
 * the whole product, for the three forms, over the network's shapes and others chosen to meet
 * every rule of cs-autoencoder.c (widths cut into 320-column blocks and halves, row counts 8 to
 * 11 past a multiple of 12, products too narrow to cut, a depth OpenBLAS cuts in three). The
 * tiles cover the result once, and at the network's widest layer they do cut columns. */
static void
test_sgemm_tiles (void)
{
  static const int shapes[][3] = {
    /* rows, cols, depth */
    { 256, 2000, 40 }, { 256, 500, 40 },  { 256, 784, 40 }, { 256, 10, 40 },
    { 200, 2000, 40 }, { 268, 1000, 40 }, { 37, 784, 40 },  { 500, 2000, 24 },
    { 2000, 500, 24 }, { 784, 500, 40 },  { 10, 2000, 40 }, { 2000, 10, 40 },
    { 112, 641, 40 },  { 256, 960, 40 },  { 64, 784, 700 }, { 259, 1283, 33 },
  };
  static const guint threads[] = { 2, 3, 4, 8, 16 };
  gboolean cut_columns = FALSE;

  openblas_set_num_threads (1);
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int rows = shapes[s][0], cols = shapes[s][1], k = shapes[s][2];
      /* Large enough for every form's operands. */
      g_autofree float *a = random_matrix ((gsize) MAX (rows, k), MAX (rows, k), 70 + s);
      g_autofree float *b = random_matrix ((gsize) MAX (cols, k), MAX (cols, k), 90 + s);
      g_autofree float *whole = g_new (float, (gsize) rows *cols);
      g_autofree float *parts = g_new (float, (gsize) rows *cols);
      g_autofree guint8 *seen = g_new (guint8, (gsize) rows * cols);

      for (guint form = 0; form < 3; form++)
        {
          product_tile (form, rows, cols, k, a, b, 0, rows, 0, cols, whole);
          for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
            {
              guint tiles[128][4];
              guint n = cs_autoencoder_plan_tiles (rows, cols, k, threads[t], tiles);

              g_assert_cmpuint (n, >=, 1);
              g_assert_cmpuint (n, <=, threads[t]);
              memset (parts, 0xff, (gsize) rows * cols * sizeof (float));
              memset (seen, 0, (gsize) rows * cols);
              for (guint i = 0; i < n; i++)
                {
                  g_assert_cmpuint (tiles[i][0] % CS_AE_SPLIT_ROWS, ==, 0);
                  product_tile (form, rows, cols, k, a, b, tiles[i][0], tiles[i][1], tiles[i][2],
                                tiles[i][3], parts);
                  for (guint r = tiles[i][0]; r < tiles[i][1]; r++)
                    for (guint c = tiles[i][2]; c < tiles[i][3]; c++)
                      seen[(gsize) r * cols + c]++;
                  cut_columns |= tiles[i][2] > 0;
                }
              for (gsize i = 0; i < (gsize) rows * cols; i++)
                g_assert_cmpuint (seen[i], ==, 1);
              if (memcmp (whole, parts, (gsize) rows * cols * sizeof (float)) != 0)
                g_error ("form %u, %d x %d (depth %d), %u threads: tiles differ from the whole",
                         form, rows, cols, k, threads[t]);
            }
        }
      /* With the Haswell kernel, a column cut inside OpenBLAS's first 320-column block, at its
       * 8-column panels, does change numbers: the rule is OpenBLAS's, not any multiple of its
       * kernel's width. (The AVX-512 kernels keep them; /autoencoder/sgemm-row-split checks
       * what changes them there.) */
      if (cols == 2000 && rows == 256 && !blas_avx512 ())
        {
          product_tile (0, rows, cols, k, a, b, 0, rows, 0, 256, parts);
          product_tile (0, rows, cols, k, a, b, 0, rows, 256, cols, parts);
          g_assert_true (memcmp (whole, parts, (gsize) rows * cols * sizeof (float)) != 0);
        }
    }
  g_assert_true (cut_columns);
}

/* A training step gives the same bytes on 1, 2, 3, 4, 8 and 16 threads (more than this
 * machine's cores: correctness only): the network of the paper at batch 256 with a code
 * gradient, then a partial batch whose row count (200, 8 past a multiple of 12) forbids column
 * cuts, each fused with Adam; then the encoding. */
static void
test_thread_counts (void)
{
  static const guint hidden[] = { 500, 500, 2000 };
  static const guint threads[] = { 1, 2, 3, 4, 8, 16 };
  const guint batch = 256, d = 784, m = 10, n_enc = 300;
  g_autofree float *x = random_matrix (batch, d, 81);
  g_autofree float *d_code = random_matrix (batch, m, 82);
  g_autofree float *d_out = g_new (float, batch *d);
  g_autofree float *x_enc = random_matrix (n_enc, d, 83);
  g_autofree float *ref = NULL;
  g_autofree float *z_ref = g_new (float, n_enc *m);
  g_autofree float *z = g_new (float, n_enc *m);
  gsize size = 0;
  CsAdamConfig cfg;

  cs_adam_config_init (&cfg);
  for (gsize i = 0; i < (gsize) batch * m; i++)
    d_code[i] *= 0.01f;
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      CsAutoencoder *ae = cs_autoencoder_new_symmetric (d, hidden, 3, m, batch);
      CsRng rng;

      cs_parallel_free (ae->parallel);
      ae->parallel = cs_parallel_new (threads[t]);
      cs_rng_init (&rng, 84);
      cs_autoencoder_init_glorot (ae, &rng);
      cs_autoencoder_forward (ae, x, batch);
      cs_autoencoder_rec_loss (ae, x, batch, d_out);
      cs_autoencoder_backward_step (ae, d_out, d_code, batch, &cfg, 1e-3);
      cs_autoencoder_forward (ae, x, 200);
      cs_autoencoder_rec_loss (ae, x, 200, d_out);
      cs_autoencoder_backward_step (ae, d_out, NULL, 200, &cfg, 1e-3);
      cs_autoencoder_encode (ae, x_enc, n_enc, z);
      size = 4 * ae->n_params * sizeof (float);
      if (t == 0)
        {
          ref = g_memdup2 (ae->memory, size);
          memcpy (z_ref, z, n_enc * m * sizeof (float));
        }
      else
        {
          if (memcmp (ref, ae->memory, size) != 0)
            g_error ("%u threads: parameters or Adam state differ from one thread's", threads[t]);
          g_assert_cmpmem (z_ref, n_enc * m * sizeof (float), z, n_enc * m * sizeof (float));
        }
      cs_autoencoder_free (ae);
    }
}

/* Fan-in initialisation: every W and b of layer l inside +-1/sqrt(in), filling that range (a
 * uniform draw's extremes come close to it), biases not zero; the Adam state cleared. */
static void
test_init_fan_in (void)
{
  CsAutoencoder *ae = make_small (8, 3);
  CsRng rng;

  cs_rng_init (&rng, 4);
  cs_autoencoder_init_fan_in (ae, &rng);
  g_assert_cmpuint (ae->adam_t, ==, 0);
  for (guint l = 0; l < ae->n_layers; l++)
    {
      guint in = ae->dims[l], out = ae->dims[l + 1];
      double limit = 1.0 / sqrt ((double) in), wmax = 0.0, bmax = 0.0;

      for (gsize i = 0; i < (gsize) in * out; i++)
        wmax = MAX (wmax, fabs (ae->w[l][i]));
      for (guint j = 0; j < out; j++)
        bmax = MAX (bmax, fabs (ae->b[l][j]));
      g_assert_cmpfloat (wmax, <=, limit);
      g_assert_cmpfloat (wmax, >, 0.8 * limit);
      g_assert_cmpfloat (bmax, <=, limit);
      g_assert_cmpfloat (bmax, >, 0.0);
    }
  cs_autoencoder_free (ae);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/autoencoder/forward-naive", test_forward_matches_naive);
  g_test_add_func ("/autoencoder/init-fan-in", test_init_fan_in);
  g_test_add_func ("/autoencoder/encode-blocks", test_encode_blocks);
  g_test_add_func ("/autoencoder/decode-naive", test_decode_matches_naive);
  g_test_add_func ("/autoencoder/gradients/reconstruction", test_gradients_reconstruction);
  g_test_add_func ("/autoencoder/gradients/cluster-loss", test_gradients_with_cluster_loss);
  g_test_add_func ("/autoencoder/adam", test_adam_step);
  g_test_add_func ("/autoencoder/training", test_training_reduces_loss);
  g_test_add_func ("/autoencoder/fused-step", test_fused_step_matches);
  g_test_add_func ("/autoencoder/sgemm-row-split", test_sgemm_row_split);
  g_test_add_func ("/autoencoder/sgemm-tiles", test_sgemm_tiles);
  g_test_add_func ("/autoencoder/parallel-adam", test_parallel_adam_matches);
  g_test_add_func ("/autoencoder/thread-counts", test_thread_counts);
  g_test_add_func ("/autoencoder/save-load", test_save_load);
  g_test_add_func ("/autoencoder/layout", test_symmetric_layout);
  return g_test_run ();
}
