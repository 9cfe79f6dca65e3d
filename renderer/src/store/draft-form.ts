/**
 * The draft editor's form as plain data, and its check before anything is sent: the
 * same rules as the contract (subject, a level chosen by the clerk, OrganIds, the
 * deadline of "hỏa tốc hẹn giờ"), giving either the fields to save or the problems.
 * Pure functions (no DOM, no store): tested in Node.
 */
import type {
  DraftDetailView,
  DraftFields,
  Level,
  Urgency,
} from '../../../native/api/drafts-contract.ts';

/** What the form holds; `level` is '' until the clerk chooses one. */
export interface DraftForm {
  subject: string;
  level: Level | '';
  urgency: Urgency;
  /** As typed: codes separated by commas, semicolons, spaces or lines. */
  recipients: string;
  codeNumber: string;
  codeNotation: string;
  /** `datetime-local` value (local time, YYYY-MM-DDTHH:mm), '' for none. */
  deadline: string;
}

export type DraftProblem = 'subject' | 'level' | 'recipients' | 'deadline';

export const emptyForm: DraftForm = {
  subject: '',
  level: '',
  urgency: 'thuong',
  recipients: '',
  codeNumber: '',
  codeNotation: '',
  deadline: '',
};

const organId = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An ISO instant as a `datetime-local` value in the workstation's time zone. */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The form of an opened draft. */
export function formOf(draft: DraftDetailView): DraftForm {
  return {
    subject: draft.subject,
    level: draft.level,
    urgency: draft.urgency,
    recipients: draft.recipients.join(', '),
    codeNumber: draft.metadata.codeNumber ?? '',
    codeNotation: draft.metadata.codeNotation ?? '',
    deadline: toLocalInput(draft.metadata.deadline),
  };
}

/** The codes typed in the recipients field (upper-cased, duplicates dropped). */
export function recipientCodes(text: string): string[] {
  const codes = text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  return [...new Set(codes)];
}

/** `text` with `organId` added or removed (codes joined by ", "): the recipient picker's tick. */
export function toggleCode(text: string, organId: string, on: boolean): string {
  const codes = recipientCodes(text).filter((c) => c !== organId);
  return (on ? [...codes, organId] : codes).join(', ');
}

export type DraftCheck =
  { ok: true; fields: DraftFields } | { ok: false; problems: DraftProblem[]; badCodes: string[] };

/** Checks the form; the fields to send when it passes. */
export function checkDraftForm(form: DraftForm): DraftCheck {
  const problems: DraftProblem[] = [];
  const subject = form.subject.trim();
  if (subject === '') problems.push('subject');
  if (form.level === '') problems.push('level');
  const codes = recipientCodes(form.recipients);
  const badCodes = codes.filter((c) => !organId.test(c));
  if (badCodes.length > 0) problems.push('recipients');
  const timed = form.urgency === 'hoa-toc-hen-gio';
  const deadline = timed && form.deadline !== '' ? new Date(form.deadline) : undefined;
  if (timed && (deadline === undefined || Number.isNaN(deadline.getTime()))) {
    problems.push('deadline');
  }
  if (problems.length > 0 || form.level === '') return { ok: false, problems, badCodes };
  const metadata: DraftFields['metadata'] = {};
  if (form.codeNumber.trim() !== '') metadata.codeNumber = form.codeNumber.trim();
  if (form.codeNotation.trim() !== '') metadata.codeNotation = form.codeNotation.trim();
  if (deadline !== undefined) metadata.deadline = deadline.toISOString();
  return {
    ok: true,
    fields: { subject, level: form.level, urgency: form.urgency, recipients: codes, metadata },
  };
}
