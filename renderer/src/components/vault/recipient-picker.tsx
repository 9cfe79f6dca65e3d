/**
 * Recipients from the agency directory cached in the vault: one checkbox per agency with
 * its name, OrganId and the highest level it may receive. An agency not cleared for the
 * draft's level (or without a valid certificate) cannot be chosen, and says why; one
 * already chosen stays so it can be taken off, marked with the same reason. Codes typed
 * that the directory does not know are listed too: nothing can be sealed for them.
 */
import { useId } from 'react';
import type { Level } from '../../../../native/api/drafts-contract.ts';
import type { DirectoryAgency } from '../../../../native/api/exchange-contract.ts';
import type { Translate } from '../../i18n/translate.ts';
import { agencyProblem } from '../../store/seal-check.ts';
import { selectDirectory } from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { levelKey } from './level-badge.tsx';

function reason(agency: DirectoryAgency, level: Level | '', t: Translate): string | null {
  const problem = agencyProblem(agency, level);
  if (problem === undefined || level === '') {
    return problem === 'no-certificate' ? t('recipients.noCertificate') : null;
  }
  if (problem === 'no-certificate') return t('recipients.noCertificate');
  return t('recipients.notCleared', {
    level: t(levelKey(level)),
    clearance: t(levelKey(agency.clearance)),
  });
}

function AgencyOption({
  agency,
  checked,
  level,
  t,
  onToggle,
}: {
  agency: DirectoryAgency;
  checked: boolean;
  level: Level | '';
  t: Translate;
  onToggle: (organId: string, on: boolean) => void;
}) {
  const reasonId = useId();
  const why = reason(agency, level, t);
  const disabled = why !== null && !checked;
  return (
    <li
      className="recipient-option"
      data-testid="recipient-option"
      data-organ-id={agency.organId}
      data-disabled={disabled}
      data-problem={why !== null}
    >
      <label className="choice">
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          aria-describedby={why === null ? undefined : reasonId}
          onChange={(e) => onToggle(agency.organId, e.target.checked)}
        />
        <span>
          {agency.name} <span className="mono muted">({agency.organId})</span>
        </span>
      </label>
      <span className="recipient-clearance" data-testid="recipient-clearance">
        {t('recipients.clearance')}{' '}
        <span className={agency.clearance === 'thuong' ? undefined : 'level-text'}>
          {t(levelKey(agency.clearance))}
        </span>
      </span>
      {why !== null && (
        <span
          className={checked ? 'field-problem' : 'field-hint'}
          id={reasonId}
          data-testid="recipient-reason"
        >
          {why}
        </span>
      )}
    </li>
  );
}

export function RecipientPicker({
  t,
  codes,
  level,
  onToggle,
}: {
  t: Translate;
  /** The OrganIds chosen now. */
  codes: readonly string[];
  level: Level | '';
  onToggle: (organId: string, on: boolean) => void;
}) {
  const hintId = useId();
  const { list, loading } = useAppStore(selectDirectory);
  const agencies = list?.agencies ?? [];
  const known = new Set(agencies.map((a) => a.organId));
  const unknown = codes.filter((c) => !known.has(c));

  return (
    <fieldset className="recipient-picker" data-testid="recipient-picker" aria-describedby={hintId}>
      <legend className="field-label">{t('recipients.legend')}</legend>
      <p className="field-hint" id={hintId}>
        {t('recipients.hint')}
      </p>
      {list === null && loading && <p className="muted">{t('recipients.loading')}</p>}
      {list !== null && agencies.length === 0 && (
        <p className="muted" data-testid="recipients-empty">
          {t('recipients.empty')}
        </p>
      )}
      {agencies.length > 0 && (
        <ul className="recipient-list">
          {agencies.map((agency) => (
            <AgencyOption
              key={agency.organId}
              agency={agency}
              checked={codes.includes(agency.organId)}
              level={level}
              t={t}
              onToggle={onToggle}
            />
          ))}
        </ul>
      )}
      {list !== null && unknown.length > 0 && (
        <p className="field-problem" data-testid="recipients-unknown">
          {t('recipients.unknown', { codes: unknown.join(', ') })}
        </p>
      )}
    </fieldset>
  );
}
