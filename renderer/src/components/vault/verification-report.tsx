/**
 * The verification report of an opened package, for a clerk who must decide whether to
 * process it: the verdict first, then the content's integrity (GCM tag), the level outside
 * and inside, the certificate that opened it, and each signer: who, when, the signature,
 * the chain to the trust anchors, the level it signed. Revocation is not checked yet, and
 * the report says so.
 */
import type { SignerView, VerificationView } from '../../../../native/api/inbox-open-contract.ts';
import { algorithmName, formatDateTime } from '../../i18n/translate.ts';
import type { Translate } from '../../i18n/translate.ts';
import { LevelBadge } from './level-badge.tsx';

function Check({ ok, t, testId }: { ok: boolean; t: Translate; testId?: string }) {
  return (
    <span className={ok ? 'check-ok' : 'check-bad'} data-testid={testId} data-ok={ok}>
      {ok ? t('report.ok') : t('report.bad')}
    </span>
  );
}

function Signer({ signer, t }: { signer: SignerView; t: Translate }) {
  return (
    <li className="signer" data-testid="report-signer" data-verdict={signer.verdict}>
      <p className="signer-name">
        <strong data-testid="signer-name">{signer.commonName ?? t('report.unknown')}</strong>
        {signer.organization !== null && <span> — {signer.organization}</span>}
        {signer.organId !== null && <span className="mono muted"> ({signer.organId})</span>}
      </p>
      <dl className="facts">
        <div className="fact-row">
          <dt>{t('report.signingTime')}</dt>
          <dd>
            {signer.signingTime === null ? t('report.unknown') : formatDateTime(signer.signingTime)}
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('report.signature')}</dt>
          <dd>
            <Check
              ok={signer.signature === 'valid' && signer.messageDigest === 'valid'}
              t={t}
              testId="signer-signature"
            />{' '}
            <span className="muted">{algorithmName(signer.signatureAlgorithm)}</span>
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('report.chain')}</dt>
          <dd>
            <Check ok={signer.chain.status === 'valid'} t={t} testId="signer-chain" />{' '}
            {signer.chain.status === 'valid' ? (
              <span className="mono muted">{signer.chain.path.join(' → ')}</span>
            ) : (
              <span>{signer.chain.reason ?? ''}</span>
            )}
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('report.serial')}</dt>
          <dd className="mono">{signer.serialNumber ?? t('report.unknown')}</dd>
        </div>
        <div className="fact-row">
          <dt>{t('report.signedLevel')}</dt>
          <dd>
            {signer.level === null ? (
              t('report.unknown')
            ) : (
              <LevelBadge level={signer.level} t={t} />
            )}
          </dd>
        </div>
      </dl>
      {signer.problems.length > 0 && (
        <ul className="field-problem">
          {signer.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function VerificationReport({ report, t }: { report: VerificationView; t: Translate }) {
  const valid = report.verdict === 'valid';
  return (
    <section className="report" data-testid="verification-report" data-verdict={report.verdict}>
      <h4>{t('report.heading')}</h4>
      <p
        className={valid ? 'alert alert-success' : 'alert alert-error'}
        role={valid ? 'status' : 'alert'}
        data-testid="report-verdict"
      >
        {t(`report.verdict.${report.verdict}`)}
      </p>
      <dl className="facts">
        <div className="fact-row">
          <dt>{t('report.tag')}</dt>
          <dd>
            <Check ok={report.tag === 'valid'} t={t} testId="report-tag" />
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('report.levelOutside')}</dt>
          <dd data-testid="report-level-outside">
            {report.levels.outside === null ? (
              t('report.unknown')
            ) : (
              <LevelBadge level={report.levels.outside} t={t} />
            )}
          </dd>
        </div>
        <div className="fact-row">
          <dt>{t('report.levelInside')}</dt>
          <dd data-testid="report-level-inside">
            {report.levels.inside === null ? (
              t('report.unknown')
            ) : (
              <LevelBadge level={report.levels.inside} t={t} />
            )}{' '}
            <Check ok={report.levels.agree} t={t} testId="report-levels-agree" />
          </dd>
        </div>
        {report.openedWith !== null && (
          <div className="fact-row">
            <dt>{t('report.openedWith')}</dt>
            <dd>
              {report.openedWith.subject}{' '}
              <span className="mono muted">#{report.openedWith.serial}</span>
            </dd>
          </div>
        )}
        <div className="fact-row">
          <dt>{t('report.revocation')}</dt>
          <dd className="muted">{t('report.revocationNotChecked')}</dd>
        </div>
      </dl>
      <h4>{t('report.signers', { count: report.signers.length })}</h4>
      <ul className="plain-list signer-list">
        {report.signers.map((s, i) => (
          <Signer key={i} signer={s} t={t} />
        ))}
      </ul>
    </section>
  );
}
