/**
 * Changing the PIN of one token (C_SetPIN): the current PIN, the new PIN and the new PIN
 * again, each masked and never remembered by the browser. Like the sign-in PIN, the
 * values live only in the (uncontrolled) inputs until submit; all three are emptied at
 * once on every attempt and go to the action as arguments. On a token with a PIN pad
 * there are no fields: the clerk types both PINs on the reader. The parent owns whether
 * the form is shown (ChangePinToggle) and remounts it per token (`key`).
 */
import { useEffect, useId, useRef } from 'react';
import type { FormEvent, RefObject } from 'react';
import type { TokenInfo } from '../../../native/api/contract.ts';
import { errorText } from '../i18n/translate.ts';
import type { Translate } from '../i18n/translate.ts';
import { useT } from '../i18n/use-t.ts';
import {
  selectChangePin,
  selectLocale,
  selectPinChangeDone,
  selectPinChangeError,
  selectPinChangePending,
  selectPinChangeProblem,
  selectPinChangeTokenId,
  selectResetPinChange,
} from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';
import { PinStateBanner } from './pin-state-banner.tsx';
import { takePins } from './take-pins.ts';

export interface ChangePinToggleProps {
  open: boolean;
  onToggle(): void;
  /** Id of the form the button shows and hides. */
  controls: string;
  /** The token whose PIN would change: a locked PIN, or none set, cannot be changed. */
  token: TokenInfo;
  t: Translate;
}

/** The "Change PIN" button that opens and closes the form. */
export function ChangePinToggle({ open, onToggle, controls, token, t }: ChangePinToggleProps) {
  const blocked = token.pinState === 'locked' || !token.pinInitialized;
  return (
    <button
      type="button"
      className="button"
      data-testid="change-pin-toggle"
      aria-expanded={open}
      aria-controls={open ? controls : undefined}
      disabled={blocked && !open}
      onClick={onToggle}
    >
      {open ? t('changePin.cancel') : t('changePin.open')}
    </button>
  );
}

interface PinFieldProps {
  id: string;
  label: string;
  testId: string;
  autoComplete: 'off' | 'new-password';
  disabled: boolean;
  describedBy?: string;
  inputRef: RefObject<HTMLInputElement | null>;
}

function PinField({
  id,
  label,
  testId,
  autoComplete,
  disabled,
  describedBy,
  inputRef,
}: PinFieldProps) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        ref={inputRef}
        id={id}
        className="pin-input"
        data-testid={testId}
        type="password"
        autoComplete={autoComplete}
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        maxLength={64}
        disabled={disabled}
        aria-describedby={describedBy}
      />
    </div>
  );
}

export interface ChangePinFormProps {
  /** Element id (the toggle's aria-controls). */
  id: string;
  token: TokenInfo;
}

export function ChangePinForm({ id, token }: ChangePinFormProps) {
  const t = useT();
  const locale = useAppStore(selectLocale);
  const headingId = useId();
  const oldId = useId();
  const newId = useId();
  const againId = useId();
  const rulesId = useId();
  const stateId = useId();
  const padId = useId();
  const pending = useAppStore(selectPinChangePending);
  const outcomeTokenId = useAppStore(selectPinChangeTokenId);
  const done = useAppStore(selectPinChangeDone);
  const problem = useAppStore(selectPinChangeProblem);
  const error = useAppStore(selectPinChangeError);
  const change = useAppStore(selectChangePin);
  const reset = useAppStore(selectResetPinChange);
  const oldRef = useRef<HTMLInputElement>(null);
  const newRef = useRef<HTMLInputElement>(null);
  const againRef = useRef<HTMLInputElement>(null);

  const pad = token.protectedAuthPath;
  const blocked = token.pinState === 'locked' || !token.pinInitialized;
  const ours = outcomeTokenId === token.id;

  // An outcome belongs to the form that produced it: forget it when the form goes away.
  useEffect(() => reset, [reset]);

  // After an attempt, start again from the current PIN.
  useEffect(() => {
    if (!pending) oldRef.current?.focus();
  }, [pending]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending || blocked) return;
    if (pad) {
      void change(token.id, null);
      return;
    }
    const [oldPin = '', newPin = '', again = ''] = takePins([
      oldRef.current,
      newRef.current,
      againRef.current,
    ]);
    void change(token.id, { oldPin, newPin, again });
  }

  const stateShown = token.pinState !== 'normal' || !token.pinInitialized;
  const describedBy = [stateShown ? stateId : null, rulesId].filter((x) => x !== null).join(' ');
  let submitText = t('changePin.submit');
  if (pending) submitText = pad ? t('changePin.padWaiting') : t('changePin.submitting');

  return (
    <form
      id={id}
      className="change-pin"
      data-testid="change-pin-form"
      aria-labelledby={headingId}
      aria-busy={pending}
      onSubmit={onSubmit}
      noValidate
    >
      <h2 id={headingId}>{t('changePin.heading', { label: token.label })}</h2>
      <PinStateBanner token={token} t={t} id={stateId} />
      {pad ? (
        <p className="alert alert-info pad-note" id={padId} data-testid="change-pin-pad-note">
          {t('changePin.pad')}
        </p>
      ) : (
        <>
          <PinField
            id={oldId}
            label={t('changePin.old')}
            testId="change-pin-old"
            autoComplete="off"
            disabled={pending || blocked}
            describedBy={stateShown ? stateId : undefined}
            inputRef={oldRef}
          />
          <PinField
            id={newId}
            label={t('changePin.new')}
            testId="change-pin-new"
            autoComplete="new-password"
            disabled={pending || blocked}
            describedBy={describedBy}
            inputRef={newRef}
          />
          <PinField
            id={againId}
            label={t('changePin.again')}
            testId="change-pin-again"
            autoComplete="new-password"
            disabled={pending || blocked}
            describedBy={rulesId}
            inputRef={againRef}
          />
          <p className="field-hint" id={rulesId}>
            {t('changePin.rules')} {t('changePin.triesNote')}
          </p>
        </>
      )}
      {ours && done && (
        <p className="alert alert-success" role="status" data-testid="change-pin-done">
          {t('changePin.done')}
        </p>
      )}
      {ours && problem !== null && (
        <p
          className="alert alert-error"
          role="alert"
          data-testid="change-pin-error"
          data-problem={problem}
        >
          {problem === 'mismatch' ? t('changePin.mismatch') : t('changePin.sameAsOld')}
        </p>
      )}
      {ours && error !== null && (
        <p
          className="alert alert-error"
          role="alert"
          data-testid="change-pin-error"
          data-error-kind={error.kind}
        >
          {errorText(error, locale)}
        </p>
      )}
      <button
        type="submit"
        className="button button-primary"
        data-testid="change-pin-submit"
        disabled={pending || blocked}
        aria-describedby={pad ? padId : undefined}
      >
        {submitText}
      </button>
    </form>
  );
}
