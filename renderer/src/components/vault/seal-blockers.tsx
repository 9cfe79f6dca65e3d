/**
 * Why the draft cannot be sealed as it is, found before any call: no recipient, no
 * document, or recipients the directory does not know, does not clear for the level, or
 * holds no valid certificate for. Each line says what to do.
 */
import type { Level } from '../../../../native/api/drafts-contract.ts';
import type { Translate } from '../../i18n/translate.ts';
import type { SealBlocker } from '../../store/seal-check.ts';
import { levelKey } from './level-badge.tsx';

function line(blocker: SealBlocker, level: Level | '', t: Translate): string {
  if (blocker.kind === 'no-recipients') return t('seal.noRecipients');
  if (blocker.kind === 'no-documents') return t('seal.noDocuments');
  const agency =
    blocker.agency === undefined ? blocker.organId : `${blocker.agency.name} (${blocker.organId})`;
  if (blocker.problem === 'not-in-directory') {
    return t('seal.notInDirectory', { agency });
  }
  if (blocker.problem === 'no-certificate') return t('seal.noCertificate', { agency });
  return t('seal.notCleared', {
    agency,
    level: level === '' ? '' : t(levelKey(level)),
    clearance: blocker.agency === undefined ? '' : t(levelKey(blocker.agency.clearance)),
  });
}

export function SealBlockers({
  t,
  blockers,
  level,
}: {
  t: Translate;
  blockers: readonly SealBlocker[];
  level: Level | '';
}) {
  if (blockers.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert" data-testid="seal-blockers">
      <p>{t('seal.blocked')}</p>
      <ul>
        {blockers.map((b, i) => (
          <li key={i} data-testid="seal-blocker" data-kind={b.kind}>
            {line(b, level, t)}
          </li>
        ))}
      </ul>
    </div>
  );
}
