/**
 * What stands between a draft and its seal, found before any call: no recipient, no
 * document, a recipient missing from the cached directory, one not cleared for the
 * draft's level, or one with no valid certificate. The native side applies the same
 * policy (and refuses with the same reasons); this lets the editor say so next to the
 * recipient, and the picker disable what cannot be chosen. Pure functions, tested in Node.
 */
import type { Level } from '../../../native/api/drafts-contract.ts';
import type { DirectoryAgency } from '../../../native/api/exchange-contract.ts';

/** Ranks of the levels (rising harm): compare a clearance with a level. */
export const levelRank: Readonly<Record<Level, number>> = {
  thuong: 0,
  mat: 1,
  'toi-mat': 2,
  'tuyet-mat': 3,
};

/** Why an agency cannot receive a draft of some level. */
export type RecipientProblem = 'not-in-directory' | 'clearance' | 'no-certificate';

/** Why `agency` cannot receive `level` (undefined: it can). Unknown level: only the certificate. */
export function agencyProblem(
  agency: DirectoryAgency,
  level: Level | '',
): Exclude<RecipientProblem, 'not-in-directory'> | undefined {
  if (level !== '' && levelRank[agency.clearance] < levelRank[level]) return 'clearance';
  if (!agency.sealable) return 'no-certificate';
  return undefined;
}

export type SealBlocker =
  | { kind: 'no-recipients' }
  | { kind: 'no-documents' }
  | { kind: 'recipient'; organId: string; problem: RecipientProblem; agency?: DirectoryAgency };

/** Everything that blocks sealing; empty when the seal may be asked for. */
export function sealBlockers(
  recipients: readonly string[],
  level: Level | '',
  documentCount: number,
  agencies: readonly DirectoryAgency[],
): SealBlocker[] {
  const out: SealBlocker[] = [];
  if (recipients.length === 0) out.push({ kind: 'no-recipients' });
  if (documentCount === 0) out.push({ kind: 'no-documents' });
  const byId = new Map(agencies.map((a) => [a.organId, a]));
  for (const organId of recipients) {
    const agency = byId.get(organId);
    if (agency === undefined) {
      out.push({ kind: 'recipient', organId, problem: 'not-in-directory' });
      continue;
    }
    const problem = agencyProblem(agency, level);
    if (problem !== undefined) out.push({ kind: 'recipient', organId, problem, agency });
  }
  return out;
}
