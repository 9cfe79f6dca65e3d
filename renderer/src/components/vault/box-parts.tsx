/**
 * What the outbox and inbox lists share: the register number cell, the agency cell
 * (name, with the OrganId beside it), the pager (previous / next, one page ahead known
 * by `hasMore`) and the list's heading row with a reload button.
 */
import type { ReactNode } from 'react';
import type { AgencyRef, RegisterNumberView } from '../../../../native/api/boxes-contract.ts';
import type { WireError } from '../../../../native/api/errors.ts';
import { errorText } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import type { Locale } from '../../i18n/catalog.ts';

export function RegisterCell({
  register,
  t,
}: {
  register: RegisterNumberView | null;
  t: Translate;
}) {
  if (register === null) {
    return (
      <span className="muted" data-testid="register-number" data-register="">
        {t('boxes.noRegister')}
      </span>
    );
  }
  const params = { number: register.number, year: register.year };
  return (
    <span
      className="register-number"
      data-testid="register-number"
      data-register={`${register.number}/${register.year}`}
      aria-label={t('boxes.registerLabel', params)}
      title={t('boxes.registerLabel', params)}
    >
      {`${register.number}/${register.year}`}
    </span>
  );
}

export function AgencyCell({ agency, t }: { agency: AgencyRef; t: Translate }) {
  return (
    <span className="agency" data-organ-id={agency.organId}>
      <span>{agency.name ?? t('boxes.unknownAgency')}</span>{' '}
      <span className="mono muted">({agency.organId})</span>
    </span>
  );
}

export function BoxError({ error, locale }: { error: WireError | null; locale: Locale }) {
  if (error === null) return null;
  return (
    <p
      className="alert alert-error"
      role="alert"
      data-testid="box-error"
      data-error-kind={error.kind}
    >
      {errorText(error, locale)}
    </p>
  );
}

export function BoxHead({
  headingId,
  heading,
  intro,
  loading,
  onReload,
  t,
}: {
  headingId: string;
  heading: string;
  intro: string;
  loading: boolean;
  onReload: () => void;
  t: Translate;
}) {
  return (
    <>
      <div className="section-head">
        <h2 id={headingId}>{heading}</h2>
        <button type="button" className="button" disabled={loading} onClick={onReload}>
          {t('boxes.refresh')}
        </button>
      </div>
      <p className="muted">{intro}</p>
    </>
  );
}

export function BoxPager({
  label,
  offset,
  count,
  hasMore,
  loading,
  onPage,
  t,
}: {
  label: string;
  offset: number;
  count: number;
  hasMore: boolean;
  loading: boolean;
  onPage: (offset: number, direction: -1 | 1) => void;
  t: Translate;
}): ReactNode {
  if (count === 0 && offset === 0) return null;
  return (
    <nav className="pager" aria-label={label}>
      <span>{t('boxes.range', { from: offset + 1, to: offset + count })}</span>
      <button
        type="button"
        className="button button-quiet"
        disabled={offset === 0 || loading}
        onClick={() => onPage(offset, -1)}
      >
        {t('boxes.previous')}
      </button>
      <button
        type="button"
        className="button button-quiet"
        disabled={!hasMore || loading}
        onClick={() => onPage(offset, 1)}
      >
        {t('boxes.next')}
      </button>
    </nav>
  );
}
