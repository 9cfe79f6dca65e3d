/*
 * The control file: `key=value` lines, `#` comments, blanks ignored. Parsing only;
 * when it is re-read is decided in core.c. Unknown keys and bad values are reported on
 * stderr and ignored, so a typo never turns into a silent fault.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"

static const char *const fn_names[FN_COUNT] = {
#define NF_NAME(name) #name,
    NF_FUNCTIONS(NF_NAME)
#undef NF_NAME
};

const char *nf_fn_name(int fn) {
  return fn >= 0 && fn < FN_COUNT ? fn_names[fn] : "?";
}

int nf_fn_lookup(const char *name) {
  for (int i = 0; i < FN_COUNT; i++)
    if (strcmp(fn_names[i], name) == 0) return i;
  return -1;
}

/* CKR names of PKCS#11 2.40, for fail.C_X=CKR_NAME and for logs. */
#define NF_CKRS(X)                                                                           \
  X(CKR_OK) X(CKR_CANCEL) X(CKR_HOST_MEMORY) X(CKR_SLOT_ID_INVALID) X(CKR_GENERAL_ERROR)      \
  X(CKR_FUNCTION_FAILED) X(CKR_ARGUMENTS_BAD) X(CKR_NO_EVENT) X(CKR_NEED_TO_CREATE_THREADS)   \
  X(CKR_CANT_LOCK) X(CKR_ATTRIBUTE_READ_ONLY) X(CKR_ATTRIBUTE_SENSITIVE)                      \
  X(CKR_ATTRIBUTE_TYPE_INVALID) X(CKR_ATTRIBUTE_VALUE_INVALID) X(CKR_ACTION_PROHIBITED)       \
  X(CKR_DATA_INVALID) X(CKR_DATA_LEN_RANGE) X(CKR_DEVICE_ERROR) X(CKR_DEVICE_MEMORY)          \
  X(CKR_DEVICE_REMOVED) X(CKR_ENCRYPTED_DATA_INVALID) X(CKR_ENCRYPTED_DATA_LEN_RANGE)         \
  X(CKR_FUNCTION_CANCELED) X(CKR_FUNCTION_NOT_PARALLEL) X(CKR_FUNCTION_NOT_SUPPORTED)         \
  X(CKR_KEY_HANDLE_INVALID) X(CKR_KEY_SIZE_RANGE) X(CKR_KEY_TYPE_INCONSISTENT)                \
  X(CKR_KEY_NOT_NEEDED) X(CKR_KEY_CHANGED) X(CKR_KEY_NEEDED) X(CKR_KEY_INDIGESTIBLE)          \
  X(CKR_KEY_FUNCTION_NOT_PERMITTED) X(CKR_KEY_NOT_WRAPPABLE) X(CKR_KEY_UNEXTRACTABLE)         \
  X(CKR_MECHANISM_INVALID) X(CKR_MECHANISM_PARAM_INVALID) X(CKR_OBJECT_HANDLE_INVALID)        \
  X(CKR_OPERATION_ACTIVE) X(CKR_OPERATION_NOT_INITIALIZED) X(CKR_PIN_INCORRECT)               \
  X(CKR_PIN_INVALID) X(CKR_PIN_LEN_RANGE) X(CKR_PIN_EXPIRED) X(CKR_PIN_LOCKED)                \
  X(CKR_SESSION_CLOSED) X(CKR_SESSION_COUNT) X(CKR_SESSION_HANDLE_INVALID)                    \
  X(CKR_SESSION_PARALLEL_NOT_SUPPORTED) X(CKR_SESSION_READ_ONLY) X(CKR_SESSION_EXISTS)        \
  X(CKR_SESSION_READ_ONLY_EXISTS) X(CKR_SESSION_READ_WRITE_SO_EXISTS)                         \
  X(CKR_SIGNATURE_INVALID) X(CKR_SIGNATURE_LEN_RANGE) X(CKR_TEMPLATE_INCOMPLETE)              \
  X(CKR_TEMPLATE_INCONSISTENT) X(CKR_TOKEN_NOT_PRESENT) X(CKR_TOKEN_NOT_RECOGNIZED)           \
  X(CKR_TOKEN_WRITE_PROTECTED) X(CKR_UNWRAPPING_KEY_HANDLE_INVALID)                           \
  X(CKR_UNWRAPPING_KEY_SIZE_RANGE) X(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)                    \
  X(CKR_USER_ALREADY_LOGGED_IN) X(CKR_USER_NOT_LOGGED_IN) X(CKR_USER_PIN_NOT_INITIALIZED)     \
  X(CKR_USER_TYPE_INVALID) X(CKR_USER_ANOTHER_ALREADY_LOGGED_IN) X(CKR_USER_TOO_MANY_TYPES)   \
  X(CKR_WRAPPED_KEY_INVALID) X(CKR_WRAPPED_KEY_LEN_RANGE) X(CKR_WRAPPING_KEY_HANDLE_INVALID)  \
  X(CKR_WRAPPING_KEY_SIZE_RANGE) X(CKR_WRAPPING_KEY_TYPE_INCONSISTENT)                        \
  X(CKR_RANDOM_SEED_NOT_SUPPORTED) X(CKR_RANDOM_NO_RNG) X(CKR_DOMAIN_PARAMS_INVALID)          \
  X(CKR_CURVE_NOT_SUPPORTED) X(CKR_BUFFER_TOO_SMALL) X(CKR_SAVED_STATE_INVALID)               \
  X(CKR_INFORMATION_SENSITIVE) X(CKR_STATE_UNSAVEABLE) X(CKR_CRYPTOKI_NOT_INITIALIZED)        \
  X(CKR_CRYPTOKI_ALREADY_INITIALIZED) X(CKR_MUTEX_BAD) X(CKR_MUTEX_NOT_LOCKED)                \
  X(CKR_NEW_PIN_MODE) X(CKR_NEXT_OTP) X(CKR_EXCEEDED_MAX_ITERATIONS)                          \
  X(CKR_FIPS_SELF_TEST_FAILED) X(CKR_LIBRARY_LOAD_FAILED) X(CKR_PIN_TOO_WEAK)                 \
  X(CKR_PUBLIC_KEY_INVALID) X(CKR_FUNCTION_REJECTED)

static const struct {
  const char *name;
  CK_RV value;
} ckr_table[] = {
#define NF_CKR(name) {#name, name},
    NF_CKRS(NF_CKR)
#undef NF_CKR
};

const char *nf_rv_name(CK_RV rv) {
  for (size_t i = 0; i < sizeof ckr_table / sizeof ckr_table[0]; i++)
    if (ckr_table[i].value == rv) return ckr_table[i].name;
  return NULL;
}

static bool parse_ulong(const char *text, unsigned long *out) {
  if (*text == '\0' || *text == '-') return false;
  errno = 0;
  char *end = NULL;
  unsigned long value = strtoul(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0') return false;
  *out = value;
  return true;
}

bool nf_parse_rv(const char *text, CK_RV *out) {
  for (size_t i = 0; i < sizeof ckr_table / sizeof ckr_table[0]; i++) {
    if (strcmp(ckr_table[i].name, text) == 0) {
      *out = ckr_table[i].value;
      return true;
    }
  }
  unsigned long value;
  if (!parse_ulong(text, &value)) return false;
  *out = (CK_RV)value;
  return true;
}

static bool parse_long(const char *text, long max, long *out) {
  unsigned long value;
  if (!parse_ulong(text, &value) || value > (unsigned long)max) return false;
  *out = (long)value;
  return true;
}

static bool parse_bool(const char *text, bool *out) {
  if (strcmp(text, "1") == 0 || strcmp(text, "true") == 0 || strcmp(text, "yes") == 0) {
    *out = true;
    return true;
  }
  if (strcmp(text, "0") == 0 || strcmp(text, "false") == 0 || strcmp(text, "no") == 0) {
    *out = false;
    return true;
  }
  return false;
}

static bool parse_signal(const char *text, int *out) {
  static const struct {
    const char *name;
    int value;
  } signals[] = {
      {"ABRT", SIGABRT}, {"SIGABRT", SIGABRT}, {"SEGV", SIGSEGV}, {"SIGSEGV", SIGSEGV},
      {"BUS", SIGBUS},   {"SIGBUS", SIGBUS},   {"KILL", SIGKILL}, {"SIGKILL", SIGKILL},
  };
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    if (strcmp(signals[i].name, text) == 0) {
      *out = signals[i].value;
      return true;
    }
  }
  return false;
}

void nf_config_defaults(struct nf_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->present = true;
  cfg->slot_events = true;
  cfg->crash_fn = -1;
  cfg->crash_signal = SIGABRT;
  for (int i = 0; i < FN_COUNT; i++) cfg->fn_latency_ms[i] = -1;
}

void nf_config_free(struct nf_config *cfg) {
  if (cfg->pad_pin) {
    explicit_bzero(cfg->pad_pin, cfg->pad_pin_len);
    free(cfg->pad_pin);
  }
  free(cfg->label);
  nf_config_defaults(cfg);
}

static char *trim(char *text) {
  while (isspace((unsigned char)*text)) text++;
  size_t n = strlen(text);
  while (n > 0 && isspace((unsigned char)text[n - 1])) text[--n] = '\0';
  return text;
}

static void complain(const char *key, const char *what) {
  fprintf(stderr, "niem-pkcs11-fault: control file: %s: %s (ignored)\n", key, what);
}

/* A key of the form prefix.C_Function; returns the function or -1 (and complains). */
static int function_key(const char *key, const char *prefix) {
  size_t n = strlen(prefix);
  if (strncmp(key, prefix, n) != 0 || key[n] != '.') return -2;
  int fn = nf_fn_lookup(key + n + 1);
  if (fn < 0) complain(key, "unknown PKCS#11 function");
  return fn;
}

static void apply(struct nf_config *cfg, const char *key, const char *value) {
  const long max_ms = 3600L * 1000L;
  bool ok = true;
  int fn;
  if (strcmp(key, "pin_tries") == 0) {
    ok = parse_long(value, 1000, &cfg->pin_tries);
  } else if (strcmp(key, "unlock") == 0) {
    ok = parse_bool(value, &cfg->unlock);
  } else if (strcmp(key, "present") == 0) {
    ok = parse_bool(value, &cfg->present);
  } else if (strcmp(key, "slot_events") == 0) {
    ok = parse_bool(value, &cfg->slot_events);
  } else if (strcmp(key, "latency_ms") == 0) {
    ok = parse_long(value, max_ms, &cfg->latency_ms);
  } else if (strcmp(key, "crash") == 0) {
    cfg->crash_fn = nf_fn_lookup(value);
    ok = cfg->crash_fn >= 0;
  } else if (strcmp(key, "crash_signal") == 0) {
    ok = parse_signal(value, &cfg->crash_signal);
  } else if (strcmp(key, "protected_auth_path") == 0) {
    ok = parse_bool(value, &cfg->protected_auth_path);
  } else if (strcmp(key, "pad_pin") == 0) {
    if (cfg->pad_pin) {
      explicit_bzero(cfg->pad_pin, cfg->pad_pin_len);
      free(cfg->pad_pin);
    }
    cfg->pad_pin = strdup(value);
    cfg->pad_pin_len = cfg->pad_pin ? strlen(value) : 0;
  } else if (strcmp(key, "label") == 0) {
    free(cfg->label);
    cfg->label = *value ? strdup(value) : NULL;
  } else if (strcmp(key, "verbose") == 0) {
    ok = parse_bool(value, &cfg->verbose);
  } else if ((fn = function_key(key, "latency")) != -2) {
    if (fn >= 0) ok = parse_long(value, max_ms, &cfg->fn_latency_ms[fn]);
  } else if ((fn = function_key(key, "fail")) != -2) {
    if (fn >= 0) {
      ok = nf_parse_rv(value, &cfg->fn_fail_rv[fn]) && cfg->fn_fail_rv[fn] != CKR_OK;
      cfg->fn_fail[fn] = ok;
    }
  } else if ((fn = function_key(key, "fail_after")) != -2) {
    if (fn >= 0) ok = parse_ulong(value, &cfg->fn_fail_after[fn]);
  } else {
    complain(key, "unknown key");
    return;
  }
  /* Never echo the value: it may be the pad PIN. */
  if (!ok) complain(key, "bad value");
}

void nf_config_parse(const char *text, size_t length, struct nf_config *cfg) {
  char *copy = malloc(length + 1);
  if (!copy) return;
  memcpy(copy, text, length);
  copy[length] = '\0';
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *entry = trim(line);
    if (*entry == '\0' || *entry == '#') continue;
    char *eq = strchr(entry, '=');
    if (!eq) {
      complain(entry, "not key=value");
      continue;
    }
    *eq = '\0';
    apply(cfg, trim(entry), trim(eq + 1));
  }
  explicit_bzero(copy, length);
  free(copy);
}

char *nf_read_file(const char *path, size_t *length) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    n += (size_t)got;
    if (n == cap) {
      if (cap >= (1u << 20)) break;
      char *bigger = realloc(buf, cap * 2 + 1);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  close(fd);
  if (!buf) return NULL;
  buf[n] = '\0';
  if (length) *length = n;
  return buf;
}
