/*
 * CRC-32C (Castagnoli) for kzoo's record batches, as a Node-API addon.
 *
 * Two ways, chosen once at load time by what the CPU has:
 *
 * - SSE 4.2 (every x86-64 since 2008): the crc32 instruction has a latency of 3 cycles and
 *   a throughput of 1, so one dependent chain of it runs at a third of the speed the core
 *   allows. This file runs three independent chains over three adjacent blocks and joins
 *   them: the CRC state is linear in the bits fed to it, so feeding block B after block A
 *   from state s equals zeros(s, |B|) ^ crc_from_zero(B), where zeros(s, n) is the state
 *   after n zero bytes. zeros(., n) is itself linear in s, so it is a 32x32 bit matrix,
 *   kept as four 256-entry tables (one per byte of the state) for each block length used.
 *   At most 8 bytes a cycle.
 *
 * - VPCLMULQDQ on 512-bit registers (AVX-512 CPUs with the vector carry-less multiply):
 *   folding. Read as a polynomial over GF(2), a 16-byte chunk A followed by D more bytes
 *   contributes A(x) * x^(8D) to the CRC, and only that product modulo the CRC polynomial
 *   P matters. With A = L x^64 + H (L the first 8 bytes), A x^(8D) = L (x^(8D+64) mod P)
 *   + H (x^(8D) mod P): two 64x32-bit carry-less multiplies give a 96-bit value that
 *   stands for A moved D bytes further on. Four 64-byte registers (16 chunks) move 256
 *   bytes at a time and absorb the next 256 bytes of input with one three-way XOR; at the
 *   end they are moved onto the last chunk, and the crc32 instruction reduces those 16
 *   bytes to the state. The constants are computed at load time from P. (Bit order: a
 *   byte's bit 0 is its highest-degree bit, so a carry-less multiply of two such 64-bit
 *   values is the product times x; the constants are x^(8D+63) and x^(8D-1) to cancel it.)
 *
 * Built by scripts/build-native.js (from scripts/bootstrap.sh) when a C compiler and the
 * Node headers are there; packages/records/src/crc32c.ts falls back to @node-rs/crc32
 * (one chain) when this addon is absent or the CPU lacks SSE 4.2.
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#define HW __attribute__((target("sse4.2")))
#define LONG_BLOCK 4096
#define MID_BLOCK 1024
#define SHORT_BLOCK 256

static uint32_t long_shift[4][256];
static uint32_t mid_shift[4][256];
static uint32_t short_shift[4][256];

HW static uint32_t feed_zeros(uint32_t state, size_t n) {
  uint64_t s = state;
  for (; n >= 8; n -= 8) s = _mm_crc32_u64(s, 0);
  uint32_t s32 = (uint32_t)s;
  for (; n > 0; n--) s32 = _mm_crc32_u8(s32, 0);
  return s32;
}

/* The matrix of zeros(., n), one column per state bit, folded into byte tables. */
HW static void make_shift_tables(uint32_t t[4][256], size_t n) {
  uint32_t column[32];
  for (int i = 0; i < 32; i++) column[i] = feed_zeros(1u << i, n);
  for (int k = 0; k < 4; k++) {
    for (int v = 0; v < 256; v++) {
      uint32_t r = 0;
      for (int b = 0; b < 8; b++)
        if (v & (1 << b)) r ^= column[8 * k + b];
      t[k][v] = r;
    }
  }
}

static inline uint32_t shift(const uint32_t t[4][256], uint32_t s) {
  return t[0][s & 0xff] ^ t[1][(s >> 8) & 0xff] ^ t[2][(s >> 16) & 0xff] ^ t[3][s >> 24];
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Three chains over three adjacent blocks of `block` bytes, while 3 blocks remain. */
#define THREE_WAY(block, table)                                      \
  while (len >= 3 * (block)) {                                       \
    uint64_t c0 = s, c1 = 0, c2 = 0;                                 \
    const uint8_t *end = p + (block);                                \
    do {                                                             \
      c0 = _mm_crc32_u64(c0, load64(p));                             \
      c1 = _mm_crc32_u64(c1, load64(p + (block)));                   \
      c2 = _mm_crc32_u64(c2, load64(p + 2 * (block)));               \
      p += 8;                                                        \
    } while (p < end);                                               \
    s = shift(table, shift(table, (uint32_t)c0) ^ (uint32_t)c1) ^ (uint32_t)c2; \
    p += 2 * (block);                                                \
    len -= 3 * (block);                                              \
  }


/* ---- folding with VPCLMULQDQ ---------------------------------------------------------- */

#define VEC __attribute__((target("sse4.2,pclmul,avx512f,avx512vl,vpclmulqdq")))
#define VEC_MIN 512 /* below this the three chains are as fast */

/* {multiplier of the first 8 bytes, of the second 8} for moving a chunk D bytes on. */
static uint64_t fold_256[2], fold_192[2], fold_128[2], fold_64[2], fold_48[2], fold_32[2],
    fold_16[2];
static int vec_ready;

/* x^n mod P, with bit j the coefficient of x^j (P = x^32 + 0x1EDC6F41). */
static uint32_t xpow_mod(size_t n) {
  uint32_t r = 1;
  for (size_t i = 0; i < n; i++) r = (r & 0x80000000u) ? (r << 1) ^ 0x1EDC6F41u : r << 1;
  return r;
}

/* A polynomial of degree < 32 in the reflected 64-bit form: x^j at bit 63 - j. */
static uint64_t reflected64(uint32_t r) {
  uint64_t v = 0;
  for (int j = 0; j < 32; j++)
    if ((r >> j) & 1) v |= 1ull << (63 - j);
  return v;
}

static void make_fold(uint64_t k[2], size_t distance) {
  k[0] = reflected64(xpow_mod(8 * distance + 63));
  k[1] = reflected64(xpow_mod(8 * distance - 1));
}

VEC static inline __m512i fold512(__m512i a, __m512i k, __m512i next) {
  __m512i lo = _mm512_clmulepi64_epi128(a, k, 0x00);
  __m512i hi = _mm512_clmulepi64_epi128(a, k, 0x11);
  return _mm512_ternarylogic_epi64(lo, hi, next, 0x96); /* lo ^ hi ^ next */
}

VEC static inline __m128i fold128(__m128i a, const uint64_t k[2], __m128i next) {
  __m128i kk = _mm_set_epi64x((long long)k[1], (long long)k[0]);
  __m128i lo = _mm_clmulepi64_si128(a, kk, 0x00);
  __m128i hi = _mm_clmulepi64_si128(a, kk, 0x11);
  return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

VEC static inline __m512i broadcast_fold(const uint64_t k[2]) {
  return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)k[1], (long long)k[0]));
}

/* The state after feeding *p..*p+*len (at least VEC_MIN bytes) from state s, for all
 * but the last (len mod 256) bytes, which are left in *p / *len for the caller. */
VEC static uint32_t crc32c_fold(uint32_t s, const uint8_t **pp, size_t *plen) {
  const uint8_t *p = *pp;
  size_t len = *plen;
  /* The state so far, XORed into the first 4 bytes, makes the rest a CRC from zero. */
  __m512i x0 = _mm512_xor_si512(_mm512_loadu_si512(p),
                                _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)s)));
  __m512i x1 = _mm512_loadu_si512(p + 64);
  __m512i x2 = _mm512_loadu_si512(p + 128);
  __m512i x3 = _mm512_loadu_si512(p + 192);
  p += 256;
  len -= 256;
  const __m512i k256 = broadcast_fold(fold_256);
  while (len >= 256) {
    x0 = fold512(x0, k256, _mm512_loadu_si512(p));
    x1 = fold512(x1, k256, _mm512_loadu_si512(p + 64));
    x2 = fold512(x2, k256, _mm512_loadu_si512(p + 128));
    x3 = fold512(x3, k256, _mm512_loadu_si512(p + 192));
    p += 256;
    len -= 256;
  }
  /* Move the four registers onto the last one, then its four chunks onto the last. */
  __m512i x = fold512(x2, broadcast_fold(fold_64), x3);
  x = fold512(x1, broadcast_fold(fold_128), x);
  x = fold512(x0, broadcast_fold(fold_192), x);
  __m128i c = _mm512_extracti32x4_epi32(x, 3);
  c = fold128(_mm512_extracti32x4_epi32(x, 2), fold_16, c);
  c = fold128(_mm512_extracti32x4_epi32(x, 1), fold_32, c);
  c = fold128(_mm512_extracti32x4_epi32(x, 0), fold_48, c);
  uint64_t st = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(c));
  st = _mm_crc32_u64(st, (uint64_t)_mm_extract_epi64(c, 1));
  *pp = p;
  *plen = len;
  return (uint32_t)st;
}

static void vec_init(void) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl") ||
      !__builtin_cpu_supports("vpclmulqdq") || !__builtin_cpu_supports("pclmul"))
    return;
  make_fold(fold_256, 256);
  make_fold(fold_192, 192);
  make_fold(fold_128, 128);
  make_fold(fold_64, 64);
  make_fold(fold_48, 48);
  make_fold(fold_32, 32);
  make_fold(fold_16, 16);
  vec_ready = 1;
}

HW static uint32_t crc32c_hw(const uint8_t *p, size_t len, int use_fold) {
  uint32_t s = 0xffffffffu;
  while (len > 0 && ((uintptr_t)p & 7) != 0) {
    s = _mm_crc32_u8(s, *p++);
    len--;
  }
  if (use_fold && len >= VEC_MIN) s = crc32c_fold(s, &p, &len);
  THREE_WAY(LONG_BLOCK, long_shift)
  THREE_WAY(MID_BLOCK, mid_shift)
  THREE_WAY(SHORT_BLOCK, short_shift)
  uint64_t s64 = s;
  for (; len >= 8; len -= 8, p += 8) s64 = _mm_crc32_u64(s64, load64(p));
  s = (uint32_t)s64;
  for (; len > 0; len--) s = _mm_crc32_u8(s, *p++);
  return ~s;
}

static int hw_ready(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("sse4.2")) return 0;
  make_shift_tables(long_shift, LONG_BLOCK);
  make_shift_tables(mid_shift, MID_BLOCK);
  make_shift_tables(short_shift, SHORT_BLOCK);
  vec_init();
  return 1;
}
#else
static int vec_ready;
static int hw_ready(void) { return 0; }
static uint32_t crc32c_hw(const uint8_t *p, size_t len, int use_fold) {
  (void)p;
  (void)len;
  (void)use_fold;
  return 0;
}
#endif

/* crc32cRange(buffer, start, end): CRC-32C of buffer[start, end), unsigned. The function's
 * data is non-NULL for the folding one. */
static napi_value crc32c_range(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *fold = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &fold) != napi_ok) return NULL;
  void *data = NULL;
  size_t size = 0;
  if (argc < 3 || napi_get_buffer_info(env, argv[0], &data, &size) != napi_ok) {
    napi_throw_type_error(env, NULL, "crc32cRange(buffer, start, end): expected a Buffer");
    return NULL;
  }
  double start = 0, end = 0;
  if (napi_get_value_double(env, argv[1], &start) != napi_ok ||
      napi_get_value_double(env, argv[2], &end) != napi_ok || !(start >= 0) ||
      !(end >= start) || end > (double)size || start != (double)(size_t)start ||
      end != (double)(size_t)end) {
    napi_throw_range_error(env, NULL, "crc32cRange: start and end must satisfy 0 <= start <= end <= buffer.length");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, crc32c_hw((const uint8_t *)data + (size_t)start, (size_t)(end - start),
                                      fold != NULL),
                     &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  if (!hw_ready()) {
    napi_throw_error(env, NULL, "crc32c addon: this CPU lacks the SSE 4.2 crc32 instruction");
    return NULL;
  }
  /* crc32cRange: the fastest this CPU allows; crc32cRangeSse42: the three chains always
   * (for tests and comparisons); variant: which one crc32cRange is. */
  static int fold_token;
  napi_value best, sse42, variant;
  if (napi_create_function(env, "crc32cRange", NAPI_AUTO_LENGTH, crc32c_range,
                           vec_ready ? &fold_token : NULL, &best) != napi_ok ||
      napi_create_function(env, "crc32cRangeSse42", NAPI_AUTO_LENGTH, crc32c_range, NULL,
                           &sse42) != napi_ok ||
      napi_create_string_utf8(env, vec_ready ? "vpclmulqdq" : "sse4.2", NAPI_AUTO_LENGTH,
                              &variant) != napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "crc32cRange", best) != napi_ok ||
      napi_set_named_property(env, exports, "crc32cRangeSse42", sse42) != napi_ok ||
      napi_set_named_property(env, exports, "variant", variant) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
