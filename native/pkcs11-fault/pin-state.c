/*
 * The simulated PIN retry counters, kept where a real token keeps them: outside the
 * process. The state file (`<control>.state`) holds one counter per token serial:
 *
 *   pin_tries=3            the maximum these counters belong to
 *   unlock_mark=...        the control-file version whose unlock=1 was applied
 *   tries.<serial>=1       tries left (absent = the maximum)
 *
 * Updates take an flock on `<state>.lock`, then write `<state>.tmp.<pid>` and rename it
 * over the state file, so a reader never sees half a file. Deleting the file resets
 * every counter.
 *
 * Below the file format: the hooks that use the counters (C_Login, C_SetPIN, C_InitPIN,
 * C_GetTokenInfo) and the PIN pad.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fault.h"

static void state_free(struct nf_pin_state *state) {
  free(state->tries);
  memset(state, 0, sizeof *state);
}

static void state_parse(const char *text, size_t length, struct nf_pin_state *state) {
  char *copy = strndup(text, length);
  if (!copy) return;
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *eq = strchr(line, '=');
    if (*line == '#' || !eq) continue;
    *eq = '\0';
    const char *value = eq + 1;
    if (strcmp(line, "pin_tries") == 0) {
      state->pin_tries = strtol(value, NULL, 10);
    } else if (strcmp(line, "unlock_mark") == 0) {
      snprintf(state->unlock_mark, sizeof state->unlock_mark, "%s", value);
    } else if (strncmp(line, "tries.", 6) == 0) {
      nf_pin_set(state, line + 6, strtol(value, NULL, 10));
    }
  }
  free(copy);
}

static void state_load(const char *path, struct nf_pin_state *state) {
  memset(state, 0, sizeof *state);
  size_t length = 0;
  char *text = nf_read_file(path, &length);
  if (!text) return;
  state_parse(text, length, state);
  free(text);
}

static void state_save(const char *path, const struct nf_pin_state *state) {
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) return;
  FILE *out = fopen(tmp, "we");
  if (!out) {
    fprintf(stderr, "niem-pkcs11-fault: cannot write %s: %s\n", tmp, strerror(errno));
    return;
  }
  fprintf(out, "# niem-pkcs11-fault PIN retry state; delete this file to reset the counters\n");
  fprintf(out, "pin_tries=%ld\n", state->pin_tries);
  if (state->unlock_mark[0]) fprintf(out, "unlock_mark=%s\n", state->unlock_mark);
  for (size_t i = 0; i < state->count; i++)
    fprintf(out, "tries.%s=%ld\n", state->tries[i].serial, state->tries[i].left);
  bool ok = fflush(out) == 0;
  ok = fclose(out) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    fprintf(stderr, "niem-pkcs11-fault: cannot replace %s: %s\n", path, strerror(errno));
    unlink(tmp);
  }
}

/* The serial as a key: printable, no '=' or blanks. */
static void serial_key(const char *serial, char out[40]) {
  size_t n = 0;
  for (const char *p = serial; *p && n < 39; p++) {
    char c = *p;
    bool plain = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 c == '-' || c == '_' || c == '.';
    out[n++] = plain ? c : '_';
  }
  out[n] = '\0';
}

void nf_pin_set(struct nf_pin_state *state, const char *serial, long left) {
  char key[40];
  serial_key(serial, key);
  for (size_t i = 0; i < state->count; i++) {
    if (strcmp(state->tries[i].serial, key) != 0) continue;
    if (left >= 0) {
      state->tries[i].left = left;
    } else {
      state->tries[i] = state->tries[state->count - 1];
      state->count--;
    }
    return;
  }
  if (left < 0) return;
  struct nf_tries *grown = realloc(state->tries, (state->count + 1) * sizeof *grown);
  if (!grown) return;
  state->tries = grown;
  snprintf(grown[state->count].serial, sizeof grown[state->count].serial, "%s", key);
  grown[state->count].left = left;
  state->count++;
}

void nf_pin_state_update(const char *state_path, bool (*work)(struct nf_pin_state *, void *),
                         void *arg) {
  char lock_path[4200];
  if (snprintf(lock_path, sizeof lock_path, "%s.lock", state_path) >= (int)sizeof lock_path)
    return;
  int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock >= 0) {
    while (flock(lock, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  struct nf_pin_state state;
  state_load(state_path, &state);
  if (work(&state, arg)) state_save(state_path, &state);
  state_free(&state);
  if (lock >= 0) close(lock); /* releases the flock */
}

long nf_pin_get(const struct nf_pin_state *state, const char *serial, long max) {
  if (state->pin_tries != max) return max;
  char key[40];
  serial_key(serial, key);
  for (size_t i = 0; i < state->count; i++) {
    if (strcmp(state->tries[i].serial, key) != 0) continue;
    long left = state->tries[i].left;
    return left < 0 ? 0 : left > max ? max : left;
  }
  return max;
}

long nf_pin_tries_left(const char *state_path, long max, const char *serial) {
  struct nf_pin_state state;
  state_load(state_path, &state);
  long left = nf_pin_get(&state, serial, max);
  state_free(&state);
  return left;
}

/* ---- hooks ---- */

struct pin_change {
  long max;
  const char *serial;
  bool failed; /* true: one try used; false: back to the maximum */
  long left;   /* out */
};

static bool apply_pin_change(struct nf_pin_state *state, void *arg) {
  struct pin_change *change = arg;
  bool new_max = state->pin_tries != change->max;
  if (new_max) {
    state->count = 0;
    state->pin_tries = change->max;
  }
  long left = nf_pin_get(state, change->serial, change->max);
  if (change->failed) {
    change->left = left > 0 ? left - 1 : 0;
    nf_pin_set(state, change->serial, change->left);
    return true;
  }
  change->left = change->max;
  if (left == change->max && !new_max) return false;
  nf_pin_set(state, change->serial, -1);
  return true;
}

/* Records what a PIN-verifying call answered: a wrong PIN uses a try, a right one restores. */
static void pin_result(const struct nf_token_view *view, CK_RV rv) {
  if (view->pin_tries <= 0 || (rv != CKR_OK && rv != CKR_PIN_INCORRECT)) return;
  struct pin_change change = {view->pin_tries, view->serial, rv == CKR_PIN_INCORRECT, 0};
  nf_pin_state_update(view->state_path, apply_pin_change, &change);
  if (change.failed) nf_log("wrong PIN: %ld tries left", change.left);
}

static bool pin_locked(const struct nf_token_view *view) {
  return view->pin_tries > 0 && nf_pin_tries_left(view->state_path, view->pin_tries,
                                                   view->serial) == 0;
}

void nf_pin_reset_slot(const struct nf_call *call) {
  struct nf_token_view view;
  nf_token_view(call->slot, NULL, &view);
  pin_result(&view, CKR_OK);
  nf_token_view_free(&view);
}

CK_RV nf_login(struct nf_call *call, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
  struct nf_token_view view;
  nf_token_view(call->slot, NULL, &view);
  CK_RV rv;
  if (view.pad && (pin == NULL || pin_len == 0)) {
    if (!view.pad_pin) {
      nf_log("PIN pad: no pad_pin set, the clerk cancelled");
      nf_token_view_free(&view);
      return CKR_FUNCTION_CANCELED;
    }
    nf_log("PIN pad: the PIN was entered on the pad");
    pin = (CK_UTF8CHAR_PTR)view.pad_pin;
    pin_len = view.pad_pin_len;
  }
  if (user == CKU_SO) view.pin_tries = 0; /* the SO PIN has no simulated counter */
  if (pin_locked(&view)) {
    nf_log("C_Login: the PIN is locked; not forwarded");
    rv = CKR_PIN_LOCKED;
  } else {
    rv = nf_target->C_Login(call->th, user, pin, pin_len);
    pin_result(&view, rv);
  }
  nf_token_view_free(&view);
  return rv;
}

CK_RV nf_set_pin(struct nf_call *call, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
                 CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len) {
  struct nf_token_view view;
  nf_token_view(call->slot, NULL, &view);
  if (view.pin_tries > 0) {
    /* In an SO session C_SetPIN changes the SO PIN: not the user counter. */
    CK_SESSION_INFO info;
    if (nf_target->C_GetSessionInfo(call->th, &info) == CKR_OK &&
        info.state == CKS_RW_SO_FUNCTIONS)
      view.pin_tries = 0;
  }
  CK_RV rv;
  if (pin_locked(&view)) {
    rv = CKR_PIN_LOCKED;
  } else {
    rv = nf_target->C_SetPIN(call->th, old_pin, old_len, new_pin, new_len);
    pin_result(&view, rv);
  }
  nf_token_view_free(&view);
  return rv;
}

void nf_adjust_token_info(const struct nf_call *call, CK_TOKEN_INFO *info) {
  struct nf_token_view view;
  nf_token_view(call->slot, info, &view);
  if (view.pad) info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
  if (view.pin_tries > 0) {
    long left = nf_pin_tries_left(view.state_path, view.pin_tries, view.serial);
    info->flags &= ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
                               CKF_USER_PIN_LOCKED);
    if (left < view.pin_tries) info->flags |= CKF_USER_PIN_COUNT_LOW;
    if (left == 1) info->flags |= CKF_USER_PIN_FINAL_TRY;
    if (left == 0) info->flags |= CKF_USER_PIN_LOCKED;
  }
  nf_token_view_free(&view);
}
