/**
 * The whole exchange path of a large package through the real CLI, measured: peak RSS and
 * time of every `niem` command a clerk runs to send a `--mib` MiB document (default 1 GiB)
 * to another agency and to receive it there, so that the claim "a 1 GiB package syncs
 * within the sealed-package memory bound of 160 MiB peak RSS" can be checked with one
 * command. A measurement, not a test: no figure is asserted, but every step is checked to
 * have done what it says, and a run that did not work prints no figures (exit 1).
 *
 *   source scripts/env.sh
 *   node bench/exchange-sync-gib.ts [--mib 1024] [--dir DIR] [--keep] > sync-gib.json
 *
 * On the demo PKI and SoftHSM2 tokens (`node scripts/demo-pki.ts --quiet`, run first):
 * a platform (`niem platform init`, `platform admin directory import`, `platform serve`
 * in its own process, a free port), clerk A (VPCP-VANTHU, RSA-3072) and clerk B
 * (BTP-VANTHU, EC P-384) with their profiles, first syncs (./exchange-sync-gib-clerks.ts);
 * then, each step timed (./exchange-sync-gib-steps.ts): A's sync with nothing to do (the
 * baseline), A's `draft create` of a random document and `seal`, A's sync (upload,
 * receipt), B's sync (download, verify into the vault, register, notices 01 and 03 sent),
 * B's `inbox export` (the document compared with the source by SHA-256), A's sync (the
 * notices: delivered). Then the peer: openssl sealing and opening the same document
 * (./exchange-sync-gib-peer.ts).
 *
 * `--dir` is the parent of the work dir (default the OS temp dir; it needs about ten times
 * the size free); the work dir is removed at the end, also on failure or Ctrl-C, unless
 * `--keep`. One JSON object on stdout, progress on stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machineFacts, round1 } from './bench-child.ts';
import { opensslPeer } from './exchange-sync-gib-peer.ts';
import { runningPlatforms, startBenchPlatform, type BenchPlatform } from './exchange-platform.ts';
import {
  demoClerks,
  initPlatform,
  listInbox,
  listOutbox,
  sync,
} from './exchange-sync-gib-clerks.ts';
import {
  cliRunner,
  expect,
  parseJson,
  repoRoot,
  sha256File,
  writeRandomFile,
  type CliRunner,
  type SealAnswer,
  type StepFigures,
} from './exchange-sync-gib-steps.ts';

const MiB = 1024 * 1024;
const TARGETS = { peakRssMiB: 160 };
const USAGE = `node bench/exchange-sync-gib.ts [--mib N] [--dir DIR] [--keep] [--help]

Peak RSS and time of the whole exchange path of an N MiB document (default 1024) through
the real CLI (node cli/niem.js) on the demo SoftHSM2 tokens: draft, seal, sync (upload),
sync (receive), inbox export, sync (notices), with a platform in its own process, and
openssl opening a package of the same size. One JSON object on stdout, progress on stderr.

  --mib N    size of the document in MiB (default 1024; --mib 4 is the smoke run)
  --dir DIR  parent of the work dir (default: the OS temp dir; needs ≈10 × N MiB free)
  --keep     keep the work dir (its path is printed on stderr)
  --help     this text
`;

/** The command line; an unknown option or a bad value throws with the usage. */
function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        mib: { type: 'string' },
        dir: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, {
      cause: err,
    });
  }
  const sizeMiB = values.mib === undefined ? 1024 : Number(values.mib);
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1)
    throw new Error(`--mib: a positive integer\n\n${USAGE}`);
  return { sizeMiB, dir: values.dir, keep: values.keep, help: values.help };
}
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The exchange, every step checked; `work` holds the profiles, the source and the export. */
async function exchange(cli: CliRunner, work: string, url: string, sizeMiB: number) {
  const { a, b, caChain } = demoClerks(work);
  const first = ['--platform', url, '--trust', caChain];
  progress('clerks: init and first sync (directory, trust)…');
  await cli.run('a-init', [...a.profileArgs, 'init'], a.env);
  await sync(cli, 'a-first-sync', a, first);
  await cli.run('b-init', [...b.profileArgs, 'init'], b.env);
  await sync(cli, 'b-first-sync', b, first);

  progress('baseline: sync of A with nothing to do…');
  const baseline = await sync(cli, 'baseline-sync', a);
  expect(baseline.report.sent === 0 && baseline.report.received === 0, 'baseline: nothing to do');

  const source = join(work, 'mot-gib.bin');
  progress(`writing ${sizeMiB} MiB of random bytes…`);
  const sourceSha256 = writeRandomFile(source, sizeMiB);

  progress('draft create…');
  // prettier-ignore
  const draftRun = await cli.run('draft-create', [...a.profileArgs, 'draft', 'create', '--subject',
    `Một gói ${sizeMiB} MiB`, '--level', 'mat', '--to', b.organId, source, '--json'], a.env);
  const draftId = parseJson<{ id: number }>(draftRun, 'draft create').id;
  expect(Number.isInteger(draftId) && draftId > 0, 'draft create: an id', draftRun.stdout);

  progress('seal…');
  const sealRun = await cli.run(
    'seal',
    [...a.profileArgs, 'seal', String(draftId), '--json'],
    a.env,
  );
  const sealed = parseJson<SealAnswer>(sealRun, 'seal');
  expect(sealed.level === 'mat' && sealed.recipients.includes(b.organId), 'seal: to B', sealed);
  expect(sealed.bytes > sizeMiB * MiB, 'seal: the package holds the document', sealed);
  const queued = (await listOutbox(cli, a)).find((r) => r.id === sealed.outboxId);
  expect(queued?.transportState === 'queued', 'seal: the outbox row is queued', queued);

  progress('sync of A: upload…');
  const upload = await sync(cli, 'sync-upload', a);
  expect(upload.report.sent === 1, 'sync (upload): one package sent', upload.report);
  const sent = (await listOutbox(cli, a)).find((r) => r.id === sealed.outboxId);
  expect(
    sent?.transportState === 'sent' &&
      sent.receipt &&
      sent.bytesDone === sent.size &&
      sent.size === sealed.bytes &&
      sent.packageSha256 === sealed.packageSha256,
    'sync (upload): the row is sent, the whole package, with the receipt',
    sent,
  );

  progress('sync of B: receive…');
  const receive = await sync(cli, 'sync-receive', b);
  const rr = receive.report;
  expect(rr.received === 1 && rr.noticesSent === 2, 'sync (receive): one package, 2 notices', rr);
  const inbox = await listInbox(cli, b);
  const row = inbox[0];
  expect(
    inbox.length === 1 &&
      row?.packageSha256 === sealed.packageSha256 &&
      row.status === '03' &&
      row.register !== null &&
      row.senderOrganId === a.organId,
    'sync (receive): one inbox row, the package, registered (03), from A',
    inbox,
  );

  progress('inbox export…');
  const out = join(work, 'nhan');
  // prettier-ignore
  const exportRun = await cli.run('inbox-export', [...b.profileArgs, 'inbox', 'export',
    String(row.id), '--out', out, '--json'], b.env);
  const exported = parseJson<{ documents: number }>(exportRun, 'inbox export');
  expect(exported.documents === 1, 'inbox export: one document', exported);
  const documentIdentical = (await sha256File(join(out, basename(source)))) === sourceSha256;
  expect(documentIdentical, 'inbox export: the document is the source byte for byte');
  rmSync(out, { recursive: true, force: true });

  progress('sync of A: notices…');
  const notices = await sync(cli, 'sync-notices', a);
  const nr = notices.report;
  expect(nr.delivered === 1 && nr.notices === 2, 'sync (notices): delivered, 2 notices', nr);
  const delivered = (await listOutbox(cli, a)).find((r) => r.id === sealed.outboxId);
  const statuses = delivered?.notices.map((n) => `${n.status}:${n.from}`).sort();
  expect(
    delivered?.transportState === 'delivered' &&
      delivered.receipt &&
      JSON.stringify(statuses) === JSON.stringify([`01:${b.organId}`, `03:${b.organId}`]),
    'sync (notices): the row is delivered, holds the receipt and the notices 01 and 03',
    delivered,
  );

  const steps: Record<string, StepFigures> = {
    baselineSync: baseline.figures,
    draftCreate: draftRun.figures,
    seal: sealRun.figures,
    syncUpload: upload.figures,
    syncReceive: receive.figures,
    inboxExport: exportRun.figures,
    syncNotices: notices.figures,
  };
  const checks = {
    packageSent: true,
    receiptHeld: sent.receipt,
    inboxRows: inbox.length,
    registered: row.register,
    noticesBack: statuses,
    delivered: delivered.transportState === 'delivered',
  };
  return { steps, source, sourceSha256, packageBytes: sealed.bytes, documentIdentical, checks };
}

async function main(): Promise<void> {
  const values = options();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sizeMiB = values.sizeMiB;
  const parent = resolve(values.dir ?? tmpdir());
  const fs = statfsSync(parent);
  const needMiB = 10 * sizeMiB + 512;
  if (fs.bavail * fs.bsize < needMiB * MiB) {
    throw new Error(`${parent} has less than the ${needMiB} MiB free the run needs (--dir)`);
  }
  const loadAtStart = loadavg().map(round1);
  progress('demo PKI and tokens (scripts/demo-pki.ts --quiet)…');
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'demo-pki.ts'), '--quiet'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const work = mkdtempSync(join(parent, 'niem-sync-gib-'));
  const filesystem = execFileSync('stat', ['-f', '-c', '%T', work], { encoding: 'utf8' }).trim();
  let platform: BenchPlatform | undefined;
  const cli = cliRunner(work, () => platform?.cpuSeconds() ?? 0);
  const cleanup = (): void => {
    cli.killRunning();
    for (const child of runningPlatforms) child.kill('SIGKILL');
    if (values.keep) progress(`work dir kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress(`work dir ${work} (${filesystem}); platform…`);
    const { pkiDir } = demoClerks(work);
    initPlatform(join(work, 'truc-init'), pkiDir);
    platform = await startBenchPlatform(join(work, 'truc-init'), join(work, 'truc'));
    progress(`platform ${platform.url} (pid ${platform.pid})`);

    const run = await exchange(cli, work, platform.url, sizeMiB);
    for (const [name, f] of Object.entries(run.steps)) progress(`  ${name}: ${JSON.stringify(f)}`);
    const workDirMiB = Number(
      execFileSync('du', ['-sm', work], { encoding: 'utf8' }).split('\t')[0],
    );
    const platformUsage = await platform.stop();
    platform = undefined;

    const peer = await opensslPeer(
      join(work, 'peer'),
      run.source,
      run.sourceSha256,
      sizeMiB,
      progress,
    );
    if (peer.ran) progress(`  peer open: ${JSON.stringify(peer.open)}`);

    const met = {
      syncUpload: (run.steps.syncUpload?.peakRssMiB ?? Infinity) <= TARGETS.peakRssMiB,
      syncReceive: (run.steps.syncReceive?.peakRssMiB ?? Infinity) <= TARGETS.peakRssMiB,
    };
    const result = {
      bench: 'exchange-sync-gib',
      date: new Date().toISOString(),
      machine: {
        ...machineFacts(),
        memoryGiB: round1(totalmem() / 1024 ** 3),
        /** 1, 5 and 15 minute load averages: other work on the machine shows here. */
        loadAverage: { start: loadAtStart, end: loadavg().map(round1) },
      },
      sizeMiB,
      packageBytes: run.packageBytes,
      workDir: { filesystem, peakMiB: workDirMiB },
      documentIdentical: run.documentIdentical,
      checks: run.checks,
      steps: run.steps,
      platform: { ...platformUsage, note: 'its own process, not counted in the steps' },
      peer,
      targets: TARGETS,
      met,
      notes: [
        "Each step is `/usr/bin/time -f '%M %e %U %S' node cli/niem.js …` (node: this bench's Node 24) with the clerk's PIN in NIEM_PIN: seconds = %e, peakRssMiB = %M (the largest process of the tree: the launcher cli/niem.js, ≈45 MiB, starts the CLI in a child Node 24 with --max-semi-space-size=1, and that child does the work, SoftHSM2 loaded in it), cpuSeconds = %U + %S of the whole tree.",
        'Tokens: the demo SoftHSM2 tokens of scripts/demo-pki.ts, VPCP-VANTHU (RSA-3072) sends to BTP-VANTHU (EC P-384), level mat. Sync steps run with --json (the report is checked); every step is checked (outbox and inbox rows, receipt, register, notices, the exported document against the source by SHA-256) and a run that fails a check prints nothing on stdout and exits 1.',
        'baselineSync: the CLI starting, signing in on the token, opening the vault and signing in to the platform with nothing to send or receive. The CLI runs the TypeScript sources (Node type stripping, the compile cache in .tools/compile-cache warmed by the setup steps).',
        'The platform is `niem platform serve --json` (NODE_ENV=production, TLS on 127.0.0.1, a free port, SQLite) in its own process: its CPU is platformCpuSeconds of each step and its peak RSS is under `platform`, neither counted in the steps. otherCpuSeconds is the busy time of every core (/proc/stat) during the step minus the CLI tree and the platform: other work on this shared machine.',
        `Work dir on ${filesystem} under ${parent} (the source document, both profiles, the platform's store, the export; removed at the end): the disk is in the figures.`,
      ],
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (platform !== undefined) await platform.stop().catch(() => undefined);
    cleanup();
  }
}

try {
  await main();
} catch (err) {
  progress(`exchange-sync-gib: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
