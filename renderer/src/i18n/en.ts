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

  'vault.heading': 'Document vault',
  'vault.loading': 'Opening the vault…',
  'vault.openIn': 'The vault is encrypted and opened with your token. Profile folder: {profile}',
  'vault.restored':
    'The vault was damaged and has been restored from the backup taken at {time}. Changes made after that time are lost; check your latest drafts.',
  'vault.locked': 'The vault is locked',
  'vault.lockedBody':
    'Drafts and documents are encrypted on this computer. The vault opens only when you sign in with your own token.',
  'vault.lockedProblem': 'The vault could not be opened.',
  'vault.absentTitle': 'No vault yet',
  'vault.absentBody':
    'The profile folder {profile} holds no vault yet. Set one up to keep drafts; its key will be protected by the token you are using.',
  'vault.init': 'Set up the vault',
  'vault.initialising': 'Setting up the vault…',

  'level.label': 'Classification',
  'level.thuong': 'Unclassified',
  'level.mat': 'Confidential',
  'level.toi-mat': 'Secret',
  'level.tuyet-mat': 'Top secret',
  'level.hint': 'Required: the author decides the classification; Niêm never picks one.',
  'urgency.label': 'Urgency',
  'urgency.thuong': 'Normal',
  'urgency.khan': 'Urgent',
  'urgency.thuong-khan': 'Very urgent',
  'urgency.hoa-toc': 'Immediate',
  'urgency.hoa-toc-hen-gio': 'Immediate, by a set time',

  'drafts.heading': 'Drafts',
  'drafts.new': 'New draft',
  'drafts.searchLabel': 'Search drafts',
  'drafts.searchHint': 'Search subjects, numbers and notations; diacritics are optional.',
  'drafts.search': 'Search',
  'drafts.sortLabel': 'Sort by',
  'drafts.sort.updated': 'Last changed',
  'drafts.sort.created': 'Created',
  'drafts.sort.subject': 'Subject (A–Z)',
  'drafts.sort.level': 'Classification',
  'drafts.directionLabel': 'Order',
  'drafts.direction.desc': 'Descending',
  'drafts.direction.asc': 'Ascending',
  'drafts.loading': 'Loading the list…',
  'drafts.empty': 'No drafts yet.',
  'drafts.noMatch': 'No draft matches “{search}”.',
  'drafts.col.subject': 'Subject',
  'drafts.col.level': 'Classification',
  'drafts.col.urgency': 'Urgency',
  'drafts.col.recipients': 'Recipients',
  'drafts.col.documents': 'Documents',
  'drafts.col.updated': 'Changed',
  'drafts.hiddenSubject': 'Subject hidden (Top secret)',
  'drafts.open': 'Open draft: {subject}',
  'drafts.openHidden': 'Open top secret draft number {id}',
  'drafts.range': '{from}–{to} of {total} drafts',
  'drafts.previous': 'Previous page',
  'drafts.next': 'Next page',
  'drafts.deleted': 'The draft was deleted.',

  'editor.newHeading': 'New draft',
  'editor.editHeading': 'Edit draft',
  'editor.subject': 'Subject',
  'editor.recipients': 'Recipients (agency codes)',
  'editor.recipientsHint': 'One code per line or separated by commas, e.g. 000.00.00.G22.',
  'editor.codeNumber': 'Number',
  'editor.codeNotation': 'Notation',
  'editor.deadline': 'Deadline (immediate, by a set time)',
  'editor.save': 'Save draft',
  'editor.saving': 'Saving…',
  'editor.saved': 'The draft was saved in the vault.',
  'editor.close': 'Close',
  'editor.delete': 'Delete draft',
  'editor.confirmDelete': 'Press again to delete this draft for good',
  'editor.missingSubject': 'Enter the subject.',
  'editor.missingLevel': 'Choose the classification (“Unclassified” included).',
  'editor.badRecipients': 'Agency codes in the wrong form: {codes}. A correct one: 000.00.00.G22.',
  'editor.missingDeadline': '“Immediate, by a set time” needs a deadline (date and time).',
  'editor.invalid': 'The draft was not saved: correct the marked fields.',
  'editor.created': 'Created {date}',

  'documents.heading': 'Attached documents',
  'documents.pick': 'Choose files…',
  'documents.drop': 'Or drop files here.',
  'documents.limit': 'At most 8 MiB per file. Larger files cannot be added in this version.',
  'documents.pending': 'Added when the draft is saved',
  'documents.none': 'No documents yet.',
  'documents.remove': 'Remove {name}',
  'documents.uploading': 'Adding “{name}” to the vault…',
};
