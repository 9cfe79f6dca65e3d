/**
 * English message catalog. Typed as a complete Catalog: a key missing here, or one that
 * the Vietnamese catalog does not have, fails the typecheck.
 */
import type { Catalog } from './catalog.ts';

export const en: Catalog = {
  'app.name': 'Niêm',
  'app.tagline': 'Classified document exchange',
  'app.title': 'Niêm — Sign in',
  'app.loading': 'Starting…',

  'lang.switch': 'Tiếng Việt',
  'lang.switchLabel': 'Switch the interface to Vietnamese',

  'noHost.title': 'Niêm cannot reach its host',
  'noHost.body':
    'This page works only inside the Niêm application or through the test bridge. Open the Niêm application.',

  'signIn.title': 'Sign in with your token',
  'signIn.intro': 'Choose your agency’s token, then type the token’s PIN.',

  'tokens.heading': 'Tokens',
  'tokens.refresh': 'Look for tokens again',
  'tokens.loading': 'Looking for tokens…',
  'tokens.moduleFailed':
    'The PKCS#11 library {path} could not be loaded ({reason}). Tokens that need it will not show; tell your administrator.',
  'tokens.empty': 'No token was found. Insert your token, then press “Look for tokens again”.',
  'tokens.model': 'Model',
  'tokens.manufacturer': 'Manufacturer',
  'tokens.serial': 'Serial number',
  'tokens.pinPad': 'Has a PIN pad',

  'pinState.normal': 'PIN ready',
  'pinState.count-low': 'A wrong PIN was entered on this token. Type carefully.',
  'pinState.final-try': 'Last try: if the PIN is wrong, the token locks.',
  'pinState.locked':
    'The token’s PIN is locked, so you cannot sign in. Ask your agency administrator to unblock it.',
  'pinState.uninitialized':
    'The token has no PIN set yet, so you cannot sign in. Ask your agency administrator.',

  'pin.label': 'PIN',
  'pin.hint': 'The PIN is never saved. Niêm never tries a PIN on its own.',
  'pin.pad': 'Type the PIN on the reader’s keypad.',
  'pin.padHint':
    'Press “Sign in”, then type the PIN on the reader’s keypad when it asks. The PIN never passes through the computer.',
  'pin.padWaiting': 'Waiting for the PIN on the reader’s keypad…',
  'pin.finalTryWarning':
    'Careful: ONE PIN try is left. If this PIN is wrong, the token locks and only your administrator can unblock it. If you are not sure, do not type it.',
  'pin.chooseToken': 'Choose a token above first.',
  'pin.submit': 'Sign in',
  'pin.submitting': 'Signing in…',
  'pin.forToken': 'Sign in with token “{label}”',

  'identity.heading': 'You are signed in',
  'identity.commonName': 'Certificate holder',
  'identity.organization': 'Organisation',
  'identity.unit': 'Unit',
  'identity.organId': 'Agency code (OrganId)',
  'identity.serial': 'Certificate serial number',
  'identity.issuer': 'Issuer',
  'identity.validity': 'Valid',
  'identity.validityRange': 'from {from} to {to}',
  'identity.expired': 'The certificate has expired.',
  'identity.notYetValid': 'The certificate is not valid yet.',
  'identity.keyAlgorithm': 'Key algorithm',
  'identity.token': 'Token',
  'identity.since': 'Signed in at',
  'identity.warnings': 'Warnings',
  'identity.missing': 'None',
  'identity.logout': 'Sign out',
  'identity.loggingOut': 'Signing out…',

  'checkKey.run': 'Check the token',
  'checkKey.running': 'Signing a test challenge on the token…',
  'checkKey.ok': 'The test signature was verified (algorithm {algorithm}, {ms} ms).',
  'checkKey.mismatch':
    'The token signed, but the test signature does not match the certificate (algorithm {algorithm}). Do not sign with this token; tell your administrator.',

  'changePin.open': 'Change PIN',
  'changePin.cancel': 'Do not change the PIN',
  'changePin.heading': 'Change the PIN of token “{label}”',
  'changePin.old': 'Current PIN',
  'changePin.new': 'New PIN',
  'changePin.again': 'New PIN again',
  'changePin.rules':
    'The new PIN has 1–64 printable ASCII characters (letters without accents, digits, symbols) and must differ from the current PIN. The token may have its own length rules.',
  'changePin.triesNote': 'A wrong current PIN uses a try, as at sign-in.',
  'changePin.pad':
    'This token has its own keypad: press “Change PIN”, then type the current PIN and the new PIN on the reader’s keypad when asked.',
  'changePin.submit': 'Change PIN',
  'changePin.submitting': 'Changing the PIN…',
  'changePin.padWaiting': 'Waiting for the reader’s keypad…',
  'changePin.done': 'The PIN was changed. Use the new PIN from your next sign-in.',
  'changePin.mismatch':
    'The two new PINs differ. Nothing was changed and no try was used; type them again.',
  'changePin.sameAsOld':
    'The new PIN must differ from the current PIN. Nothing was changed and no try was used; choose another new PIN.',

  'lock.logout': 'You have signed out.',
  'lock.token-removed':
    'The session ended because the token was removed. Insert the token and sign in again.',
  'lock.idle': 'The session ended after a period without activity. Sign in again.',
  'lock.native-restarted':
    'The session ended because the token service restarted. Nothing was lost; sign in again.',
  'lock.token-module-crashed':
    'The session ended because the token’s library crashed; Niêm restarted it. Nothing was lost; sign in again.',
  'lock.dismiss': 'Dismiss',
};
