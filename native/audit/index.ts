/**
 * The audit trail of the vault: an append-only, hash-chained log of what clerks did,
 * with checkpoints signed by the token at each logout, and a verifier that says which
 * entry was edited, inserted or deleted. The vault's first migration creates the `audit`
 * and `audit_checkpoint` tables; this module only reads and appends.
 */
export {
  appendAudit,
  type AppendAuditOptions,
  type AppendedAuditEntry,
  type AuditDatabase,
  type AuditEntryInput,
} from './audit-log.ts';
export {
  checkpointAudit,
  type AuditCheckpoint,
  type CheckpointAuditOptions,
} from './audit-checkpoint.ts';
export { verifyAudit, type VerifyAuditOptions } from './audit-verify.ts';
export {
  auditProblemCodes,
  MAX_REPORTED_PROBLEMS,
  type AuditProblem,
  type AuditProblemCode,
  type AuditReport,
} from './audit-report.ts';
export { auditProblemMessages, auditSummaryMessages } from './audit-messages.ts';
export { describeAuditProblem, describeAuditReport, type AuditLanguage } from './audit-text.ts';
