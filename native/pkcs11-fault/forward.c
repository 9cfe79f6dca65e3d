/*
 * The function list: one forwarding function per PKCS#11 call. Each goes through the
 * call machinery of core.c (session handles mapped, removal answered, faults applied)
 * and then calls the target. C_GetFunctionList is the only symbol the library exports.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "fault.h"

/* Operations an injected failure ends (a real token ends the operation on an error). */
enum {
  OP_ENCRYPT = 1,
  OP_DECRYPT = 2,
  OP_DIGEST = 4,
  OP_SIGN = 8,
  OP_VERIFY = 16,
  OP_SIGN_RECOVER = 32,
  OP_VERIFY_RECOVER = 64,
  OP_FIND = 128,
};

static CK_BYTE zeros[32];

/* Ends an operation that produces output: its Final, then its single-part call (the one
 * that applies ends it; the other answers OPERATION_NOT_INITIALIZED and changes nothing). */
static void end_output_op(CK_SESSION_HANDLE th, CK_C_SignFinal final, CK_C_Sign single) {
  CK_ULONG cap = 65536;
  CK_BYTE *out = malloc(cap);
  if (!out) return;
  CK_ULONG len = cap;
  if (final) final(th, out, &len);
  len = cap;
  if (single) single(th, zeros, sizeof zeros, out, &len);
  explicit_bzero(out, cap);
  free(out);
}

static void end_ops(CK_SESSION_HANDLE th, unsigned ops) {
  CK_FUNCTION_LIST_PTR t = nf_target;
  if (ops & OP_ENCRYPT) end_output_op(th, t->C_EncryptFinal, t->C_Encrypt);
  if (ops & OP_DECRYPT) end_output_op(th, t->C_DecryptFinal, t->C_Decrypt);
  if (ops & OP_DIGEST) end_output_op(th, t->C_DigestFinal, t->C_Digest);
  if (ops & OP_SIGN) end_output_op(th, t->C_SignFinal, t->C_Sign);
  if (ops & OP_SIGN_RECOVER) end_output_op(th, NULL, t->C_SignRecover);
  if (ops & OP_VERIFY_RECOVER) end_output_op(th, NULL, t->C_VerifyRecover);
  if (ops & OP_VERIFY) {
    t->C_VerifyFinal(th, zeros, 1);
    t->C_Verify(th, zeros, sizeof zeros, zeros, 1);
  }
  if (ops & OP_FIND) t->C_FindObjectsFinal(th);
}

/* A call on a session; ARGS use c.th, the target's handle. */
#define SESSION_CALL(name, ARGS)                                   \
  struct nf_call c;                                                \
  CK_RV rv = nf_begin_session(&c, FN_##name, hSession);            \
  if (rv != CKR_OK) return rv;                                     \
  rv = nf_faults(&c);                                              \
  if (rv == CKR_OK) rv = nf_target->name ARGS;                     \
  return nf_end(&c, rv)

/* A call within an operation: an injected failure ends the operation(s) OPS. */
#define OP_CALL(name, OPS, ARGS)                                   \
  struct nf_call c;                                                \
  CK_RV rv = nf_begin_session(&c, FN_##name, hSession);            \
  if (rv != CKR_OK) return rv;                                     \
  rv = nf_faults(&c);                                              \
  if (rv == CKR_OK)                                                \
    rv = nf_target->name ARGS;                                     \
  else                                                             \
    end_ops(c.th, OPS);                                            \
  return nf_end(&c, rv)

/* A call about a slot; NEED_TOKEN: answer TOKEN_NOT_PRESENT while it is removed. */
#define SLOT_CALL(name, NEED_TOKEN, ARGS)                          \
  struct nf_call c;                                                \
  CK_RV rv = nf_begin_slot(&c, FN_##name, slotID, NEED_TOKEN);     \
  if (rv != CKR_OK) return rv;                                     \
  rv = nf_faults(&c);                                              \
  if (rv == CKR_OK) rv = nf_target->name ARGS;                     \
  return nf_end(&c, rv)

static CK_RV fw_Initialize(CK_VOID_PTR pInitArgs) {
  return nf_initialize(pInitArgs);
}

static CK_RV fw_Finalize(CK_VOID_PTR pReserved) {
  return nf_finalize(pReserved);
}

static CK_RV fw_GetInfo(CK_INFO_PTR pInfo) {
  struct nf_call c;
  CK_RV rv = nf_begin(&c, FN_C_GetInfo);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_GetInfo(pInfo);
  return nf_end(&c, rv);
}

static CK_FUNCTION_LIST function_list;

static CK_RV fw_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList) {
  if (!ppFunctionList) return CKR_ARGUMENTS_BAD;
  *ppFunctionList = &function_list;
  return CKR_OK;
}

/* With tokenPresent, the slots whose token is removed are left out. */
static CK_RV fw_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
                            CK_ULONG_PTR pulCount) {
  if (!pulCount) return CKR_ARGUMENTS_BAD;
  struct nf_call c;
  CK_RV rv = nf_begin(&c, FN_C_GetSlotList);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv != CKR_OK) return nf_end(&c, rv);
  if (!tokenPresent) return nf_end(&c, nf_target->C_GetSlotList(CK_FALSE, pSlotList, pulCount));
  CK_SLOT_ID *all = NULL;
  CK_ULONG n = 0;
  for (int attempt = 0; attempt < 4; attempt++) {
    free(all);
    all = NULL;
    rv = nf_target->C_GetSlotList(CK_TRUE, NULL, &n);
    if (rv != CKR_OK) break;
    all = calloc(n + 1, sizeof *all);
    if (!all) {
      rv = CKR_HOST_MEMORY;
      break;
    }
    rv = nf_target->C_GetSlotList(CK_TRUE, all, &n);
    if (rv != CKR_BUFFER_TOO_SMALL) break;
  }
  if (rv == CKR_OK) {
    CK_ULONG kept = 0;
    for (CK_ULONG i = 0; i < n; i++)
      if (nf_slot_present(all[i])) all[kept++] = all[i];
    if (pSlotList && *pulCount < kept) {
      rv = CKR_BUFFER_TOO_SMALL;
    } else if (pSlotList) {
      memcpy(pSlotList, all, kept * sizeof *all);
    }
    *pulCount = kept;
  }
  free(all);
  return nf_end(&c, rv);
}

static CK_RV fw_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo) {
  struct nf_call c;
  CK_RV rv = nf_begin_slot(&c, FN_C_GetSlotInfo, slotID, false);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_GetSlotInfo(slotID, pInfo);
  if (rv == CKR_OK && pInfo && !nf_slot_present(slotID)) pInfo->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
  return nf_end(&c, rv);
}

static CK_RV fw_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo) {
  struct nf_call c;
  CK_RV rv = nf_begin_slot(&c, FN_C_GetTokenInfo, slotID, true);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_GetTokenInfo(slotID, pInfo);
  if (rv == CKR_OK && pInfo) nf_adjust_token_info(&c, pInfo);
  return nf_end(&c, rv);
}

static CK_RV fw_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
                                 CK_ULONG_PTR pulCount) {
  SLOT_CALL(C_GetMechanismList, true, (slotID, pMechanismList, pulCount));
}

static CK_RV fw_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,
                                 CK_MECHANISM_INFO_PTR pInfo) {
  SLOT_CALL(C_GetMechanismInfo, true, (slotID, type, pInfo));
}

static CK_RV fw_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
                          CK_UTF8CHAR_PTR pLabel) {
  struct nf_call c;
  CK_RV rv = nf_begin_slot(&c, FN_C_InitToken, slotID, true);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_InitToken(slotID, pPin, ulPinLen, pLabel);
  if (rv == CKR_OK) {
    nf_pin_reset_slot(&c);
    nf_forget_slot(slotID);
  }
  return nf_end(&c, rv);
}

static CK_RV fw_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen) {
  struct nf_call c;
  CK_RV rv = nf_begin_session(&c, FN_C_InitPIN, hSession);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_InitPIN(c.th, pPin, ulPinLen);
  if (rv == CKR_OK) nf_pin_reset_slot(&c);
  return nf_end(&c, rv);
}

static CK_RV fw_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
                       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen) {
  struct nf_call c;
  CK_RV rv = nf_begin_session(&c, FN_C_SetPIN, hSession);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_set_pin(&c, pOldPin, ulOldLen, pNewPin, ulNewLen);
  return nf_end(&c, rv);
}

static CK_RV fw_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
                            CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession) {
  if (!phSession) return CKR_ARGUMENTS_BAD;
  struct nf_call c;
  CK_RV rv = nf_begin_slot(&c, FN_C_OpenSession, slotID, true);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  CK_SESSION_HANDLE th = CK_INVALID_HANDLE;
  if (rv == CKR_OK) rv = nf_target->C_OpenSession(slotID, flags, pApplication, Notify, &th);
  if (rv == CKR_OK) {
    rv = nf_session_add(th, slotID, phSession);
    if (rv != CKR_OK) nf_target->C_CloseSession(th);
  }
  return nf_end(&c, rv);
}

static CK_RV fw_CloseSession(CK_SESSION_HANDLE hSession) {
  struct nf_call c;
  CK_RV rv = nf_begin_session(&c, FN_C_CloseSession, hSession);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_CloseSession(c.th);
  if (rv == CKR_OK || rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED)
    nf_session_remove(hSession);
  return nf_end(&c, rv);
}

static CK_RV fw_CloseAllSessions(CK_SLOT_ID slotID) {
  struct nf_call c;
  CK_RV rv = nf_begin_slot(&c, FN_C_CloseAllSessions, slotID, false);
  if (rv != CKR_OK) return rv;
  if (!nf_slot_present(slotID)) {
    nf_sessions_remove_slot(slotID);
    return nf_end(&c, CKR_TOKEN_NOT_PRESENT);
  }
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_target->C_CloseAllSessions(slotID);
  if (rv == CKR_OK) nf_sessions_remove_slot(slotID);
  return nf_end(&c, rv);
}

static CK_RV fw_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo) {
  SESSION_CALL(C_GetSessionInfo, (c.th, pInfo));
}

static CK_RV fw_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                                  CK_ULONG_PTR pulOperationStateLen) {
  SESSION_CALL(C_GetOperationState, (c.th, pOperationState, pulOperationStateLen));
}

static CK_RV fw_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                                  CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
                                  CK_OBJECT_HANDLE hAuthenticationKey) {
  SESSION_CALL(C_SetOperationState, (c.th, pOperationState, ulOperationStateLen, hEncryptionKey,
                                     hAuthenticationKey));
}

static CK_RV fw_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
                      CK_ULONG ulPinLen) {
  struct nf_call c;
  CK_RV rv = nf_begin_session(&c, FN_C_Login, hSession);
  if (rv != CKR_OK) return rv;
  rv = nf_faults(&c);
  if (rv == CKR_OK) rv = nf_login(&c, userType, pPin, ulPinLen);
  return nf_end(&c, rv);
}

static CK_RV fw_Logout(CK_SESSION_HANDLE hSession) {
  SESSION_CALL(C_Logout, (c.th));
}

static CK_RV fw_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
                             CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject) {
  SESSION_CALL(C_CreateObject, (c.th, pTemplate, ulCount, phObject));
}

static CK_RV fw_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                           CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                           CK_OBJECT_HANDLE_PTR phNewObject) {
  SESSION_CALL(C_CopyObject, (c.th, hObject, pTemplate, ulCount, phNewObject));
}

static CK_RV fw_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject) {
  SESSION_CALL(C_DestroyObject, (c.th, hObject));
}

static CK_RV fw_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                              CK_ULONG_PTR pulSize) {
  SESSION_CALL(C_GetObjectSize, (c.th, hObject, pulSize));
}

static CK_RV fw_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                                  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  SESSION_CALL(C_GetAttributeValue, (c.th, hObject, pTemplate, ulCount));
}

static CK_RV fw_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                                  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount) {
  SESSION_CALL(C_SetAttributeValue, (c.th, hObject, pTemplate, ulCount));
}

static CK_RV fw_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
                                CK_ULONG ulCount) {
  SESSION_CALL(C_FindObjectsInit, (c.th, pTemplate, ulCount));
}

static CK_RV fw_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
                            CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount) {
  SESSION_CALL(C_FindObjects, (c.th, phObject, ulMaxObjectCount, pulObjectCount));
}

static CK_RV fw_FindObjectsFinal(CK_SESSION_HANDLE hSession) {
  OP_CALL(C_FindObjectsFinal, OP_FIND, (c.th));
}

static CK_RV fw_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                            CK_OBJECT_HANDLE hKey) {
  SESSION_CALL(C_EncryptInit, (c.th, pMechanism, hKey));
}

static CK_RV fw_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                        CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen) {
  OP_CALL(C_Encrypt, OP_ENCRYPT, (c.th, pData, ulDataLen, pEncryptedData, pulEncryptedDataLen));
}

static CK_RV fw_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                              CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen) {
  OP_CALL(C_EncryptUpdate, OP_ENCRYPT,
          (c.th, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen));
}

static CK_RV fw_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
                             CK_ULONG_PTR pulLastEncryptedPartLen) {
  OP_CALL(C_EncryptFinal, OP_ENCRYPT, (c.th, pLastEncryptedPart, pulLastEncryptedPartLen));
}

static CK_RV fw_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                            CK_OBJECT_HANDLE hKey) {
  SESSION_CALL(C_DecryptInit, (c.th, pMechanism, hKey));
}

static CK_RV fw_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
                        CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen) {
  OP_CALL(C_Decrypt, OP_DECRYPT, (c.th, pEncryptedData, ulEncryptedDataLen, pData, pulDataLen));
}

static CK_RV fw_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                              CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
                              CK_ULONG_PTR pulPartLen) {
  OP_CALL(C_DecryptUpdate, OP_DECRYPT,
          (c.th, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen));
}

static CK_RV fw_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
                             CK_ULONG_PTR pulLastPartLen) {
  OP_CALL(C_DecryptFinal, OP_DECRYPT, (c.th, pLastPart, pulLastPartLen));
}

static CK_RV fw_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism) {
  SESSION_CALL(C_DigestInit, (c.th, pMechanism));
}

static CK_RV fw_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                       CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen) {
  OP_CALL(C_Digest, OP_DIGEST, (c.th, pData, ulDataLen, pDigest, pulDigestLen));
}

static CK_RV fw_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen) {
  OP_CALL(C_DigestUpdate, OP_DIGEST, (c.th, pPart, ulPartLen));
}

static CK_RV fw_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey) {
  OP_CALL(C_DigestKey, OP_DIGEST, (c.th, hKey));
}

static CK_RV fw_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
                            CK_ULONG_PTR pulDigestLen) {
  OP_CALL(C_DigestFinal, OP_DIGEST, (c.th, pDigest, pulDigestLen));
}

static CK_RV fw_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                         CK_OBJECT_HANDLE hKey) {
  SESSION_CALL(C_SignInit, (c.th, pMechanism, hKey));
}

static CK_RV fw_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                     CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen) {
  OP_CALL(C_Sign, OP_SIGN, (c.th, pData, ulDataLen, pSignature, pulSignatureLen));
}

static CK_RV fw_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen) {
  OP_CALL(C_SignUpdate, OP_SIGN, (c.th, pPart, ulPartLen));
}

static CK_RV fw_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
                          CK_ULONG_PTR pulSignatureLen) {
  OP_CALL(C_SignFinal, OP_SIGN, (c.th, pSignature, pulSignatureLen));
}

static CK_RV fw_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                                CK_OBJECT_HANDLE hKey) {
  SESSION_CALL(C_SignRecoverInit, (c.th, pMechanism, hKey));
}

static CK_RV fw_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                            CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen) {
  OP_CALL(C_SignRecover, OP_SIGN_RECOVER, (c.th, pData, ulDataLen, pSignature, pulSignatureLen));
}

static CK_RV fw_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                           CK_OBJECT_HANDLE hKey) {
  SESSION_CALL(C_VerifyInit, (c.th, pMechanism, hKey));
}

static CK_RV fw_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                       CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen) {
  OP_CALL(C_Verify, OP_VERIFY, (c.th, pData, ulDataLen, pSignature, ulSignatureLen));
}

static CK_RV fw_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen) {
  OP_CALL(C_VerifyUpdate, OP_VERIFY, (c.th, pPart, ulPartLen));
}

static CK_RV fw_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
                            CK_ULONG ulSignatureLen) {
  OP_CALL(C_VerifyFinal, OP_VERIFY, (c.th, pSignature, ulSignatureLen));
}

static CK_RV fw_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                                  CK_OBJECT_HANDLE hKey) {
  SESSION_CALL(C_VerifyRecoverInit, (c.th, pMechanism, hKey));
}

static CK_RV fw_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
                              CK_ULONG ulSignatureLen, CK_BYTE_PTR pData,
                              CK_ULONG_PTR pulDataLen) {
  OP_CALL(C_VerifyRecover, OP_VERIFY_RECOVER,
          (c.th, pSignature, ulSignatureLen, pData, pulDataLen));
}

static CK_RV fw_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
                                    CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
                                    CK_ULONG_PTR pulEncryptedPartLen) {
  OP_CALL(C_DigestEncryptUpdate, OP_DIGEST | OP_ENCRYPT,
          (c.th, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen));
}

static CK_RV fw_DecryptDigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                                    CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
                                    CK_ULONG_PTR pulPartLen) {
  OP_CALL(C_DecryptDigestUpdate, OP_DECRYPT | OP_DIGEST,
          (c.th, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen));
}

static CK_RV fw_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
                                  CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
                                  CK_ULONG_PTR pulEncryptedPartLen) {
  OP_CALL(C_SignEncryptUpdate, OP_SIGN | OP_ENCRYPT,
          (c.th, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen));
}

static CK_RV fw_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                                    CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
                                    CK_ULONG_PTR pulPartLen) {
  OP_CALL(C_DecryptVerifyUpdate, OP_DECRYPT | OP_VERIFY,
          (c.th, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen));
}

static CK_RV fw_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                            CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                            CK_OBJECT_HANDLE_PTR phKey) {
  SESSION_CALL(C_GenerateKey, (c.th, pMechanism, pTemplate, ulCount, phKey));
}

static CK_RV fw_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                                CK_ATTRIBUTE_PTR pPublicKeyTemplate,
                                CK_ULONG ulPublicKeyAttributeCount,
                                CK_ATTRIBUTE_PTR pPrivateKeyTemplate,
                                CK_ULONG ulPrivateKeyAttributeCount,
                                CK_OBJECT_HANDLE_PTR phPublicKey,
                                CK_OBJECT_HANDLE_PTR phPrivateKey) {
  SESSION_CALL(C_GenerateKeyPair,
               (c.th, pMechanism, pPublicKeyTemplate, ulPublicKeyAttributeCount,
                pPrivateKeyTemplate, ulPrivateKeyAttributeCount, phPublicKey, phPrivateKey));
}

static CK_RV fw_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                        CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
                        CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen) {
  SESSION_CALL(C_WrapKey, (c.th, pMechanism, hWrappingKey, hKey, pWrappedKey, pulWrappedKeyLen));
}

static CK_RV fw_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                          CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
                          CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
                          CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey) {
  SESSION_CALL(C_UnwrapKey, (c.th, pMechanism, hUnwrappingKey, pWrappedKey, ulWrappedKeyLen,
                             pTemplate, ulAttributeCount, phKey));
}

static CK_RV fw_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                          CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
                          CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey) {
  SESSION_CALL(C_DeriveKey, (c.th, pMechanism, hBaseKey, pTemplate, ulAttributeCount, phKey));
}

static CK_RV fw_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen) {
  SESSION_CALL(C_SeedRandom, (c.th, pSeed, ulSeedLen));
}

static CK_RV fw_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData,
                               CK_ULONG ulRandomLen) {
  SESSION_CALL(C_GenerateRandom, (c.th, RandomData, ulRandomLen));
}

static CK_RV fw_GetFunctionStatus(CK_SESSION_HANDLE hSession) {
  SESSION_CALL(C_GetFunctionStatus, (c.th));
}

static CK_RV fw_CancelFunction(CK_SESSION_HANDLE hSession) {
  SESSION_CALL(C_CancelFunction, (c.th));
}

/* Slot events come from the control file (`present`); the target's are not consulted. */
static CK_RV fw_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved) {
  return nf_wait_for_slot_event(flags, pSlot, pReserved);
}

static CK_FUNCTION_LIST function_list = {
    .version = {2, 40},
    .C_Initialize = fw_Initialize,
    .C_Finalize = fw_Finalize,
    .C_GetInfo = fw_GetInfo,
    .C_GetFunctionList = fw_GetFunctionList,
    .C_GetSlotList = fw_GetSlotList,
    .C_GetSlotInfo = fw_GetSlotInfo,
    .C_GetTokenInfo = fw_GetTokenInfo,
    .C_GetMechanismList = fw_GetMechanismList,
    .C_GetMechanismInfo = fw_GetMechanismInfo,
    .C_InitToken = fw_InitToken,
    .C_InitPIN = fw_InitPIN,
    .C_SetPIN = fw_SetPIN,
    .C_OpenSession = fw_OpenSession,
    .C_CloseSession = fw_CloseSession,
    .C_CloseAllSessions = fw_CloseAllSessions,
    .C_GetSessionInfo = fw_GetSessionInfo,
    .C_GetOperationState = fw_GetOperationState,
    .C_SetOperationState = fw_SetOperationState,
    .C_Login = fw_Login,
    .C_Logout = fw_Logout,
    .C_CreateObject = fw_CreateObject,
    .C_CopyObject = fw_CopyObject,
    .C_DestroyObject = fw_DestroyObject,
    .C_GetObjectSize = fw_GetObjectSize,
    .C_GetAttributeValue = fw_GetAttributeValue,
    .C_SetAttributeValue = fw_SetAttributeValue,
    .C_FindObjectsInit = fw_FindObjectsInit,
    .C_FindObjects = fw_FindObjects,
    .C_FindObjectsFinal = fw_FindObjectsFinal,
    .C_EncryptInit = fw_EncryptInit,
    .C_Encrypt = fw_Encrypt,
    .C_EncryptUpdate = fw_EncryptUpdate,
    .C_EncryptFinal = fw_EncryptFinal,
    .C_DecryptInit = fw_DecryptInit,
    .C_Decrypt = fw_Decrypt,
    .C_DecryptUpdate = fw_DecryptUpdate,
    .C_DecryptFinal = fw_DecryptFinal,
    .C_DigestInit = fw_DigestInit,
    .C_Digest = fw_Digest,
    .C_DigestUpdate = fw_DigestUpdate,
    .C_DigestKey = fw_DigestKey,
    .C_DigestFinal = fw_DigestFinal,
    .C_SignInit = fw_SignInit,
    .C_Sign = fw_Sign,
    .C_SignUpdate = fw_SignUpdate,
    .C_SignFinal = fw_SignFinal,
    .C_SignRecoverInit = fw_SignRecoverInit,
    .C_SignRecover = fw_SignRecover,
    .C_VerifyInit = fw_VerifyInit,
    .C_Verify = fw_Verify,
    .C_VerifyUpdate = fw_VerifyUpdate,
    .C_VerifyFinal = fw_VerifyFinal,
    .C_VerifyRecoverInit = fw_VerifyRecoverInit,
    .C_VerifyRecover = fw_VerifyRecover,
    .C_DigestEncryptUpdate = fw_DigestEncryptUpdate,
    .C_DecryptDigestUpdate = fw_DecryptDigestUpdate,
    .C_SignEncryptUpdate = fw_SignEncryptUpdate,
    .C_DecryptVerifyUpdate = fw_DecryptVerifyUpdate,
    .C_GenerateKey = fw_GenerateKey,
    .C_GenerateKeyPair = fw_GenerateKeyPair,
    .C_WrapKey = fw_WrapKey,
    .C_UnwrapKey = fw_UnwrapKey,
    .C_DeriveKey = fw_DeriveKey,
    .C_SeedRandom = fw_SeedRandom,
    .C_GenerateRandom = fw_GenerateRandom,
    .C_GetFunctionStatus = fw_GetFunctionStatus,
    .C_CancelFunction = fw_CancelFunction,
    .C_WaitForSlotEvent = fw_WaitForSlotEvent,
};

/* The module's only export. */
__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList) {
  return fw_GetFunctionList(ppFunctionList);
}
