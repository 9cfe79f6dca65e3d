/**
 * The editor's recipients: the picker over the cached directory, and the codes as text
 * (what the picker chose, plus any code typed by hand), with the editor's problem line.
 * Ticking an agency adds its code to the text; unticking takes it out: the text is the
 * one source of the draft's recipients.
 */
import { useId } from 'react';
import type { Level } from '../../../../native/api/drafts-contract.ts';
import type { Translate } from '../../i18n/translate.ts';
import { recipientCodes, toggleCode } from '../../store/draft-form.ts';
import { RecipientPicker } from './recipient-picker.tsx';

export function RecipientsField({
  t,
  text,
  level,
  invalid,
  badCodes,
  onChange,
}: {
  t: Translate;
  text: string;
  level: Level | '';
  invalid: boolean;
  badCodes: readonly string[];
  onChange: (text: string) => void;
}) {
  const inputId = useId();
  const hintId = useId();
  const problemId = useId();
  const codes = recipientCodes(text);
  return (
    <>
      <RecipientPicker
        t={t}
        codes={codes}
        level={level}
        onToggle={(organId, on) => onChange(toggleCode(text, organId, on))}
      />
      <label className="field-label" htmlFor={inputId}>
        {t('editor.recipients')}
      </label>
      <textarea
        id={inputId}
        data-testid="draft-recipients"
        className="mono"
        rows={2}
        value={text}
        aria-invalid={invalid}
        aria-describedby={`${hintId}${invalid ? ` ${problemId}` : ''}`}
        onChange={(e) => onChange(e.target.value)}
      />
      <p className="field-hint" id={hintId}>
        {t('editor.recipientsHint')}
      </p>
      {invalid && (
        <p className="field-problem" id={problemId} data-testid="field-problem">
          {t('editor.badRecipients', { codes: badCodes.join(', ') })}
        </p>
      )}
    </>
  );
}
