/**
 * Turns an audit report into sentences for the CLI (and later the UI), in Vietnamese or
 * English, from the catalog in audit-messages.ts.
 */
import { auditProblemMessages, auditSummaryMessages } from './audit-messages.ts';
import type { AuditProblem, AuditReport } from './audit-report.ts';

/** The languages of the catalog. */
export type AuditLanguage = 'vi' | 'en';

function fill(template: string, values: Readonly<Record<string, number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** One sentence saying which entries and what happened. */
export function describeAuditProblem(problem: AuditProblem, lang: AuditLanguage): string {
  const texts: { vi: string; en: string; viRange?: string; enRange?: string } =
    auditProblemMessages[problem.problem];
  const range = problem.lastSeq !== problem.seq;
  const template =
    (range ? (lang === 'vi' ? texts.viRange : texts.enRange) : undefined) ?? texts[lang];
  const values: Record<string, number> = { seq: problem.seq, lastSeq: problem.lastSeq };
  if (problem.originalSeq !== undefined) {
    values.originalSeq = problem.originalSeq;
    values.originalLastSeq = problem.originalSeq + (problem.lastSeq - problem.seq);
  }
  return fill(template, values);
}

/** The report as lines: a summary, one line per problem, then what is not protected. */
export function describeAuditReport(report: AuditReport, lang: AuditLanguage): string[] {
  const values = {
    entries: report.entries,
    count: report.problems.length,
    coveredSeq: report.coveredSeq,
    uncovered: report.uncovered,
  };
  const lines = [fill(auditSummaryMessages[report.ok ? 'ok' : 'broken'][lang], values)];
  for (const p of report.problems) lines.push(describeAuditProblem(p, lang));
  if (report.problemsTruncated) lines.push(auditSummaryMessages.truncated[lang]);
  if (report.uncovered > 0) lines.push(fill(auditSummaryMessages.uncovered[lang], values));
  if (report.signerTrust === 'not-checked' && report.checkpoints > 0) {
    lines.push(auditSummaryMessages.trustNotChecked[lang]);
  }
  return lines;
}
