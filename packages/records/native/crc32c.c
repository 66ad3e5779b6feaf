/*
 * CRC-32C (Castagnoli) for kzoo's record batches, as a Node-API addon.
 *
 * The SSE 4.2 crc32 instruction has a latency of 3 cycles and a throughput of 1, so one
 * dependent chain of it runs at a third of the speed the core allows. This file runs three
 * independent chains over three adjacent blocks and joins them: the CRC state is linear
 * in the bits fed to it, so feeding block B after block A from state s equals
 * zeros(s, |B|) ^ crc_from_zero(B), where zeros(s, n) is the state after n zero bytes.
 * zeros(., n) is itself linear in s, so it is a 32x32 bit matrix, kept as four 256-entry
 * tables (one per byte of the state) for each block length used.
 *
 * Built by scripts/build-native.js (from scripts/bootstrap.sh) when a C compiler and the
 * Node headers are there; packages/records/src/crc32c.ts falls back to @node-rs/crc32
 * (one chain) when this addon is absent or the CPU lacks SSE 4.2.
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <nmmintrin.h>

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

HW static uint32_t crc32c_hw(const uint8_t *p, size_t len) {
  uint32_t s = 0xffffffffu;
  while (len > 0 && ((uintptr_t)p & 7) != 0) {
    s = _mm_crc32_u8(s, *p++);
    len--;
  }
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
  return 1;
}
#else
static int hw_ready(void) { return 0; }
static uint32_t crc32c_hw(const uint8_t *p, size_t len) {
  (void)p;
  (void)len;
  return 0;
}
#endif

/* crc32cRange(buffer, start, end): CRC-32C of buffer[start, end), unsigned. */
static napi_value crc32c_range(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
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
  napi_create_uint32(env, crc32c_hw((const uint8_t *)data + (size_t)start, (size_t)(end - start)),
                     &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  if (!hw_ready()) {
    napi_throw_error(env, NULL, "crc32c addon: this CPU lacks the SSE 4.2 crc32 instruction");
    return NULL;
  }
  napi_value fn;
  if (napi_create_function(env, "crc32cRange", NAPI_AUTO_LENGTH, crc32c_range, NULL, &fn) != napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "crc32cRange", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
