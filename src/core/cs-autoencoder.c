/* cs-autoencoder.c: forward, backward and Adam for the fully connected autoencoder.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cs-autoencoder.h"
#include "cs-error.h"
#include "cs-parallel.h"
#include "cs-run.h"

/* Model file format, little-endian:
 *   char     magic[8]   "CSAEMOD1"
 *   uint32   version    1
 *   uint32   n_dims     number of layer widths (n_layers + 1)
 *   uint32   dims[n_dims]
 *   uint32   k          stored centroids (0 for none)
 *   uint32   m          latent dimension of the centroids (= dims[n_dims / 2])
 *   float32  params[]   per layer l: W_l (dims[l] x dims[l+1], row-major), then b_l
 *   float32  centroids[k * m]
 */
#define MODEL_MAGIC "CSAEMOD1"
#define MODEL_VERSION 1
#define ENCODE_BLOCK 2048
/* Adam steps over fewer weights per thread than this stay on the calling thread. */
#define ADAM_MIN_CHUNK 65536

static gboolean
layer_is_relu (const CsAutoencoder *self, guint l)
{
  /* Linear into the code and into the output, ReLU elsewhere. */
  return l + 1 != self->code_layer && l + 1 != self->n_layers;
}

static guint
max_width (const CsAutoencoder *self)
{
  guint w = 0;

  for (guint i = 0; i <= self->n_layers; i++)
    w = MAX (w, self->dims[i]);
  return w;
}

CsAutoencoder *
cs_autoencoder_new (const guint *dims, guint n_dims, guint max_batch)
{
  CsAutoencoder *self;
  gsize off = 0;
  guint wmax;

  g_return_val_if_fail (n_dims >= 3 && n_dims <= CS_AE_MAX_LAYERS + 1, NULL);
  g_return_val_if_fail ((n_dims - 1) % 2 == 0, NULL);
  g_return_val_if_fail (max_batch > 0, NULL);

  self = g_new0 (CsAutoencoder, 1);
  self->n_layers = n_dims - 1;
  self->code_layer = self->n_layers / 2;
  self->max_batch = max_batch;
  memcpy (self->dims, dims, n_dims * sizeof (guint));

  for (guint l = 0; l < self->n_layers; l++)
    self->n_params += (gsize) dims[l] * dims[l + 1] + dims[l + 1];

  /* One allocation for parameters, gradients and both Adam moments. */
  self->memory = g_malloc0_n (4 * self->n_params, sizeof (float));
  self->grads_zero = TRUE;
  /* As many threads as OpenBLAS uses (OPENBLAS_NUM_THREADS=1: none of our own either). */
  self->parallel = cs_parallel_new ((guint) MAX (openblas_get_num_threads (), 1));
  self->params = self->memory;
  self->grads = self->memory + self->n_params;
  self->adam_m = self->memory + 2 * self->n_params;
  self->adam_v = self->memory + 3 * self->n_params;
  for (guint l = 0; l < self->n_layers; l++)
    {
      gsize nw = (gsize) dims[l] * dims[l + 1];

      self->w[l] = self->params + off;
      self->dw[l] = self->grads + off;
      off += nw;
      self->b[l] = self->params + off;
      self->db[l] = self->grads + off;
      off += dims[l + 1];
    }

  for (guint i = 0; i <= self->n_layers; i++)
    self->acts[i] = g_malloc_n ((gsize) max_batch * dims[i], sizeof (float));
  wmax = max_width (self);
  self->delta_a = g_malloc_n ((gsize) max_batch * wmax, sizeof (float));
  self->delta_b = g_malloc_n ((gsize) max_batch * wmax, sizeof (float));
  return self;
}

CsAutoencoder *
cs_autoencoder_new_symmetric (
    guint d, const guint *hidden, guint n_hidden, guint m, guint max_batch)
{
  guint dims[CS_AE_MAX_LAYERS + 1];
  guint n = 0;

  g_return_val_if_fail (2 * (n_hidden + 1) <= CS_AE_MAX_LAYERS, NULL);
  dims[n++] = d;
  for (guint i = 0; i < n_hidden; i++)
    dims[n++] = hidden[i];
  dims[n++] = m;
  for (guint i = n_hidden; i > 0; i--)
    dims[n++] = hidden[i - 1];
  dims[n++] = d;
  return cs_autoencoder_new (dims, n, max_batch);
}

void
cs_autoencoder_free (CsAutoencoder *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i <= self->n_layers; i++)
    g_free (self->acts[i]);
  g_free (self->delta_a);
  g_free (self->delta_b);
  g_free (self->memory);
  cs_parallel_free (self->parallel);
  g_free (self);
}

void
cs_autoencoder_init_glorot (CsAutoencoder *self, CsRng *rng)
{
  memset (self->memory, 0, 4 * self->n_params * sizeof (float));
  self->grads_zero = TRUE;
  for (guint l = 0; l < self->n_layers; l++)
    {
      guint in = self->dims[l], out = self->dims[l + 1];
      double limit = sqrt (6.0 / (in + out));
      gsize nw = (gsize) in * out;

      for (gsize i = 0; i < nw; i++)
        self->w[l][i] = (float) ((2.0 * cs_rng_uniform (rng) - 1.0) * limit);
    }
  self->adam_t = 0;
}

/* Element-wise passes over fewer floats per thread than this stay on the calling thread. */
#define PASS_MIN_FLOATS 32768

typedef struct
{
  float *y;
  const float *b;
  guint out;
} RowsJob;

static void
bias_rows (gsize start, gsize end, gpointer data)
{
  const RowsJob *j = data;

  for (gsize i = start; i < end; i++)
    memcpy (j->y + i * j->out, j->b, j->out * sizeof (float));
}

static void
relu_rows (gsize start, gsize end, gpointer data)
{
  const RowsJob *j = data;
  float *y = j->y + start * j->out;
  gsize total = (end - start) * j->out;

  for (gsize i = 0; i < total; i++)
    y[i] = y[i] > 0.0f ? y[i] : 0.0f;
}

/* y (batch x out) = act (x (batch x in) w (in x out) + b). The bias rows go into y first and
 * sgemm adds to them (beta = 1): OpenBLAS would otherwise spend a pass zeroing y. The passes
 * around the product are split over the helper threads by rows. */
static void
dense_forward (CsParallel *par,
               float *y,
               const float *x,
               const float *w,
               const float *b,
               guint batch,
               guint in,
               guint out,
               gboolean relu)
{
  RowsJob job = { y, b, out };
  gsize min_rows = MAX (PASS_MIN_FLOATS / out, 1);

  cs_parallel_for (par, batch, 1, min_rows, bias_rows, &job);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, out, in, 1.0f, x, in, w, out, 1.0f,
               y, out);
  if (relu)
    cs_parallel_for (par, batch, 1, min_rows, relu_rows, &job);
}

const float *
cs_autoencoder_forward (CsAutoencoder *self, const float *x, guint batch)
{
  g_return_val_if_fail (batch <= self->max_batch, NULL);

  /* A batch gathered straight into the input cache (cs_autoencoder_input) is not copied. */
  if (x != self->acts[0])
    memcpy (self->acts[0], x, (gsize) batch * self->dims[0] * sizeof (float));
  for (guint l = 0; l < self->n_layers; l++)
    dense_forward (self->parallel, self->acts[l + 1], self->acts[l], self->w[l], self->b[l], batch,
                   self->dims[l], self->dims[l + 1], layer_is_relu (self, l));
  return self->acts[self->n_layers];
}

float *
cs_autoencoder_input (CsAutoencoder *self)
{
  return self->acts[0];
}

const float *
cs_autoencoder_code (CsAutoencoder *self)
{
  return self->acts[self->code_layer];
}

double
cs_autoencoder_rec_loss (CsAutoencoder *self, const float *x, guint batch, float *d_out)
{
  const float *xhat = self->acts[self->n_layers];
  gsize total = (gsize) batch * self->dims[0];
  float scale = 2.0f / batch;
  double loss = 0.0;

  for (gsize i = 0; i < total; i++)
    {
      float diff = xhat[i] - x[i];
      loss += (double) diff * diff;
      if (d_out)
        d_out[i] = scale * diff;
    }
  return loss / batch;
}

/* PyTorch's formulation: p -= lr / bc1 * m / (sqrt (v) / sqrt (bc2) + eps). clear is NULL or
 * g itself: each gradient is then zeroed once read, in the same pass. */
static void
adam_update (float *p,
             const float *g,
             float *m,
             float *v,
             gsize n,
             const CsAdamConfig *config,
             double lr,
             guint64 t,
             float *clear)
{
  const float b1 = (float) config->beta1, b2 = (float) config->beta2;
  const float step = (float) (lr / (1.0 - pow (config->beta1, (double) t)));
  const float inv_sqrt_bc2 = (float) (1.0 / sqrt (1.0 - pow (config->beta2, (double) t)));
  const float eps = (float) config->eps;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float mi = b1 * m[i] + (1.0f - b1) * gi;
      float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= step * mi / (sqrtf (vi) * inv_sqrt_bc2 + eps);
      if (clear)
        clear[i] = 0.0f;
    }
}

typedef struct
{
  float *p;
  const float *g;
  float *m, *v;
  const CsAdamConfig *config;
  double lr;
  guint64 t;
  float *clear;
} AdamJob;

static void
adam_range (gsize start, gsize end, gpointer data)
{
  const AdamJob *j = data;

  adam_update (j->p + start, j->g + start, j->m + start, j->v + start, end - start, j->config,
               j->lr, j->t, j->clear ? j->clear + start : NULL);
}

typedef struct
{
  float *delta;
  const float *d_code, *a_out;
  gboolean relu;
  float *db;
  guint batch, out;
} DeltaJob;

/* Columns [start, end) of delta_prepare: each column's sum runs over the rows in order, so the
 * split changes no number. */
static void
delta_cols (gsize start, gsize end, gpointer data)
{
  const DeltaJob *j = data;
  float *db = j->db;

  memset (db + start, 0, (end - start) * sizeof (float));
  for (guint i = 0; i < j->batch; i++)
    {
      float *row = j->delta + (gsize) i * j->out;
      const float *a = j->a_out + (gsize) i * j->out;
      const float *dc = j->d_code ? j->d_code + (gsize) i * j->out : NULL;

      if (dc)
        for (gsize c = start; c < end; c++)
          row[c] += dc[c];
      if (j->relu)
        for (gsize c = start; c < end; c++)
          {
            float v = a[c] > 0.0f ? row[c] : 0.0f;
            row[c] = v;
            db[c] += v;
          }
      else
        for (gsize c = start; c < end; c++)
          db[c] += row[c];
    }
}

/* delta (batch x out) gets the code gradient added, the ReLU mask applied, and its column sums
 * written to db: one pass over the matrix instead of three, split by columns. */
static void
delta_prepare (CsParallel *par,
               float *delta,
               const float *d_code,
               const float *a_out,
               gboolean relu,
               float *db,
               guint batch,
               guint out)
{
  DeltaJob job = { delta, d_code, a_out, relu, db, batch, out };

  cs_parallel_for (par, out, 16, MAX (PASS_MIN_FLOATS / batch, 16), delta_cols, &job);
}

void
cs_autoencoder_backward_step (CsAutoencoder *self,
                              float *d_out,
                              const float *d_code,
                              guint batch,
                              const CsAdamConfig *adam,
                              double lr)
{
  float *delta = d_out;
  /* Gradients left at zero by the last fused Adam step are accumulated into (beta = 1), which
   * spares OpenBLAS a zeroing pass over every dW. */
  float dw_beta = self->grads_zero ? 1.0f : 0.0f;

  if (adam)
    self->adam_t++;
  for (guint l = self->n_layers; l-- > 0;)
    {
      guint in = self->dims[l], out = self->dims[l + 1];
      float *next = NULL;

      delta_prepare (self->parallel, delta, l + 1 == self->code_layer ? d_code : NULL,
                     self->acts[l + 1], layer_is_relu (self, l), self->db[l], batch, out);

      /* dW (in x out) = A_l^T delta. */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, in, out, batch, 1.0f, self->acts[l], in,
                   delta, out, dw_beta, self->dw[l], out);

      if (l > 0)
        {
          /* delta_prev (batch x in) = delta W_l^T, into whichever scratch buffer delta is not. */
          next = (delta == self->delta_a) ? self->delta_b : self->delta_a;
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, batch, in, out, 1.0f, delta, out,
                       self->w[l], out, 0.0f, next, in);
        }
      /* The layer's weights have served both products: update them while W_l and dW_l are
       * still in cache (b_l follows W_l in memory, so one call covers both). */
      if (adam)
        {
          gsize off = self->w[l] - self->params;
          AdamJob job = { .p = self->w[l],
                          .g = self->dw[l],
                          .m = self->adam_m + off,
                          .v = self->adam_v + off,
                          .config = adam,
                          .lr = lr,
                          .t = self->adam_t,
                          .clear = self->dw[l] };

          /* Memory-bound: both cores' share of the bandwidth, while OpenBLAS's threads wait. */
          cs_parallel_for (self->parallel, (gsize) in * out + out, 16, ADAM_MIN_CHUNK, adam_range,
                           &job);
        }
      if (l == 0)
        break;
      delta = next;
    }
  /* A fused step consumed (and cleared) every gradient; a plain backward leaves them. */
  self->grads_zero = adam != NULL;
}

void
cs_autoencoder_backward (CsAutoencoder *self, float *d_out, const float *d_code, guint batch)
{
  cs_autoencoder_backward_step (self, d_out, d_code, batch, NULL, 0.0);
}

void
cs_adam_config_init (CsAdamConfig *config)
{
  config->beta1 = 0.9;
  config->beta2 = 0.999;
  config->eps = 1e-8;
}

void
cs_adam_update (float *p,
                const float *g,
                float *m,
                float *v,
                gsize n,
                const CsAdamConfig *config,
                double lr,
                guint64 t)
{
  adam_update (p, g, m, v, n, config, lr, t, NULL);
}

void
cs_autoencoder_adam_step (CsAutoencoder *self, const CsAdamConfig *config, double lr)
{
  self->adam_t++;
  cs_adam_update (self->params, self->grads, self->adam_m, self->adam_v, self->n_params, config, lr,
                  self->adam_t);
}

void
cs_autoencoder_reset_adam (CsAutoencoder *self)
{
  memset (self->adam_m, 0, 2 * self->n_params * sizeof (float));
  self->adam_t = 0;
}

void
cs_autoencoder_encode (CsAutoencoder *self, const float *x, gsize n, float *z)
{
  guint wmax = max_width (self);
  g_autofree float *buf_a = g_malloc_n ((gsize) ENCODE_BLOCK * wmax, sizeof (float));
  g_autofree float *buf_b = g_malloc_n ((gsize) ENCODE_BLOCK * wmax, sizeof (float));
  guint m = self->dims[self->code_layer];

  for (gsize start = 0; start < n; start += ENCODE_BLOCK)
    {
      guint rows = (guint) MIN ((gsize) ENCODE_BLOCK, n - start);
      const float *in = x + start * self->dims[0];
      float *out = buf_a;

      for (guint l = 0; l < self->code_layer; l++)
        {
          /* The last layer writes straight into z. */
          if (l + 1 == self->code_layer)
            out = z + start * m;
          dense_forward (self->parallel, out, in, self->w[l], self->b[l], rows, self->dims[l],
                         self->dims[l + 1], layer_is_relu (self, l));
          in = out;
          out = (out == buf_a) ? buf_b : buf_a;
        }
    }
}

double
cs_autoencoder_train_flops (const CsAutoencoder *self, guint batch)
{
  double flops = 0.0;

  /* Forward: one product per layer; backward: dW for every layer, delta for all but the first. */
  for (guint l = 0; l < self->n_layers; l++)
    {
      double mac = (double) batch * self->dims[l] * self->dims[l + 1];
      flops += 2.0 * mac * (l == 0 ? 2.0 : 3.0);
    }
  return flops;
}

static void
append_u32 (GByteArray *buf, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (buf, (const guint8 *) &le, 4);
}

static void
append_floats (GByteArray *buf, const float *f, gsize n)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  g_byte_array_append (buf, (const guint8 *) f, n * sizeof (float));
#else
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &f[i], 4);
      append_u32 (buf, bits);
    }
#endif
}

GBytes *
cs_autoencoder_serialize (const CsAutoencoder *self, const float *centroids, guint k)
{
  GByteArray *buf = g_byte_array_new ();
  guint m = self->dims[self->code_layer];

  g_byte_array_append (buf, (const guint8 *) MODEL_MAGIC, 8);
  append_u32 (buf, MODEL_VERSION);
  append_u32 (buf, self->n_layers + 1);
  for (guint i = 0; i <= self->n_layers; i++)
    append_u32 (buf, self->dims[i]);
  append_u32 (buf, centroids ? k : 0);
  append_u32 (buf, m);
  append_floats (buf, self->params, self->n_params);
  if (centroids)
    append_floats (buf, centroids, (gsize) k * m);
  return g_byte_array_free_to_bytes (buf);
}

gboolean
cs_autoencoder_save (
    const CsAutoencoder *self, const float *centroids, guint k, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = cs_autoencoder_serialize (self, centroids, k);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return cs_write_file_atomic (path, data, len, error);
}

typedef struct
{
  const guint8 *data;
  gsize len, pos;
} Reader;

static gboolean
read_u32 (Reader *r, guint32 *out)
{
  guint32 le;

  if (r->len - r->pos < 4)
    return FALSE;
  memcpy (&le, r->data + r->pos, 4);
  r->pos += 4;
  *out = GUINT32_FROM_LE (le);
  return TRUE;
}

static gboolean
read_floats (Reader *r, float *out, gsize n)
{
  if ((r->len - r->pos) / sizeof (float) < n)
    return FALSE;
  memcpy (out, r->data + r->pos, n * sizeof (float));
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &out[i], 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&out[i], &bits, 4);
    }
#endif
  r->pos += n * sizeof (float);
  return TRUE;
}

CsAutoencoder *
cs_autoencoder_load (
    const char *path, guint max_batch, float **centroids_out, guint *k_out, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  Reader r;
  guint32 version, n_dims, k, m;
  guint dims[CS_AE_MAX_LAYERS + 1];
  CsAutoencoder *self;
  g_autofree float *centroids = NULL;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  r = (Reader){ (const guint8 *) contents, len, 0 };
  if (len < 8 || memcmp (contents, MODEL_MAGIC, 8) != 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   "%s: not a Clusterscope model file (bad magic at byte 0)", path);
      return NULL;
    }
  r.pos = 8;
  if (!read_u32 (&r, &version) || version != MODEL_VERSION)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   "%s: unsupported model version at byte 8 (this build reads version %d)", path,
                   MODEL_VERSION);
      return NULL;
    }
  if (!read_u32 (&r, &n_dims) || n_dims < 3 || n_dims > CS_AE_MAX_LAYERS + 1 || n_dims % 2 == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, "%s: invalid layer count at byte 12", path);
      return NULL;
    }
  for (guint i = 0; i < n_dims; i++)
    if (!read_u32 (&r, &dims[i]) || dims[i] == 0 || dims[i] > (1u << 24))
      {
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, "%s: invalid layer width at byte %zu", path,
                     r.pos);
        return NULL;
      }
  if (!read_u32 (&r, &k) || !read_u32 (&r, &m) || m != dims[n_dims / 2] || k > 65535)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, "%s: invalid centroid header at byte %zu",
                   path, r.pos);
      return NULL;
    }

  self = cs_autoencoder_new (dims, n_dims, max_batch);
  if (!read_floats (&r, self->params, self->n_params))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   "%s: truncated at byte %zu: expected %zu bytes of weights", path, r.pos,
                   self->n_params * sizeof (float));
      cs_autoencoder_free (self);
      return NULL;
    }
  if (k > 0)
    {
      centroids = g_new (float, (gsize) k *m);
      if (!read_floats (&r, centroids, (gsize) k * m))
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       "%s: truncated at byte %zu: expected %u centroids", path, r.pos, k);
          cs_autoencoder_free (self);
          return NULL;
        }
    }
  if (centroids_out)
    *centroids_out = g_steal_pointer (&centroids);
  if (k_out)
    *k_out = k;
  return self;
}
