/**
 * PIN entry for the chosen token. The PIN lives only in the (uncontrolled) input until
 * submit: it is read, the input is emptied at once, and the value goes straight to the
 * login action as an argument. It is never kept in state. The button is disabled while
 * a call is in flight, and the action refuses a second call, so a try is never spent
 * twice. The token's PIN state is repeated right above the field; a locked token (or one
 * without a PIN) cannot be submitted. A token with a PIN pad gets no PIN field: the clerk
 * types on the reader, and the login is sent without a PIN.
 */
import { useEffect, useId, useRef } from 'react';
import type { FormEvent } from 'react';
import { useT } from '../i18n/use-t.ts';
import { selectLogin, selectSelectedToken, selectSessionPending } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';
import { PinStateBanner } from './pin-state-banner.tsx';
import { takePins } from './take-pins.ts';

export function PinForm() {
  const t = useT();
  const inputId = useId();
  const hintId = useId();
  const stateId = useId();
  const padId = useId();
  const token = useAppStore(selectSelectedToken);
  const pending = useAppStore(selectSessionPending);
  const login = useAppStore(selectLogin);
  const inputRef = useRef<HTMLInputElement>(null);

  const busy = pending !== null;
  const blocked = token === undefined || token.pinState === 'locked' || !token.pinInitialized;
  const pad = token?.protectedAuthPath === true;
  const tokenId = token?.id;

  // A different token means a different PIN: never carry a typed PIN over.
  useEffect(() => {
    if (inputRef.current !== null) inputRef.current.value = '';
  }, [tokenId]);

  // After an attempt, give the focus back to the PIN field for the next try.
  useEffect(() => {
    if (!busy && tokenId !== undefined) inputRef.current?.focus();
  }, [busy, tokenId]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (token === undefined || blocked || busy) return;
    if (pad) {
      void login(token.id, null);
      return;
    }
    if (inputRef.current === null) return;
    const [pin = ''] = takePins([inputRef.current]);
    void login(token.id, pin);
  }

  const stateShown = token !== undefined && (token.pinState !== 'normal' || !token.pinInitialized);
  const describedBy = [stateShown ? stateId : null, pad ? padId : hintId]
    .filter((id) => id !== null)
    .join(' ');

  let submitText = t('pin.submit');
  if (pending === 'login') submitText = pad ? t('pin.padWaiting') : t('pin.submitting');

  return (
    <form
      className="pin-form"
      data-testid="pin-form"
      onSubmit={onSubmit}
      aria-busy={busy}
      noValidate
    >
      {token === undefined ? (
        <p className="muted">{t('pin.chooseToken')}</p>
      ) : (
        <p className="pin-for">{t('pin.forToken', { label: token.label })}</p>
      )}
      {token !== undefined && <PinStateBanner token={token} t={t} id={stateId} />}
      {pad ? (
        <p className="alert alert-info pad-note" id={padId} data-testid="pin-pad-note">
          <strong>{t('pin.pad')}</strong> {t('pin.padHint')}
        </p>
      ) : (
        <>
          <label className="field-label" htmlFor={inputId}>
            {t('pin.label')}
          </label>
          <input
            ref={inputRef}
            id={inputId}
            className="pin-input"
            data-testid="pin-input"
            type="password"
            name="pin"
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            maxLength={64}
            disabled={busy || blocked}
            aria-describedby={describedBy}
          />
          <p className="field-hint" id={hintId}>
            {t('pin.hint')}
          </p>
        </>
      )}
      <button
        type="submit"
        className="button button-primary"
        data-testid="login-button"
        disabled={busy || blocked}
        aria-describedby={pad ? describedBy : undefined}
      >
        {submitText}
      </button>
    </form>
  );
}
