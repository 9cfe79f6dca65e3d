/**
 * PIN entry for the chosen token. The PIN lives only in the (uncontrolled) input until
 * submit: it is read, the input is emptied at once, and the value goes straight to the
 * login action as an argument. It is never kept in state. The button is disabled while
 * a call is in flight, and the action refuses a second call, so a try is never spent
 * twice.
 */
import { useEffect, useId, useRef } from 'react';
import type { FormEvent } from 'react';
import { useT } from '../i18n/use-t.ts';
import { selectLogin, selectSelectedToken, selectSessionPending } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';

export function PinForm() {
  const t = useT();
  const inputId = useId();
  const hintId = useId();
  const noteId = useId();
  const token = useAppStore(selectSelectedToken);
  const pending = useAppStore(selectSessionPending);
  const login = useAppStore(selectLogin);
  const inputRef = useRef<HTMLInputElement>(null);

  const busy = pending !== null;
  const blocked = token === undefined || token.pinState === 'locked' || !token.pinInitialized;
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
    const input = inputRef.current;
    if (input === null || token === undefined || blocked || busy) return;
    const pin = input.value;
    input.value = '';
    void login(token.id, pin);
  }

  const describedBy = [hintId, token?.protectedAuthPath === true ? noteId : null]
    .filter((id) => id !== null)
    .join(' ');

  return (
    <form className="pin-form" onSubmit={onSubmit} aria-busy={busy} noValidate>
      {token === undefined ? (
        <p className="muted">{t('pin.chooseToken')}</p>
      ) : (
        <p className="pin-for">{t('pin.forToken', { label: token.label })}</p>
      )}
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
      {token?.protectedAuthPath === true && (
        <p className="alert alert-info" id={noteId}>
          {t('pin.pad')}
        </p>
      )}
      <button
        type="submit"
        className="button button-primary"
        data-testid="login-button"
        disabled={busy || blocked}
      >
        {pending === 'login' ? t('pin.submitting') : t('pin.submit')}
      </button>
    </form>
  );
}
