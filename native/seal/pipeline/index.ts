/**
 * The package pipeline: files → manifest → tar body → SignedData → AuthEnvelopedData on
 * seal, and the reverse with commit-after-verify on open; inspect without a key; the
 * token adapters. Used by the CLI now and by the native process later.
 */
export {
  buildManifest,
  sealPackage,
  sealPackageStream,
  sealRecipients,
  signPackage,
  type PackageStream,
  type DocumentSource,
  type SignPackageOptions,
  type SignedBody,
  type PackageMetadata,
  type PackageRecipient,
  type SealPackageOptions,
  type SealedPackage,
} from './seal-package.ts';
export {
  PackageRefused,
  openPackage,
  type OpenPackageOptions,
  type OpenSink,
  type OpenedDocument,
  type PackageLevels,
  type PackageReport,
} from './open-package.ts';
export {
  sealSignedPackage,
  type CosignedPackage,
  type SealSignedPackageOptions,
} from './cosign-package.ts';
export { inspectPackage, type InspectedPackage } from './inspect-package.ts';
export {
  tokenRecipientKeys,
  tokenSenderRecipient,
  tokenSigner,
  type TokenOperations,
} from './token-adapters.ts';
export {
  removePartialsNow,
  sweepStalePartialDirs,
  sweepStalePartialFile,
} from './partial-files.ts';
