/**
 * One token in the picker: a radio choice showing the label, model, manufacturer,
 * serial, whether it has a PIN pad, and the state of its PIN.
 */
import { useId } from 'react';
import type { TokenInfo } from '../../../native/api/contract.ts';
import { pinStateKey } from '../i18n/translate.ts';
import type { Translate } from '../i18n/translate.ts';

export interface TokenOptionProps {
  token: TokenInfo;
  selected: boolean;
  onSelect(id: string): void;
  t: Translate;
}

/** The PIN-state note of a token, or the "no PIN set" note, which blocks sign-in too. */
export function PinStateNote({ token, t, id }: { token: TokenInfo; t: Translate; id?: string }) {
  const state = token.pinInitialized ? token.pinState : 'uninitialized';
  const text = token.pinInitialized ? t(pinStateKey(token.pinState)) : t('pinState.uninitialized');
  return (
    <span id={id} className={`pin-state pin-state-${state}`} data-pin-state={state}>
      {text}
    </span>
  );
}

export function TokenOption({ token, selected, onSelect, t }: TokenOptionProps) {
  const labelId = useId();
  const factsId = useId();
  const stateId = useId();
  return (
    <label className="token-option" data-testid="token-option" data-selected={selected}>
      <input
        type="radio"
        name="token"
        value={token.id}
        checked={selected}
        onChange={() => onSelect(token.id)}
        aria-labelledby={labelId}
        aria-describedby={`${factsId} ${stateId}`}
      />
      <span className="token-body">
        <span className="token-label" id={labelId}>
          {token.label}
        </span>
        <span className="token-facts" id={factsId}>
          <span className="fact">
            <span className="fact-name">{t('tokens.model')}</span> {token.model}
          </span>
          <span className="fact">
            <span className="fact-name">{t('tokens.manufacturer')}</span> {token.manufacturer}
          </span>
          <span className="fact">
            <span className="fact-name">{t('tokens.serial')}</span> {token.serial}
          </span>
          {token.protectedAuthPath && (
            <span className="fact" data-testid="token-pin-pad">
              {t('tokens.pinPad')}
            </span>
          )}
        </span>
        <PinStateNote token={token} t={t} id={stateId} />
      </span>
    </label>
  );
}
