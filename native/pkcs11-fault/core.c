/*
 * The module's state: the target module, the control file as last read, our session
 * handles (mapped to the target's, so a handle that died with a removal is never
 * reused), what each slot's token is called, and the call machinery every forwarding
 * function goes through (nf_begin_* / nf_faults / nf_end).
 *
 * One mutex guards all of it. Forwarded calls run without it, so a slow (latency) or
 * blocking call on one libuv worker thread never holds up another; C_Finalize waits
 * until the calls in flight and the blocked C_WaitForSlotEvent callers have left.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"

#define DEFAULT_TARGET "/usr/lib/softhsm/libsofthsm2.so"

CK_FUNCTION_LIST_PTR nf_target;

struct session {
  CK_SESSION_HANDLE ours;
  CK_SESSION_HANDLE th;
  CK_SLOT_ID slot;
  /* Closed on the target because the token was removed; answers DEVICE_REMOVED while
   * the token is out and SESSION_HANDLE_INVALID once it is back. */
  bool dead;
};

struct slot {
  CK_SLOT_ID id;
  bool info_known;
  char label[33];
  char serial[17];
  /* Presence last reported by C_WaitForSlotEvent (or seen at C_Initialize). */
  bool reported_present;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
/* Never reset, not even by C_Finalize: a handle is never handed out twice per process. */
static CK_SESSION_HANDLE next_handle = 1;
static int verbose;

static struct {
  bool initialized;
  bool finalizing;
  /* False when the target was already initialized by another user in this process. */
  bool owns_target;
  unsigned inflight;
  unsigned waiters;
  void *dl;
  char *control_path;
  char *state_path;
  bool file_known;
  char file_mark[128];
  struct nf_config cfg;
  unsigned long ok_count[FN_COUNT];
  struct session *sessions;
  size_t nsessions;
  struct slot *slots;
  size_t nslots;
} g;

static void init_cond(void) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&changed, &attr);
  pthread_condattr_destroy(&attr);
}

void nf_log(const char *format, ...) {
  if (!__atomic_load_n(&verbose, __ATOMIC_RELAXED)) return;
  char line[512];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  fprintf(stderr, "niem-pkcs11-fault[%ld]: %s\n", (long)getpid(), line);
}

static const char *rv_text(CK_RV rv, char buf[24]) {
  const char *name = nf_rv_name(rv);
  if (name) return name;
  snprintf(buf, 24, "0x%lx", (unsigned long)rv);
  return buf;
}

/* ---- slots ---- */

static void copy_trimmed(char *out, size_t size, const unsigned char *field, size_t width) {
  size_t n = width;
  while (n > 0 && (field[n - 1] == ' ' || field[n - 1] == '\0')) n--;
  if (n >= size) n = size - 1;
  memcpy(out, field, n);
  out[n] = '\0';
}

static struct slot *slot_entry_locked(CK_SLOT_ID id, bool create) {
  for (size_t i = 0; i < g.nslots; i++)
    if (g.slots[i].id == id) return &g.slots[i];
  if (!create) return NULL;
  struct slot *grown = realloc(g.slots, (g.nslots + 1) * sizeof *grown);
  if (!grown) return NULL;
  g.slots = grown;
  struct slot *entry = &g.slots[g.nslots++];
  memset(entry, 0, sizeof *entry);
  entry->id = id;
  entry->reported_present = true;
  return entry;
}

static void remember_token_locked(CK_SLOT_ID id, const CK_TOKEN_INFO *info) {
  struct slot *entry = slot_entry_locked(id, true);
  if (!entry) return;
  copy_trimmed(entry->label, sizeof entry->label, info->label, sizeof info->label);
  copy_trimmed(entry->serial, sizeof entry->serial, info->serialNumber, sizeof info->serialNumber);
  entry->info_known = true;
}

/* The slot with its token's label and serial, asking the target when not yet known. */
static struct slot *slot_info_locked(CK_SLOT_ID id) {
  struct slot *entry = slot_entry_locked(id, false);
  if (entry && entry->info_known) return entry;
  CK_TOKEN_INFO info;
  if (nf_target->C_GetTokenInfo(id, &info) != CKR_OK) return entry;
  remember_token_locked(id, &info);
  return slot_entry_locked(id, false);
}

/* Whether the control file's faults apply to `id` (label filter). */
static bool matches_locked(CK_SLOT_ID id) {
  if (!g.cfg.label) return true;
  struct slot *entry = slot_info_locked(id);
  return entry && entry->info_known && strcmp(entry->label, g.cfg.label) == 0;
}

static bool present_locked(CK_SLOT_ID id) {
  return g.cfg.present || !matches_locked(id);
}

bool nf_slot_present(CK_SLOT_ID id) {
  pthread_mutex_lock(&lock);
  bool present = !g.initialized || present_locked(id);
  pthread_mutex_unlock(&lock);
  return present;
}

void nf_forget_slot(CK_SLOT_ID id) {
  pthread_mutex_lock(&lock);
  struct slot *entry = slot_entry_locked(id, false);
  if (entry) entry->info_known = false;
  pthread_mutex_unlock(&lock);
}

/* The target's slots (all of them, with or without a token). Caller frees. */
static CK_SLOT_ID *target_slots_locked(CK_ULONG *count) {
  for (int attempt = 0; attempt < 4; attempt++) {
    CK_ULONG n = 0;
    if (nf_target->C_GetSlotList(CK_FALSE, NULL, &n) != CKR_OK) return NULL;
    CK_SLOT_ID *list = calloc(n + 1, sizeof *list);
    if (!list) return NULL;
    CK_RV rv = nf_target->C_GetSlotList(CK_FALSE, list, &n);
    if (rv == CKR_OK) {
      *count = n;
      return list;
    }
    free(list);
    if (rv != CKR_BUFFER_TOO_SMALL) return NULL;
  }
  return NULL;
}

/* ---- sessions ---- */

static struct session *session_locked(CK_SESSION_HANDLE ours) {
  for (size_t i = 0; i < g.nsessions; i++)
    if (g.sessions[i].ours == ours) return &g.sessions[i];
  return NULL;
}

CK_RV nf_session_add(CK_SESSION_HANDLE th, CK_SLOT_ID slot, CK_SESSION_HANDLE *ours) {
  pthread_mutex_lock(&lock);
  struct session *grown = realloc(g.sessions, (g.nsessions + 1) * sizeof *grown);
  if (!grown) {
    pthread_mutex_unlock(&lock);
    return CKR_HOST_MEMORY;
  }
  g.sessions = grown;
  struct session *entry = &g.sessions[g.nsessions++];
  entry->ours = next_handle++;
  entry->th = th;
  entry->slot = slot;
  entry->dead = false;
  *ours = entry->ours;
  pthread_mutex_unlock(&lock);
  return CKR_OK;
}

static void session_drop_locked(size_t index) {
  g.sessions[index] = g.sessions[g.nsessions - 1];
  g.nsessions--;
}

void nf_session_remove(CK_SESSION_HANDLE ours) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < g.nsessions; i++) {
    if (g.sessions[i].ours == ours) {
      session_drop_locked(i);
      break;
    }
  }
  pthread_mutex_unlock(&lock);
}

void nf_sessions_remove_slot(CK_SLOT_ID slot) {
  pthread_mutex_lock(&lock);
  for (size_t i = g.nsessions; i > 0; i--)
    if (g.sessions[i - 1].slot == slot) session_drop_locked(i - 1);
  pthread_mutex_unlock(&lock);
}

/* A removal closes every session of the slot on the target: the login is gone for real. */
static void kill_absent_sessions_locked(void) {
  for (size_t i = 0; i < g.nsessions; i++) {
    struct session *s = &g.sessions[i];
    if (s->dead || present_locked(s->slot)) continue;
    CK_SLOT_ID slot = s->slot;
    for (size_t j = i; j < g.nsessions; j++)
      if (g.sessions[j].slot == slot) g.sessions[j].dead = true;
    CK_RV rv = nf_target->C_CloseAllSessions(slot);
    char buf[24];
    nf_log("token of slot %lu removed: its sessions closed on the target (%s)",
           (unsigned long)slot, rv_text(rv, buf));
  }
}

/* ---- the control file ---- */

struct unlock_arg {
  long max;
  const char *mark;
};

static bool apply_unlock(struct nf_pin_state *state, void *arg) {
  const struct unlock_arg *unlock = arg;
  if (state->pin_tries == unlock->max && strcmp(state->unlock_mark, unlock->mark) == 0)
    return false;
  state->count = 0;
  state->pin_tries = unlock->max;
  snprintf(state->unlock_mark, sizeof state->unlock_mark, "%s", unlock->mark);
  nf_log("unlock=1: PIN retry counters reset to %ld", unlock->max);
  return true;
}

/* Re-reads the control file when it changed (device, inode, size or mtime). */
static void refresh_locked(void) {
  char mark[128] = "absent";
  struct stat st;
  bool exists = g.control_path && stat(g.control_path, &st) == 0;
  if (exists) {
    snprintf(mark, sizeof mark, "%lu.%lu.%lld.%lld.%ld", (unsigned long)st.st_dev,
             (unsigned long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
             (long)st.st_mtim.tv_nsec);
  }
  if (g.file_known && strcmp(mark, g.file_mark) == 0) return;
  nf_config_free(&g.cfg);
  if (exists) {
    size_t length = 0;
    char *text = nf_read_file(g.control_path, &length);
    if (text) {
      nf_config_parse(text, length, &g.cfg);
      explicit_bzero(text, length);
      free(text);
    }
  }
  g.file_known = true;
  snprintf(g.file_mark, sizeof g.file_mark, "%s", mark);
  memset(g.ok_count, 0, sizeof g.ok_count);
  __atomic_store_n(&verbose, g.cfg.verbose ? 1 : 0, __ATOMIC_RELAXED);
  nf_log("control file %s", exists ? "read" : "absent: no faults");
  if (g.cfg.unlock && g.cfg.pin_tries > 0 && g.state_path) {
    struct unlock_arg arg = {g.cfg.pin_tries, mark};
    nf_pin_state_update(g.state_path, apply_unlock, &arg);
  }
  if (g.initialized) kill_absent_sessions_locked();
  pthread_cond_broadcast(&changed);
}

/* ---- calls ---- */

struct plan {
  int crash_signal; /* 0 = no crash */
  long latency_ms;
  bool fail;
  CK_RV fail_rv;
};

static struct plan plan_locked(int fn, bool faulted) {
  struct plan plan = {0, 0, false, CKR_OK};
  if (!faulted) return plan;
  if (g.cfg.crash_fn == fn) plan.crash_signal = g.cfg.crash_signal;
  plan.latency_ms = g.cfg.fn_latency_ms[fn] >= 0 ? g.cfg.fn_latency_ms[fn] : g.cfg.latency_ms;
  if (g.cfg.fn_fail[fn] && g.ok_count[fn] >= g.cfg.fn_fail_after[fn]) {
    plan.fail = true;
    plan.fail_rv = g.cfg.fn_fail_rv[fn];
  }
  return plan;
}

static void crash_now(int fn, int sig) {
  nf_log("crash=%s: raising signal %d", nf_fn_name(fn), sig);
  fflush(stderr);
  if (sig == SIGABRT) abort();
  /* Whatever handler the host installed (V8 has one for SIGSEGV) must not catch it, and
   * a libuv worker thread may have it blocked. */
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
  abort();
}

static CK_RV run_plan(int fn, const struct plan *plan) {
  if (plan->crash_signal) crash_now(fn, plan->crash_signal);
  if (plan->latency_ms > 0) {
    struct timespec delay = {plan->latency_ms / 1000, (plan->latency_ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
    }
  }
  if (plan->fail) {
    char buf[24];
    nf_log("fail.%s: answering %s", nf_fn_name(fn), rv_text(plan->fail_rv, buf));
    return plan->fail_rv;
  }
  return CKR_OK;
}

static CK_RV begin_locked(struct nf_call *call, int fn) {
  if (!g.initialized || g.finalizing) return CKR_CRYPTOKI_NOT_INITIALIZED;
  memset(call, 0, sizeof *call);
  call->fn = fn;
  g.inflight++;
  refresh_locked();
  call->faulted = g.cfg.label == NULL;
  return CKR_OK;
}

static void end_locked(void) {
  g.inflight--;
  if (g.inflight == 0) pthread_cond_broadcast(&changed);
}

CK_RV nf_begin(struct nf_call *call, int fn) {
  pthread_mutex_lock(&lock);
  CK_RV rv = begin_locked(call, fn);
  pthread_mutex_unlock(&lock);
  return rv;
}

CK_RV nf_begin_slot(struct nf_call *call, int fn, CK_SLOT_ID slot, bool need_token) {
  pthread_mutex_lock(&lock);
  CK_RV rv = begin_locked(call, fn);
  if (rv == CKR_OK) {
    call->has_slot = true;
    call->slot = slot;
    call->faulted = matches_locked(slot);
    if (need_token && !present_locked(slot)) {
      end_locked();
      rv = CKR_TOKEN_NOT_PRESENT;
    }
  }
  pthread_mutex_unlock(&lock);
  return rv;
}

CK_RV nf_begin_session(struct nf_call *call, int fn, CK_SESSION_HANDLE session) {
  pthread_mutex_lock(&lock);
  CK_RV rv = begin_locked(call, fn);
  if (rv == CKR_OK) {
    struct session *s = session_locked(session);
    if (!s) {
      rv = CKR_SESSION_HANDLE_INVALID;
    } else if (s->dead) {
      rv = present_locked(s->slot) ? CKR_SESSION_HANDLE_INVALID : CKR_DEVICE_REMOVED;
      /* Closing a dead session forgets it; the application has let go of it. */
      if (fn == FN_C_CloseSession) session_drop_locked((size_t)(s - g.sessions));
    } else {
      call->ours = s->ours;
      call->th = s->th;
      call->has_slot = true;
      call->slot = s->slot;
      call->faulted = matches_locked(s->slot);
    }
    if (rv != CKR_OK) end_locked();
  }
  pthread_mutex_unlock(&lock);
  return rv;
}

CK_RV nf_faults(struct nf_call *call) {
  pthread_mutex_lock(&lock);
  struct plan plan = plan_locked(call->fn, call->faulted);
  pthread_mutex_unlock(&lock);
  return run_plan(call->fn, &plan);
}

CK_RV nf_end(struct nf_call *call, CK_RV rv) {
  pthread_mutex_lock(&lock);
  if (rv == CKR_OK) g.ok_count[call->fn]++;
  end_locked();
  pthread_mutex_unlock(&lock);
  return rv;
}

/* ---- initialize / finalize ---- */

static void release_locked(void) {
  if (g.dl) dlclose(g.dl);
  g.dl = NULL;
  nf_target = NULL;
  free(g.sessions);
  free(g.slots);
  free(g.control_path);
  free(g.state_path);
  nf_config_free(&g.cfg);
  memset(&g, 0, sizeof g);
  nf_config_defaults(&g.cfg);
  __atomic_store_n(&verbose, 0, __ATOMIC_RELAXED);
}

/* Records each slot's presence, the baseline C_WaitForSlotEvent reports changes against. */
static void baseline_slots_locked(void) {
  CK_ULONG n = 0;
  CK_SLOT_ID *list = target_slots_locked(&n);
  if (!list) return;
  for (CK_ULONG i = 0; i < n; i++) {
    struct slot *entry = slot_entry_locked(list[i], true);
    if (entry) entry->reported_present = present_locked(list[i]);
  }
  free(list);
}

static char *state_path_of(const char *control) {
  size_t n = strlen(control) + sizeof ".state";
  char *path = malloc(n);
  if (path) snprintf(path, n, "%s.state", control);
  return path;
}

CK_RV nf_initialize(void *init_args) {
  pthread_once(&cond_once, init_cond);
  pthread_mutex_lock(&lock);
  if (g.initialized) {
    pthread_mutex_unlock(&lock);
    return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  }
  const char *target = getenv("NIEM_FAULT_TARGET");
  if (!target || !*target) target = DEFAULT_TARGET;
  const char *control = getenv("NIEM_FAULT_CONTROL");
  nf_config_defaults(&g.cfg);
  if (control && *control) {
    g.control_path = strdup(control);
    g.state_path = state_path_of(control);
    if (!g.control_path || !g.state_path) {
      release_locked();
      pthread_mutex_unlock(&lock);
      return CKR_HOST_MEMORY;
    }
  }
  refresh_locked();
  struct plan plan = plan_locked(FN_C_Initialize, g.cfg.label == NULL);
  CK_RV rv = run_plan(FN_C_Initialize, &plan);
  if (rv != CKR_OK) {
    release_locked();
    pthread_mutex_unlock(&lock);
    return rv;
  }
  g.dl = dlopen(target, RTLD_NOW | RTLD_LOCAL);
  CK_C_GetFunctionList get_list = g.dl ? (CK_C_GetFunctionList)dlsym(g.dl, "C_GetFunctionList")
                                       : NULL;
  if (!get_list || get_list(&nf_target) != CKR_OK || !nf_target) {
    fprintf(stderr, "niem-pkcs11-fault: cannot load the target module %s: %s\n", target,
            g.dl ? "no usable C_GetFunctionList" : dlerror());
    release_locked();
    pthread_mutex_unlock(&lock);
    return CKR_LIBRARY_LOAD_FAILED;
  }
  rv = nf_target->C_Initialize(init_args);
  /* Another user in this process initialized the same library (one dlopen handle): share
   * it, and leave its C_Finalize to that user. */
  g.owns_target = rv != CKR_CRYPTOKI_ALREADY_INITIALIZED;
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) rv = CKR_OK;
  if (rv != CKR_OK) {
    release_locked();
    pthread_mutex_unlock(&lock);
    return rv;
  }
  g.initialized = true;
  baseline_slots_locked();
  nf_log("initialized over %s", target);
  pthread_mutex_unlock(&lock);
  return CKR_OK;
}

CK_RV nf_finalize(void *reserved) {
  if (reserved) return CKR_ARGUMENTS_BAD;
  pthread_mutex_lock(&lock);
  if (!g.initialized || g.finalizing) {
    pthread_mutex_unlock(&lock);
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  }
  refresh_locked();
  struct plan plan = plan_locked(FN_C_Finalize, g.cfg.label == NULL);
  g.finalizing = true;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  CK_RV rv = run_plan(FN_C_Finalize, &plan);
  pthread_mutex_lock(&lock);
  if (rv != CKR_OK) {
    g.finalizing = false;
    pthread_mutex_unlock(&lock);
    return rv;
  }
  while (g.inflight > 0 || g.waiters > 0) pthread_cond_wait(&changed, &lock);
  if (g.owns_target) {
    rv = nf_target->C_Finalize(NULL);
  } else {
    for (size_t i = 0; i < g.nsessions; i++)
      if (!g.sessions[i].dead) nf_target->C_CloseSession(g.sessions[i].th);
  }
  release_locked();
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  return rv;
}

/* ---- slot events ---- */

/* A slot whose presence changed since last reported, or false. */
static bool next_event_locked(CK_SLOT_ID *out) {
  CK_ULONG n = 0;
  CK_SLOT_ID *list = target_slots_locked(&n);
  if (!list) return false;
  bool found = false;
  for (CK_ULONG i = 0; i < n && !found; i++) {
    bool known = slot_entry_locked(list[i], false) != NULL;
    struct slot *entry = slot_entry_locked(list[i], true);
    if (!entry) continue;
    bool present = present_locked(list[i]);
    if (known && entry->reported_present != present) {
      *out = list[i];
      found = true;
      nf_log("slot event: slot %lu token %s", (unsigned long)list[i],
             present ? "inserted" : "removed");
    }
    entry->reported_present = present;
  }
  free(list);
  return found;
}

CK_RV nf_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot, void *reserved) {
  if (reserved || !slot) return CKR_ARGUMENTS_BAD;
  pthread_mutex_lock(&lock);
  if (!g.initialized || g.finalizing) {
    pthread_mutex_unlock(&lock);
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  }
  g.waiters++;
  CK_RV rv;
  for (;;) {
    if (g.finalizing || !g.initialized) {
      rv = CKR_CRYPTOKI_NOT_INITIALIZED;
      break;
    }
    refresh_locked();
    if (!g.cfg.slot_events) {
      rv = CKR_FUNCTION_NOT_SUPPORTED;
      break;
    }
    if (next_event_locked(slot)) {
      rv = CKR_OK;
      break;
    }
    if (flags & CKF_DONT_BLOCK) {
      rv = CKR_NO_EVENT;
      break;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 100L * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec += 1;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&changed, &lock, &until);
  }
  g.waiters--;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  return rv;
}

/* ---- what the control file says about one token ---- */

void nf_token_view(CK_SLOT_ID slot, const CK_TOKEN_INFO *fresh, struct nf_token_view *view) {
  memset(view, 0, sizeof *view);
  pthread_mutex_lock(&lock);
  if (fresh) remember_token_locked(slot, fresh);
  view->faulted = g.initialized && matches_locked(slot);
  if (view->faulted) {
    struct slot *entry = slot_info_locked(slot);
    if (g.cfg.pin_tries > 0 && g.state_path && entry && entry->info_known) {
      view->state_path = strdup(g.state_path);
      if (view->state_path) {
        view->pin_tries = g.cfg.pin_tries;
        memcpy(view->serial, entry->serial, sizeof view->serial);
      }
    }
    view->pad = g.cfg.protected_auth_path;
    if (view->pad && g.cfg.pad_pin) {
      view->pad_pin = strndup(g.cfg.pad_pin, g.cfg.pad_pin_len);
      view->pad_pin_len = view->pad_pin ? strlen(view->pad_pin) : 0;
    }
  }
  pthread_mutex_unlock(&lock);
}

void nf_token_view_free(struct nf_token_view *view) {
  free(view->state_path);
  if (view->pad_pin) {
    explicit_bzero(view->pad_pin, view->pad_pin_len);
    free(view->pad_pin);
  }
  memset(view, 0, sizeof *view);
}
