/**
 * `niem inbox show|export|refuse|status` and `niem open ID`: a received package as the
 * vault keeps it (metadata, verification, documents with sizes and hashes, status history,
 * notices to the sender), its documents written to a folder the clerk names, and the
 * clerk's statuses (02 refused with a reason; 04, 05, 06), each signed by the token as a
 * notice the next sync sends when the package came through the platform.
 */
import { levels } from '../../native/seal/levels.ts';
import { PackageRefused, type PackageReport } from '../../native/seal/pipeline/index.ts';
import { parseCertificate } from '../../native/seal/signed-data/index.ts';
import { changeInboxStatus, type NoticeIdentity } from '../../native/sync/notices-out.ts';
import {
  arrivalOfInbox,
  exportInboxDocuments,
  getInbox,
  inboxDocuments,
  inboxDocumentsKept,
  inboxNotices,
  inboxStatusHistory,
  inboxVerification,
  openInbox,
  statusChangeProblem,
  trustAnchorCertificates,
  type ClerkStatus,
  type Vault,
} from '../../native/vault/index.ts';
import { formatDateTime } from '../cli-dates.ts';
import { say, type Lang } from '../cli-messages.ts';
import { readCertificates } from '../cli-files.ts';
import { CommandFailure } from '../token-prompt.ts';
import { parseId } from './profile-drafts.ts';
import { subjectCell } from './profile-format.ts';
import { inboxMessages as m } from './profile-inbox-messages.ts';
import { profileMessages } from './profile-messages.ts';
import {
  langsOf,
  usage,
  withVault,
  type ProfileOptions,
  type TokenSession,
} from './profile-session.ts';
import { formatReport } from './seal-command.ts';

type Verdict = 'verified' | 'refused' | 'none';

/** Verified; refused by the checks (a report that failed, or an arrival refused for a cause); or not checked. */
function verdictOf(report: PackageReport | undefined, refusalCode: string | null): Verdict {
  if (report?.committed === true) return 'verified';
  const byChecks = refusalCode !== null && refusalCode !== 'refused-by-clerk';
  return report !== undefined || byChecks ? 'refused' : 'none';
}

/** Everything `inbox show` prints, as plain data (the --json answer). */
function inboxDetail(vault: Vault, id: number) {
  const item = getInbox(vault, id);
  const report = inboxVerification(vault, id);
  const arrival = arrivalOfInbox(vault, id);
  return {
    item,
    verification: {
      verdict: verdictOf(report, arrival?.refusalKind ?? null),
      report: report ?? null,
    },
    arrival:
      arrival === undefined
        ? null
        : {
            senderClaim: arrival.senderClaim,
            senderOrganId: arrival.senderOrganId,
            state: arrival.state,
            refusal:
              arrival.refusalKind === null
                ? null
                : { code: arrival.refusalKind, reason: arrival.refusalReason },
          },
    documents: inboxDocuments(vault, id),
    history: inboxStatusHistory(vault, id),
    notices: inboxNotices(vault, id),
  };
}

function showText(detail: ReturnType<typeof inboxDetail>, l: 'vi' | 'en'): string {
  const f = m.fields[l];
  const { item, verification, arrival } = detail;
  const report = verification.report;
  const lines: string[] = [
    `${f.id}: ${item.id}`,
    `${f.level}: ${levels[item.level][l]}`,
    `${f.status}: ${item.status === null ? '' : `${item.status} ${profileMessages.status[l][item.status]}`}`,
    `${f.register}: ${item.register === null ? '' : `${item.register.number}/${item.register.year}`}`,
    `${f.sender}: ${[item.senderOrganId, item.senderName].filter(Boolean).join(' — ')}`,
    `${f.received}: ${formatDateTime(item.receivedAt)}`,
    `${f.opened}: ${item.openedAt === null ? '' : formatDateTime(item.openedAt)}`,
    `${f.subject}: ${subjectCell(item.subject, item.level, l, item.openedAt !== null)}`,
    `${f.sha}: ${item.packageSha256}`,
    `${f.arrival}: ${arrival === null ? m.fromFile[l] : arrival.senderClaim}`,
    `${f.verification}: ${m.verdict[l][verification.verdict]}`,
  ];
  if (arrival?.refusal) lines.push(`  ${arrival.refusal.reason ?? arrival.refusal.code}`);
  for (const s of report?.signedData?.signers ?? []) {
    const org = [s.organization, s.organizationIdentifier].filter(Boolean).join(' — ');
    lines.push(`  ${say(m.signedBy, l, { name: s.commonName ?? '?', org, verdict: s.verdict })}`);
  }
  if (report !== null) {
    const name = (c: string | undefined): string =>
      c === undefined ? '?' : levels[c as keyof typeof levels][l];
    lines.push(
      `  ${say(m.levelsLine, l, { outside: name(report.levels.outside), inside: name(report.levels.inside) })}`,
    );
  }
  lines.push(`${f.documents}:`);
  if (detail.documents.length === 0) lines.push(`  ${m.noDocuments[l]}`);
  for (const d of detail.documents) {
    lines.push(`  ${d.position + 1}. ${d.name} — ${d.size} byte — SHA-256 ${d.sha256}`);
  }
  lines.push(`${f.history}:`);
  for (const h of detail.history) {
    const note = h.note === null ? '' : ` — ${h.note}`;
    lines.push(
      `  ${formatDateTime(h.at)}  ${h.status} ${profileMessages.status[l][h.status]} — ${h.actor}${note}`,
    );
  }
  if (detail.notices.length > 0) lines.push(`${f.notices}:`);
  for (const n of detail.notices) {
    const when = n.sentAt === null ? '' : ` (${formatDateTime(n.sentAt)})`;
    const why = n.errorCode ?? n.errorKind;
    lines.push(
      `  ${n.status} → ${n.to}: ${m.notice[l][n.state]}${when}${why === null ? '' : ` [${why}]`}`,
    );
  }
  return lines.join('\n');
}

/** `niem inbox show ID [--json]`. */
export async function inboxShowCommand(options: ProfileOptions, idText: string): Promise<string> {
  const id = parseId(idText, options.lang);
  return withVault(options, async (vault) => {
    const detail = inboxDetail(vault, id);
    if (options.json) return JSON.stringify(detail, null, 2);
    return langsOf(options.lang)
      .map((l) => showText(detail, l))
      .join('\n\n');
  });
}

const notVerified = (id: number, lang: Lang): CommandFailure =>
  new CommandFailure(say(m.notVerified, lang, { id }), 1);

/** `niem inbox export ID --out DIR`: the documents kept in the vault, into a folder. */
export async function inboxExportCommand(
  options: ProfileOptions & { out?: string },
  idText: string,
): Promise<string> {
  const { lang } = options;
  const id = parseId(idText, lang);
  if (!options.out) throw usage(lang, '--out');
  const out = options.out;
  return withVault(options, async (vault) => {
    if (!inboxDocumentsKept(vault, id)) throw notVerified(id, lang);
    const path = await exportInboxDocuments(vault, id, out);
    const count = inboxDocuments(vault, id).length;
    if (options.json) return JSON.stringify({ id, path, documents: count });
    return say(m.exported, lang, { count, id, path });
  });
}

/** Who signs the notices of this session: the token, and its certificate's OrganId. */
async function noticeIdentity(session: TokenSession, lang: Lang): Promise<NoticeIdentity> {
  const organId = parseCertificate(session.signingCertificate).subject.organizationIdentifier;
  if (organId === undefined) throw new CommandFailure(say(m.noOrganId, lang), 1);
  return { signer: await session.signer(), organId };
}

async function setStatus(
  options: ProfileOptions,
  id: number,
  status: ClerkStatus,
  note: string | undefined,
): Promise<string> {
  const { lang } = options;
  return withVault(options, async (vault, session) => {
    const problem = statusChangeProblem(vault, id, status, note);
    if (problem === 'reason-required') throw new CommandFailure(say(m.reasonRequired, lang), 2);
    if (problem !== undefined) {
      const from = getInbox(vault, id).status ?? '';
      throw new CommandFailure(say(m.notAllowed, lang, { id, from, to: status }), 1);
    }
    const changed = await changeInboxStatus(
      vault,
      id,
      status,
      await noticeIdentity(session, lang),
      note,
    );
    if (options.json) return JSON.stringify({ id, ...changed });
    return langsOf(lang)
      .map((l) =>
        [
          status === '02'
            ? say(m.refused, l, { id, reason: note ?? '' })
            : say(m.statusSet, l, { id, status, name: profileMessages.status[l][status] }),
          changed.notice ? m.noticeQueued[l] : m.noNotice[l],
        ].join('\n'),
      )
      .join('\n');
  });
}

/** `niem inbox refuse ID --reason TEXT`: status 02, and its notice to the sender. */
export async function inboxRefuseCommand(
  options: ProfileOptions & { reason?: string },
  idText: string,
): Promise<string> {
  const id = parseId(idText, options.lang);
  if (options.reason === undefined || options.reason.trim() === '') {
    throw new CommandFailure(say(m.reasonRequired, options.lang), 2);
  }
  return setStatus(options, id, '02', options.reason.trim());
}

/** `niem inbox status ID 04|05|06 [--note TEXT]`. */
export async function inboxStatusCommand(
  options: ProfileOptions & { note?: string },
  idText: string,
  code: string,
): Promise<string> {
  const id = parseId(idText, options.lang);
  if (code !== '04' && code !== '05' && code !== '06') {
    throw new CommandFailure(say(m.unknownStatus, options.lang), 2);
  }
  return setStatus(options, id, code, options.note);
}

/**
 * `niem open ID --out DIR [--trust CA.pem…]`: opens an inbox package (verified into the
 * vault unless it was on arrival) and writes manifest.json and the documents to DIR. The
 * trust anchors are `--trust`, else the profile's; none are needed for a package verified
 * before.
 */
export async function openInboxCommand(
  options: ProfileOptions & { out?: string; trust: string[] },
  idText: string,
): Promise<string> {
  const { lang } = options;
  const id = parseId(idText, lang);
  if (!options.out) throw usage(lang, '--out');
  const outDir = options.out;
  const given = (await Promise.all(options.trust.map((p) => readCertificates(p, lang)))).flat();
  const label = `inbox #${id}`;
  return withVault(options, async (vault, session) => {
    const kept = inboxDocumentsKept(vault, id);
    const trustAnchors = given.length > 0 ? given : trustAnchorCertificates(vault);
    if (!kept && trustAnchors.length === 0) throw usage(lang, '--trust');
    let opened;
    try {
      opened = await openInbox(vault, id, { keys: await session.keys(), trustAnchors, outDir });
    } catch (err) {
      if (err instanceof PackageRefused) {
        const text = options.json
          ? JSON.stringify({ report: err.report }, null, 2)
          : langsOf(lang)
              .map((l) => formatReport(err.report, l, label))
              .join('\n\n');
        process.stdout.write(`${text}\n`);
      }
      throw err;
    }
    if (options.json) return JSON.stringify(opened, null, 2);
    const register = opened.register;
    return langsOf(lang)
      .map((l) => {
        const done =
          register === null
            ? say(m.openedRefused, l, { id })
            : kept
              ? say(m.openedKept, l, { id, register: say(m.registerSuffix, l, { ...register }) })
              : say(profileMessages.openedInbox, l, { id, ...register });
        return [formatReport(opened.report, l, label), done].join('\n');
      })
      .join('\n\n');
  });
}
