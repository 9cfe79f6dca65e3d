/*
 * niem-pkcs11-fault: a PKCS#11 module that forwards every call to a real module
 * (SoftHSM2 by default) and injects the faults a control file asks for. Test-only.
 * See README.md beside this file for the control keys.
 *
 * Internal declarations shared by the C files of the module. Nothing here is exported
 * from the shared library except C_GetFunctionList (built with -fvisibility=hidden).
 */
#ifndef NIEM_PKCS11_FAULT_H
#define NIEM_PKCS11_FAULT_H

#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Every function of the PKCS#11 2.40 function list, in CK_FUNCTION_LIST order. */
#define NF_FUNCTIONS(X)                                                                    \
  X(C_Initialize) X(C_Finalize) X(C_GetInfo) X(C_GetFunctionList) X(C_GetSlotList)          \
  X(C_GetSlotInfo) X(C_GetTokenInfo) X(C_GetMechanismList) X(C_GetMechanismInfo)            \
  X(C_InitToken) X(C_InitPIN) X(C_SetPIN) X(C_OpenSession) X(C_CloseSession)                \
  X(C_CloseAllSessions) X(C_GetSessionInfo) X(C_GetOperationState) X(C_SetOperationState)   \
  X(C_Login) X(C_Logout) X(C_CreateObject) X(C_CopyObject) X(C_DestroyObject)               \
  X(C_GetObjectSize) X(C_GetAttributeValue) X(C_SetAttributeValue) X(C_FindObjectsInit)     \
  X(C_FindObjects) X(C_FindObjectsFinal) X(C_EncryptInit) X(C_Encrypt) X(C_EncryptUpdate)   \
  X(C_EncryptFinal) X(C_DecryptInit) X(C_Decrypt) X(C_DecryptUpdate) X(C_DecryptFinal)      \
  X(C_DigestInit) X(C_Digest) X(C_DigestUpdate) X(C_DigestKey) X(C_DigestFinal)             \
  X(C_SignInit) X(C_Sign) X(C_SignUpdate) X(C_SignFinal) X(C_SignRecoverInit)               \
  X(C_SignRecover) X(C_VerifyInit) X(C_Verify) X(C_VerifyUpdate) X(C_VerifyFinal)           \
  X(C_VerifyRecoverInit) X(C_VerifyRecover) X(C_DigestEncryptUpdate)                        \
  X(C_DecryptDigestUpdate) X(C_SignEncryptUpdate) X(C_DecryptVerifyUpdate) X(C_GenerateKey) \
  X(C_GenerateKeyPair) X(C_WrapKey) X(C_UnwrapKey) X(C_DeriveKey) X(C_SeedRandom)           \
  X(C_GenerateRandom) X(C_GetFunctionStatus) X(C_CancelFunction) X(C_WaitForSlotEvent)

enum nf_fn {
#define NF_ENUM(name) FN_##name,
  NF_FUNCTIONS(NF_ENUM)
#undef NF_ENUM
  FN_COUNT
};

/* The function's name, e.g. "C_Login". */
const char *nf_fn_name(int fn);
/* The function with that name, or -1. */
int nf_fn_lookup(const char *name);

/* ---- control file (control.c) ---- */

/* What the control file asks for. Defaults: no fault at all. */
struct nf_config {
  /* User PIN tries the simulated counter allows; 0 = counter not managed. */
  long pin_tries;
  /* unlock=1: reset the counters once for this version of the control file. */
  bool unlock;
  /* present=0: the token is out of the reader. */
  bool present;
  /* slot_events=0: C_WaitForSlotEvent answers CKR_FUNCTION_NOT_SUPPORTED. */
  bool slot_events;
  /* latency_ms: added before every forwarded call (ms); per-function values override. */
  long latency_ms;
  long fn_latency_ms[FN_COUNT]; /* -1 = use latency_ms */
  bool fn_fail[FN_COUNT];
  CK_RV fn_fail_rv[FN_COUNT];
  unsigned long fn_fail_after[FN_COUNT]; /* successful calls allowed before failing */
  int crash_fn;                          /* -1 = none */
  int crash_signal;                      /* SIGABRT by default */
  bool protected_auth_path;
  char *pad_pin; /* NULL = the pad gives no PIN (C_Login answers CKR_FUNCTION_CANCELED) */
  size_t pad_pin_len;
  char *label; /* NULL = faults apply to every slot */
  bool verbose;
};

void nf_config_defaults(struct nf_config *cfg);
/* Frees what the config owns (the pad PIN is wiped) and resets it to the defaults. */
void nf_config_free(struct nf_config *cfg);
/* Parses `text` (key=value lines) into `cfg` (which must hold the defaults). */
void nf_config_parse(const char *text, size_t length, struct nf_config *cfg);
/* Parses a CKR name (CKR_DEVICE_ERROR), hex (0x30) or decimal value. */
bool nf_parse_rv(const char *text, CK_RV *out);
/* The CKR name of a value, or NULL when unknown. */
const char *nf_rv_name(CK_RV rv);

/* Reads a whole small file (≤ 1 MiB). Returns a NUL-terminated malloc'd buffer or NULL. */
char *nf_read_file(const char *path, size_t *length);

/* ---- PIN retry state (pin-state.c) ---- */

struct nf_tries {
  char serial[40];
  long left;
};

/* The persistent PIN state: kept in `<control>.state`, written atomically. */
struct nf_pin_state {
  long pin_tries;        /* the maximum the counters below belong to */
  char unlock_mark[128]; /* the control-file version whose unlock=1 was applied */
  struct nf_tries *tries;
  size_t count;
};

/* Runs `work` with the state file locked (flock) and loaded; saves it when work returns true. */
void nf_pin_state_update(const char *state_path, bool (*work)(struct nf_pin_state *, void *),
                         void *arg);
/* Tries left for `serial` (max when unknown or when the state belongs to another max). */
long nf_pin_tries_left(const char *state_path, long max, const char *serial);
/* Tries left for `serial` in a loaded state (max when unknown or for another max). */
long nf_pin_get(const struct nf_pin_state *state, const char *serial, long max);
/* Sets (left >= 0) or forgets (left < 0) the counter of `serial`. */
void nf_pin_set(struct nf_pin_state *state, const char *serial, long left);

/* ---- core (core.c) ---- */

/* One call in progress, between nf_begin_* and nf_end. */
struct nf_call {
  int fn;
  /* True when the faults of the control file apply to this call (label filter). */
  bool faulted;
  bool has_slot;
  CK_SLOT_ID slot;
  CK_SESSION_HANDLE ours; /* the handle the application holds */
  CK_SESSION_HANDLE th;   /* the target's handle */
};

/* The target module's function list (valid between nf_begin_* and nf_end). */
extern CK_FUNCTION_LIST_PTR nf_target;

CK_RV nf_initialize(void *init_args);
CK_RV nf_finalize(void *reserved);
/* A call concerning no slot. */
CK_RV nf_begin(struct nf_call *call, int fn);
/* A call about `slot`; `need_token`: answer CKR_TOKEN_NOT_PRESENT when it is removed. */
CK_RV nf_begin_slot(struct nf_call *call, int fn, CK_SLOT_ID slot, bool need_token);
/* A call on a session: maps the handle, answers DEVICE_REMOVED / SESSION_HANDLE_INVALID. */
CK_RV nf_begin_session(struct nf_call *call, int fn, CK_SESSION_HANDLE session);
/* Crash, latency and injected failure for the call; CKR_OK to go on and forward. */
CK_RV nf_faults(struct nf_call *call);
/* Ends the call and returns `rv`. Must follow every successful nf_begin_*. */
CK_RV nf_end(struct nf_call *call, CK_RV rv);

/* Session table. */
CK_RV nf_session_add(CK_SESSION_HANDLE th, CK_SLOT_ID slot, CK_SESSION_HANDLE *ours);
void nf_session_remove(CK_SESSION_HANDLE ours);
void nf_sessions_remove_slot(CK_SLOT_ID slot);

/* Slots. */
bool nf_slot_present(CK_SLOT_ID slot);
void nf_forget_slot(CK_SLOT_ID slot);
CK_RV nf_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot, void *reserved);

/* What the control file says about the token in a slot, copied out under the lock. */
struct nf_token_view {
  bool faulted;       /* the faults apply to this token (label filter) */
  long pin_tries;     /* 0: the retry counter is not managed for it */
  char serial[17];    /* the token's serial, the counter's key */
  char *state_path;   /* owned; NULL when pin_tries is 0 */
  bool pad;           /* protected_auth_path=1 */
  char *pad_pin;      /* owned, wiped when freed; NULL when the pad gives none */
  size_t pad_pin_len;
};

/* Fills `view` for `slot`; `fresh`: token info just read from the target (cached first). */
void nf_token_view(CK_SLOT_ID slot, const CK_TOKEN_INFO *fresh, struct nf_token_view *view);
void nf_token_view_free(struct nf_token_view *view);

/* ---- PIN hooks (pin-state.c) ---- */

/* Adds the simulated PIN flags and the pad flag to token info read from the target. */
void nf_adjust_token_info(const struct nf_call *call, CK_TOKEN_INFO *info);
CK_RV nf_login(struct nf_call *call, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len);
CK_RV nf_set_pin(struct nf_call *call, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
                 CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len);
/* After C_InitPIN or C_InitToken: the counter of the call's token back to the maximum. */
void nf_pin_reset_slot(const struct nf_call *call);

/* Logs to stderr when the control file says verbose=1. Never pass a PIN. */
void nf_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
