/**
 * The last look before a draft is sealed: the level marking in red and large, the subject,
 * urgency, recipients by name, the documents, and what sealing means (the token signs,
 * the package is encrypted for each recipient, nothing can be changed afterwards, it
 * leaves when the platform is reachable). A refusal (recipient not cleared, not in the
 * directory …) is shown here with the agency it concerns.
 */
import { useEffect, useId, useRef } from 'react';
import type { DraftFields, Level, Urgency } from '../../../../native/api/drafts-contract.ts';
import type { DirectoryAgency } from '../../../../native/api/exchange-contract.ts';
import type { WireError } from '../../../../native/api/errors.ts';
import type { Locale } from '../../i18n/catalog.ts';
import { errorText } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { LevelBadge, UrgencyText } from './level-badge.tsx';

/** The agency an error names (detail.organId), as "name (OrganId)". */
export function errorAgency(error: WireError, agencies: readonly DirectoryAgency[]): string | null {
  const organId = error.detail?.organId;
  if (organId === undefined) return null;
  const name = agencies.find((a) => a.organId === organId)?.name;
  return name === undefined ? organId : `${name} (${organId})`;
}

export function SealConfirm({
  t,
  locale,
  fields,
  documentCount,
  agencies,
  sealing,
  error,
  onConfirm,
  onCancel,
}: {
  t: Translate;
  locale: Locale;
  fields: DraftFields & { level: Level; urgency?: Urgency };
  documentCount: number;
  agencies: readonly DirectoryAgency[];
  sealing: boolean;
  error: WireError | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const headingId = useId();
  const bodyId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const names = new Map(agencies.map((a) => [a.organId, a.name]));
  const agency = error === null ? null : errorAgency(error, agencies);

  return (
    <section
      className="seal-confirm"
      role="alertdialog"
      aria-labelledby={headingId}
      aria-describedby={bodyId}
      data-testid="seal-confirm"
    >
      <h3 id={headingId} ref={headingRef} tabIndex={-1}>
        {t('seal.confirmHeading')}
      </h3>
      <p className="seal-marking" data-testid="seal-marking">
        <LevelBadge level={fields.level} t={t} />
      </p>
      <dl className="facts">
        <div className="fact-row">
          <dt>{t('editor.subject')}</dt>
          <dd data-testid="seal-subject">{fields.subject}</dd>
        </div>
        <div className="fact-row">
          <dt>{t('urgency.label')}</dt>
          <dd>
            <UrgencyText urgency={fields.urgency ?? 'thuong'} t={t} />
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('seal.recipients')}</dt>
          <dd>
            <ul className="plain-list" data-testid="seal-recipients">
              {fields.recipients.map((organId) => (
                <li key={organId}>
                  {names.get(organId) ?? organId} <span className="mono muted">({organId})</span>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('documents.heading')}</dt>
          <dd>{t('seal.documentCount', { count: documentCount })}</dd>
        </div>
      </dl>
      <p id={bodyId}>{t('seal.explain')}</p>
      {error !== null && (
        <p
          className="alert alert-error"
          role="alert"
          data-testid="seal-error"
          data-error-kind={error.kind}
        >
          {errorText(error, locale)}
          {agency !== null && (
            <>
              {' '}
              <span data-testid="seal-error-agency">{t('seal.errorAgency', { agency })}</span>
            </>
          )}
        </p>
      )}
      {sealing && (
        <p className="muted" role="status" data-testid="seal-progress">
          {t('seal.sealing')}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          data-testid="seal-confirm-button"
          disabled={sealing}
          onClick={onConfirm}
        >
          {sealing ? t('seal.sealingShort') : t('seal.confirm')}
        </button>
        <button
          type="button"
          className="button"
          data-testid="seal-cancel"
          disabled={sealing}
          onClick={onCancel}
        >
          {t('seal.cancel')}
        </button>
      </div>
    </section>
  );
}
