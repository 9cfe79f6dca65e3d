/**
 * SignedData of the Niêm package (RFC 5652 §5 with RFC 5035 and RFC 2634 attributes):
 * a streaming signer and a streaming verifier whose content digests run in a worker
 * thread. docs/package-format.md section 6 is the specification.
 */
export {
  signContent,
  softwareSigner,
  defaultSignAlgorithm,
  type SignCallback,
  type SignerSpec,
  type SignContentOptions,
} from './sign.ts';
export {
  assertVerified,
  verifySignature,
  verifySignedData,
  type SignedDataParts,
  type SignerReport,
  type VerificationReport,
  type Verdict,
  type VerifyOptions,
} from './verify.ts';
export type { ChainProblem, ChainResult } from './chain.ts';
export { ContentDigester, SYNC_THRESHOLD, type DigestMode } from './digester.ts';
export type { DigestName } from './algorithms.ts';
export { parseCertificate, type ParsedCertificate } from './certificate.ts';
export { MAX_CERTIFICATES, MAX_SIGNERS } from './limits.ts';
export { MAX_SIGNED_ATTRS_BYTES } from './attributes.ts';
