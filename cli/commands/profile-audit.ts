/**
 * `niem audit verify [--json]`: checks the vault's audit trail (hash chain and the
 * checkpoints signed at each logout, trusting only the signing certificates of the tokens
 * this vault has known) and says which entry (seq) and what happened, in vi/en. Exit 0
 * when intact, 1 when there are problems; a broken trail is not re-signed at this logout.
 */
import { describeAuditReport, verifyAudit, type AuditReport } from '../../native/audit/index.ts';
import { identityCertificates } from '../../native/vault/index.ts';
import { CommandFailure } from '../token-prompt.ts';
import { langsOf, withVault, type ProfileOptions } from './profile-session.ts';

/** `niem audit verify`. */
export async function auditVerifyCommand(options: ProfileOptions): Promise<string> {
  let report: AuditReport | undefined;
  const text = (r: AuditReport): string =>
    langsOf(options.lang)
      .map((l) => describeAuditReport(r, l).join('\n'))
      .join('\n\n');
  return withVault(
    options,
    async (vault) => {
      report = verifyAudit(vault.database, { trustedCertificates: identityCertificates(vault) });
      if (report.ok) return options.json ? JSON.stringify({ report }, null, 2) : text(report);
      if (options.json) process.stdout.write(`${JSON.stringify({ report }, null, 2)}\n`);
      throw new CommandFailure(text(report), 1, {
        kind: 'audit-broken',
        message: report.problems.map((p) => `${p.problem} at seq ${p.seq}`).join('; '),
      });
    },
    { checkpoint: () => report?.ok === true },
  );
}
