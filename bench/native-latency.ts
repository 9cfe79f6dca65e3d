/**
 * Ping latency of the native process while the token is busy: a 2-second signature
 * (injected by the fault module over SoftHSM2) runs in the token host, and the native
 * process is pinged every 20 ms meanwhile. The same pings with the token idle are the
 * baseline measured in the same run. Prints one JSON object.
 *
 *   node bench/native-latency.ts [--op-ms 2000] [--interval-ms 20]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { childSpawner } from '../native/host/child-spawner.ts';
import { NativeSupervisor } from '../native/host/supervisor.ts';
import { FaultControl, faultModule } from '../test/token/helpers/fault-fixture.ts';
import { buildDemo, tempDir } from '../test/token/helpers/softhsm-fixture.ts';

const { values } = parseArgs({
  options: {
    'op-ms': { type: 'string', default: '2000' },
    'interval-ms': { type: 'string', default: '20' },
  },
});
const opMs = Number(values['op-ms']);
const intervalMs = Number(values['interval-ms']);

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted.at(-1) ?? 0),
  };
}

async function pingWhile(native: NativeSupervisor, busy: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (busy()) {
    const t0 = performance.now();
    const result = await native.call('native.ping', {});
    if (!result.ok) throw new Error(`ping failed: ${result.error.kind}`);
    samples.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return samples;
}

const dir = tempDir('niem-bench-latency-');
try {
  const demo = buildDemo(dir.path);
  const control = new FaultControl(dir.path, demo.softhsm2Conf);
  control.set({});
  const native = new NativeSupervisor({
    spawn: childSpawner({
      env: { ...process.env, ...control.env(), NIEM_PKCS11_MODULE: faultModule() },
    }),
  });
  await native.start();
  const token = demo.tokens[0];
  if (!token) throw new Error('demo has no token');
  const list = await native.call('tokens.list', {});
  const info = list.ok ? list.value.find((t) => t.label === token.label) : undefined;
  if (!info) throw new Error('demo token not listed');
  const login = await native.call('session.login', { token: info.id, pin: token.pin });
  if (!login.ok) throw new Error(`login failed: ${login.error.kind}`);

  const baselineEnd = performance.now() + opMs;
  const baseline = await pingWhile(native, () => performance.now() < baselineEnd);

  control.set({ 'latency.C_Sign': opMs, 'latency.C_SignFinal': opMs });
  let signing = true;
  const t0 = performance.now();
  const check = native.call('session.checkKey', {}).finally(() => (signing = false));
  const during = await pingWhile(native, () => signing);
  const result = await check;
  const tokenOpMs = Math.round(performance.now() - t0);
  if (!result.ok) throw new Error(`sign failed: ${result.error.kind}`);
  await native.stop();

  console.log(
    JSON.stringify(
      {
        bench: 'native-latency',
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        injectedTokenOpMs: opMs,
        tokenOpMs,
        signatureVerified: result.value.verified,
        pingMsWhileTokenBusy: summary(during),
        pingMsTokenIdle: summary(baseline),
        target: { pingMsWhileTokenBusyMax: 50 },
      },
      null,
      2,
    ),
  );
} finally {
  dir.dispose();
}
