/**
 * Who the clerk is, as the token's certificate says: shown after sign-in, with "check
 * the token", the PIN change and the sign-out button.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Identity, TokenInfo } from '../../../native/api/contract.ts';
import { formatDate, formatDateTime } from '../i18n/translate.ts';
import type { Translate } from '../i18n/translate.ts';
import { useT } from '../i18n/use-t.ts';
import { selectListedToken, selectLogout, selectSessionPending } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';
import { ChangePinForm, ChangePinToggle } from './change-pin-form.tsx';
import { KeyCheckButton, KeyCheckOutcome } from './key-check.tsx';

export interface IdentityCardProps {
  identity: Identity;
  token: TokenInfo;
  /** When the session began, ISO 8601. */
  since: string;
}

type Validity = 'valid' | 'expired' | 'not-yet-valid';

/** Where `now` (ms since epoch) falls in the certificate's validity period. */
export function validityAt(
  identity: Pick<Identity, 'notBefore' | 'notAfter'>,
  now: number,
): Validity {
  const from = Date.parse(identity.notBefore);
  const to = Date.parse(identity.notAfter);
  if (!Number.isNaN(to) && now > to) return 'expired';
  if (!Number.isNaN(from) && now < from) return 'not-yet-valid';
  return 'valid';
}

function Fact({ name, children, testId }: { name: string; children: ReactNode; testId?: string }) {
  return (
    <div className="fact-row">
      <dt>{name}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function orMissing(value: string | null, t: Translate): string {
  return value === null || value === '' ? t('identity.missing') : value;
}

export function IdentityCard({ identity, token, since }: IdentityCardProps) {
  const t = useT();
  const headingId = useId();
  const changeId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const pending = useAppStore(selectSessionPending);
  const logout = useAppStore(selectLogout);
  const [openedAt] = useState(() => Date.now());
  const [changing, setChanging] = useState(false);
  // The token as listed now: its PIN state may have moved since sign-in.
  const liveToken = useAppStore(selectListedToken(token.id)) ?? token;
  const validity = validityAt(identity, openedAt);

  // Move the focus to the card when it appears, so screen readers announce the change.
  useEffect(() => headingRef.current?.focus(), []);

  return (
    <section
      className="panel identity-card"
      data-testid="identity-card"
      aria-labelledby={headingId}
    >
      <h1 id={headingId} ref={headingRef} tabIndex={-1}>
        {t('identity.heading')}
      </h1>
      <dl className="facts">
        <Fact name={t('identity.commonName')} testId="identity-common-name">
          {identity.commonName}
        </Fact>
        <Fact name={t('identity.organization')} testId="identity-organization">
          {orMissing(identity.organization, t)}
        </Fact>
        <Fact name={t('identity.unit')}>{orMissing(identity.organizationalUnit, t)}</Fact>
        <Fact name={t('identity.organId')} testId="identity-organ-id">
          {orMissing(identity.organId, t)}
        </Fact>
        <Fact name={t('identity.serial')}>
          <span className="mono">{identity.serialNumber}</span>
        </Fact>
        <Fact name={t('identity.issuer')}>{identity.issuerCommonName ?? identity.issuer}</Fact>
        <Fact name={t('identity.validity')}>
          {t('identity.validityRange', {
            from: formatDate(identity.notBefore),
            to: formatDate(identity.notAfter),
          })}
        </Fact>
        <Fact name={t('identity.keyAlgorithm')}>{identity.keyAlgorithm}</Fact>
        <Fact name={t('identity.token')}>{token.label}</Fact>
        <Fact name={t('identity.since')}>{formatDateTime(since)}</Fact>
      </dl>
      {validity !== 'valid' && (
        <p className="alert alert-warning" role="note">
          {validity === 'expired' ? t('identity.expired') : t('identity.notYetValid')}
        </p>
      )}
      {identity.warnings.length > 0 && (
        <div className="alert alert-warning" role="note">
          <h2>{t('identity.warnings')}</h2>
          <ul>
            {identity.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="actions">
        <KeyCheckButton t={t} busy={pending !== null} />
        <ChangePinToggle
          open={changing}
          onToggle={() => setChanging((open) => !open)}
          controls={changeId}
          token={liveToken}
          t={t}
        />
        <button
          type="button"
          className="button"
          data-testid="logout-button"
          disabled={pending !== null}
          onClick={() => void logout()}
        >
          {pending === 'logout' ? t('identity.loggingOut') : t('identity.logout')}
        </button>
      </div>
      <KeyCheckOutcome t={t} />
      {changing && <ChangePinForm key={liveToken.id} id={changeId} token={liveToken} />}
    </section>
  );
}
