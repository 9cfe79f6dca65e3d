/**
 * The state of the chosen token's PIN, said again right above the PIN field, before the
 * clerk types: a wrong PIN was entered (count low), the final try (prominent: an
 * assertive alert), locked, or never set. Nothing for a PIN in its normal state.
 */
import type { TokenInfo } from '../../../native/api/contract.ts';
import type { Translate } from '../i18n/translate.ts';

export interface PinStateBannerProps {
  token: TokenInfo;
  t: Translate;
  id?: string;
}

export function PinStateBanner({ token, t, id }: PinStateBannerProps) {
  if (!token.pinInitialized) {
    return (
      <p
        id={id}
        className="alert alert-locked"
        data-testid="pin-warning"
        data-pin-state="uninitialized"
      >
        {t('pinState.uninitialized')}
      </p>
    );
  }
  switch (token.pinState) {
    case 'normal':
      return null;
    case 'count-low':
      return (
        <p
          id={id}
          className="alert alert-warning"
          data-testid="pin-warning"
          data-pin-state="count-low"
        >
          {t('pinState.count-low')}
        </p>
      );
    case 'final-try':
      return (
        <p
          id={id}
          className="alert alert-final-try"
          role="alert"
          data-testid="pin-warning"
          data-pin-state="final-try"
        >
          {t('pin.finalTryWarning')}
        </p>
      );
    case 'locked':
      return (
        <p id={id} className="alert alert-locked" data-testid="pin-warning" data-pin-state="locked">
          {t('pinState.locked')}
        </p>
      );
  }
}
