/**
 * The draft editor: trích yếu, độ mật (chosen explicitly: no default), độ khẩn (with the
 * deadline of "hỏa tốc hẹn giờ"), recipients from the cached directory (with each
 * agency's clearance) or by OrganId, số and ký hiệu, and the documents. A new draft keeps
 * its picked files until it is saved; an opened draft adds them at once. Problems are
 * shown next to their field and announced. "Niêm phong và gửi" checks what would block
 * the seal, then asks for confirmation with the level marking before the token signs.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type {
  DraftDetailView,
  DraftFields,
  Level,
  Urgency,
} from '../../../../native/api/drafts-contract.ts';
import { formatDateTime } from '../../i18n/translate.ts';
import { useT } from '../../i18n/use-t.ts';
import { checkDraftForm, emptyForm, formOf, recipientCodes } from '../../store/draft-form.ts';
import type { DraftForm, DraftProblem } from '../../store/draft-form.ts';
import type { DocumentFile } from '../../store/drafts-slice.ts';
import { sealBlockers, type SealBlocker } from '../../store/seal-check.ts';
import {
  selectDirectory,
  selectDrafts,
  selectDraftsBusy,
  selectDraftsDone,
  selectDraftsUploading,
  selectLocale,
} from '../../store/selectors.ts';
import { useAppStore } from '../../store/store-context.tsx';
import { DocumentField } from './document-field.tsx';
import { levelKey, urgencyKey } from './level-badge.tsx';
import { RecipientsField } from './recipients-field.tsx';
import { SealBlockers } from './seal-blockers.tsx';
import { SealConfirm } from './seal-confirm.tsx';

const levelChoices: readonly Level[] = ['thuong', 'mat', 'toi-mat', 'tuyet-mat'];
const urgencyChoices: readonly Urgency[] = [
  'thuong',
  'khan',
  'thuong-khan',
  'hoa-toc',
  'hoa-toc-hen-gio',
];

/** Which problem a change of each field may cure. */
const problemOf: Partial<Record<keyof DraftForm, DraftProblem>> = {
  subject: 'subject',
  level: 'level',
  recipients: 'recipients',
  deadline: 'deadline',
  urgency: 'deadline',
};

function Problem({ id, show, children }: { id: string; show: boolean; children: ReactNode }) {
  if (!show) return null;
  return (
    <p className="field-problem" id={id} data-testid="field-problem">
      {children}
    </p>
  );
}

export function DraftEditor({ draft }: { draft: DraftDetailView | null }) {
  const t = useT();
  const locale = useAppStore(selectLocale);
  const busy = useAppStore(selectDraftsBusy);
  const uploading = useAppStore(selectDraftsUploading);
  const done = useAppStore(selectDraftsDone);
  const { save, remove, closeEditor, addDocuments, removeDocument, seal, sealing, sealError } =
    useAppStore(selectDrafts);
  const agencies = useAppStore(selectDirectory).list?.agencies ?? [];
  const ids = {
    heading: useId(),
    subject: useId(),
    subjectProblem: useId(),
    levelProblem: useId(),
    levelHint: useId(),
    urgency: useId(),
    deadline: useId(),
    deadlineProblem: useId(),
    codeNumber: useId(),
    codeNotation: useId(),
  };
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [form, setForm] = useState<DraftForm>(() => (draft === null ? emptyForm : formOf(draft)));
  const [problems, setProblems] = useState<readonly DraftProblem[]>([]);
  const [pending, setPending] = useState<readonly DocumentFile[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  /** The fields the clerk is about to seal (the confirmation is open), else null. */
  const [toSeal, setToSeal] = useState<(DraftFields & { level: Level }) | null>(null);
  const [blockers, setBlockers] = useState<readonly SealBlocker[]>([]);
  const documentCount = (draft?.documents.length ?? 0) + pending.length;

  useEffect(() => headingRef.current?.focus(), []);

  const set = <K extends keyof DraftForm>(key: K, value: DraftForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A corrected field loses its mark at once; the others keep theirs until the next save.
    const problem = problemOf[key];
    if (problem !== undefined) setProblems((p) => p.filter((x) => x !== problem));
    setBlockers([]);
    setToSeal(null);
  };
  const has = (p: DraftProblem) => problems.includes(p);
  const badCodes = recipientCodes(form.recipients).filter(
    (c) => !/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/.test(c),
  );

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const check = checkDraftForm(form);
    if (!check.ok) {
      setProblems(check.problems);
      return;
    }
    setProblems([]);
    if (await save(check.fields, pending)) setPending([]);
  };

  /** "Niêm phong và gửi": the form's check, then the seal's, then the confirmation. */
  const onSealAsked = () => {
    const check = checkDraftForm(form);
    if (!check.ok) {
      setProblems(check.problems);
      return;
    }
    setProblems([]);
    const found = sealBlockers(
      check.fields.recipients,
      check.fields.level,
      documentCount,
      agencies,
    );
    setBlockers(found);
    if (found.length === 0) setToSeal({ ...check.fields, level: check.fields.level });
  };

  const onSealConfirmed = async () => {
    if (toSeal === null) return;
    if (await seal(toSeal, pending)) setPending([]);
  };

  const onAdd = (files: DocumentFile[]) => {
    if (draft === null) setPending((p) => [...p, ...files]);
    else void addDocuments(files);
  };

  return (
    <section
      className="panel draft-editor"
      aria-labelledby={ids.heading}
      data-testid="draft-editor"
    >
      <div className="section-head">
        <h2 id={ids.heading} ref={headingRef} tabIndex={-1}>
          {draft === null ? t('editor.newHeading') : t('editor.editHeading')}
        </h2>
        <button
          type="button"
          className="button button-quiet"
          data-testid="editor-close"
          onClick={closeEditor}
        >
          {t('editor.close')}
        </button>
      </div>
      {draft !== null && (
        <p className="muted">{t('editor.created', { date: formatDateTime(draft.createdAt) })}</p>
      )}
      <form onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy}>
        {problems.length > 0 && (
          <p className="alert alert-error" role="alert">
            {t('editor.invalid')}
          </p>
        )}
        <label className="field-label" htmlFor={ids.subject}>
          {t('editor.subject')}
        </label>
        <textarea
          id={ids.subject}
          data-testid="draft-subject-input"
          rows={3}
          maxLength={2000}
          value={form.subject}
          aria-invalid={has('subject')}
          aria-describedby={has('subject') ? ids.subjectProblem : undefined}
          onChange={(e) => set('subject', e.target.value)}
        />
        <Problem id={ids.subjectProblem} show={has('subject')}>
          {t('editor.missingSubject')}
        </Problem>

        <fieldset
          className="level-choices"
          data-testid="draft-level"
          aria-invalid={has('level')}
          aria-describedby={has('level') ? `${ids.levelHint} ${ids.levelProblem}` : ids.levelHint}
        >
          <legend className="field-label">{t('level.label')}</legend>
          <p className="field-hint" id={ids.levelHint}>
            {t('level.hint')}
          </p>
          {levelChoices.map((level) => (
            <label key={level} className="choice" data-level={level}>
              <input
                type="radio"
                name="level"
                value={level}
                checked={form.level === level}
                onChange={() => set('level', level)}
              />
              <span className={level === 'thuong' ? undefined : 'level-text'}>
                {t(levelKey(level))}
              </span>
            </label>
          ))}
          <Problem id={ids.levelProblem} show={has('level')}>
            {t('editor.missingLevel')}
          </Problem>
        </fieldset>

        <div className="field-row">
          <div>
            <label className="field-label" htmlFor={ids.urgency}>
              {t('urgency.label')}
            </label>
            <select
              id={ids.urgency}
              data-testid="draft-urgency"
              value={form.urgency}
              onChange={(e) => set('urgency', e.target.value as Urgency)}
            >
              {urgencyChoices.map((u) => (
                <option key={u} value={u}>
                  {t(urgencyKey(u))}
                </option>
              ))}
            </select>
          </div>
          {form.urgency === 'hoa-toc-hen-gio' && (
            <div>
              <label className="field-label" htmlFor={ids.deadline}>
                {t('editor.deadline')}
              </label>
              <input
                id={ids.deadline}
                type="datetime-local"
                data-testid="draft-deadline"
                value={form.deadline}
                aria-invalid={has('deadline')}
                aria-describedby={has('deadline') ? ids.deadlineProblem : undefined}
                onChange={(e) => set('deadline', e.target.value)}
              />
              <Problem id={ids.deadlineProblem} show={has('deadline')}>
                {t('editor.missingDeadline')}
              </Problem>
            </div>
          )}
        </div>

        <RecipientsField
          t={t}
          text={form.recipients}
          level={form.level}
          invalid={has('recipients')}
          badCodes={badCodes}
          onChange={(text) => set('recipients', text)}
        />

        <div className="field-row">
          <div>
            <label className="field-label" htmlFor={ids.codeNumber}>
              {t('editor.codeNumber')}
            </label>
            <input
              id={ids.codeNumber}
              data-testid="draft-code-number"
              maxLength={32}
              value={form.codeNumber}
              onChange={(e) => set('codeNumber', e.target.value)}
            />
          </div>
          <div>
            <label className="field-label" htmlFor={ids.codeNotation}>
              {t('editor.codeNotation')}
            </label>
            <input
              id={ids.codeNotation}
              data-testid="draft-code-notation"
              maxLength={64}
              value={form.codeNotation}
              onChange={(e) => set('codeNotation', e.target.value)}
            />
          </div>
        </div>

        <DocumentField
          t={t}
          locale={locale}
          documents={draft?.documents ?? []}
          pending={pending}
          busy={busy}
          uploading={uploading}
          onAdd={onAdd}
          onRemoveDocument={(id) => void removeDocument(id)}
          onRemovePending={(index) => setPending((p) => p.filter((_, i) => i !== index))}
        />

        {done === 'saved' && (
          <p className="alert alert-success" role="status" data-testid="draft-saved">
            {t('editor.saved')}
          </p>
        )}
        <SealBlockers t={t} blockers={blockers} level={form.level} />
        {toSeal !== null && (
          <SealConfirm
            t={t}
            locale={locale}
            fields={toSeal}
            documentCount={documentCount}
            agencies={agencies}
            sealing={sealing}
            error={sealError}
            onConfirm={() => void onSealConfirmed()}
            onCancel={() => setToSeal(null)}
          />
        )}
        <div className="actions">
          <button type="submit" className="button" data-testid="draft-save" disabled={busy}>
            {busy && !sealing ? t('editor.saving') : t('editor.save')}
          </button>
          <button
            type="button"
            className="button button-primary"
            data-testid="draft-seal"
            disabled={busy || toSeal !== null}
            onClick={onSealAsked}
          >
            {t('seal.button')}
          </button>
          {draft !== null && (
            <button
              type="button"
              className="button"
              data-testid="draft-delete"
              disabled={busy}
              onClick={() => {
                if (confirmDelete) void remove();
                else setConfirmDelete(true);
              }}
            >
              {confirmDelete ? t('editor.confirmDelete') : t('editor.delete')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
