/**
 * Token operations per second on SoftHSM2, each next to Node's crypto doing the same
 * operation in software in the same run (the peer).
 *
 *   node bench/token-bench.ts [--seconds N]
 *
 * Prints ONE JSON object on stdout (progress goes to stderr); see bench/README.md for
 * the fields. Builds its own temp SoftHSM2 store (the demo RSA-3072 and EC P-384 clerk
 * tokens, plus an EC P-256 token with a derive key) and removes it at the end.
 *
 * Each case is measured three ways, one after the other, each for N seconds:
 *   token   through the TokenService, as the app uses it: every call finds its key by
 *           CKA_ID and runs the token call on pkcs11js' async variant (thread pool)
 *   direct  pkcs11js called synchronously on a kept key handle: SoftHSM2's own speed
 *   node    Node's crypto, same operation, same key type, in software
 */
import { execFileSync } from 'node:child_process';
import {
  constants,
  createHash,
  diffieHellman,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { arch, cpus, platform } from 'node:os';
import { parseArgs } from 'node:util';
import pkcs11js from 'pkcs11js';
import type { ECDH1, Handle, Mechanism } from 'pkcs11js';
import { acquireModule, releaseModule } from '../native/token/pkcs11-module.ts';
import { oaepParameter, planSignature } from '../native/token/token-capabilities.ts';
import { trimPadded } from '../native/token/token-info.ts';
import { findObjects } from '../native/token/token-objects.ts';
import { TokenService, type SignAlgorithm } from '../native/token/token-service.ts';
import {
  buildDemo,
  loadIssuingCa,
  randomId,
  softhsmPath,
  tempDir,
} from '../test/token/helpers/softhsm-fixture.ts';
import { makeOpsToken, pointOf } from '../test/token/helpers/token-ops-fixture.ts';

interface Rate {
  ops: number;
  seconds: number;
  opsPerSecond: number;
}

interface CaseResult {
  name: string;
  operation: 'sign' | 'decrypt' | 'derive';
  key: string;
  algorithm: string;
  token: Rate;
  direct: Rate;
  node: Rate;
  /** token.opsPerSecond / direct.opsPerSecond: what the service keeps of SoftHSM2's speed. */
  tokenToDirectRatio: number;
  /** node.opsPerSecond / token.opsPerSecond. */
  nodeToTokenRatio: number;
}

const P256_PIN = '97531';
const data = randomBytes(256); // about the size of CMS signed attributes

function log(message: string): void {
  process.stderr.write(`token-bench: ${message}\n`);
}

/** Runs `op` back to back for `seconds` (at least once, after one warm-up call). */
async function measure(seconds: number, op: () => unknown): Promise<Rate> {
  await op();
  const limit = seconds * 1000;
  const start = performance.now();
  let ops = 0;
  let elapsed: number;
  do {
    await op();
    ops += 1;
    elapsed = performance.now() - start;
  } while (elapsed < limit);
  return {
    ops,
    seconds: Number((elapsed / 1000).toFixed(3)),
    opsPerSecond: Number((ops / (elapsed / 1000)).toFixed(1)),
  };
}

function softhsmVersion(): string {
  try {
    return execFileSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** A store with the demo tokens and BENCH-P256; returns the conf and the PIN of each label. */
async function buildStore(dir: string): Promise<{ conf: string; pins: Map<string, string> }> {
  const demo = buildDemo(dir);
  await makeOpsToken(
    demo.softhsm2Conf,
    'BENCH-P256',
    P256_PIN,
    await loadIssuingCa(demo),
    {
      commonName: 'Bench (TEST)',
      organisation: 'Bench',
      organisationalUnit: 'Bench',
      organId: '0',
    },
    [{ spec: { algorithm: 'EC P-256', id: randomId() } }],
  );
  const pins = new Map(demo.tokens.map((t) => [t.label, t.pin]));
  pins.set('BENCH-P256', P256_PIN);
  return { conf: demo.softhsm2Conf, pins };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new Error('--seconds takes a number of seconds per case, 0 < N <= 600');
  }
  const dir = tempDir('token-bench');
  // An interrupted run still removes its temp store.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      dir.dispose();
      process.exit(130);
    });
  }
  log(`building a SoftHSM2 store in ${dir.path}`);
  const { conf, pins } = await buildStore(dir.path);
  process.env.SOFTHSM2_CONF = conf;
  const service = await TokenService.open({ modules: [softhsmPath] });
  // The same loaded module (shared in-process); login state is per application, so the
  // service's login serves the direct session too.
  const module = acquireModule(softhsmPath);
  const { pkcs11 } = module;
  const cases: CaseResult[] = [];

  /** Signs in on `label`; returns the certificate's public key and a direct session and key lookup. */
  const signIn = async (label: string) => {
    const token = (await service.listTokens()).find((t) => t.label === label);
    if (!token) throw new Error(`token ${label} missing`);
    await service.login(token.id, pins.get(label) ?? '');
    const publicKey = new X509Certificate(await service.signingCertificate()).publicKey;
    const caps = await service.capabilities();
    const slot = pkcs11
      .C_GetSlotList(true)
      .find((s) => trimPadded(pkcs11.C_GetTokenInfo(s).label) === label);
    if (!slot) throw new Error(`slot of ${label} missing`);
    const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    const keyOf = (hexId: string | undefined): Handle => {
      const [key] = findObjects(pkcs11, session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_ID, value: Buffer.from(hexId ?? '', 'hex') },
      ]);
      if (!key) throw new Error(`key of ${label} missing`);
      return key;
    };
    return { publicKey, caps, session, keyOf, close: () => pkcs11.C_CloseSession(session) };
  };

  const run = async (
    head: Pick<CaseResult, 'name' | 'operation' | 'key' | 'algorithm'>,
    ops: { token: () => Promise<unknown>; direct: () => unknown; node: () => unknown },
  ): Promise<void> => {
    log(`${head.name}: token, direct, node…`);
    const token = await measure(seconds, ops.token);
    const direct = await measure(seconds, ops.direct);
    const node = await measure(seconds, ops.node);
    const ratio = (a: Rate, b: Rate): number =>
      Number((a.opsPerSecond / b.opsPerSecond).toFixed(2));
    cases.push({
      ...head,
      token,
      direct,
      node,
      tokenToDirectRatio: ratio(token, direct),
      nodeToTokenRatio: ratio(node, token),
    });
  };

  try {
    // RSA-3072 (the demo VPCP clerk): sign in both paddings, and OAEP-SHA1 decrypt.
    const rsa = await signIn('VPCP-VANTHU');
    const rsaKey = rsa.keyOf(rsa.caps.keys.sign?.keyId);
    const rsaPeer = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
    const mechanisms = new Map([
      [pkcs11js.CKM_SHA256_RSA_PKCS, pkcs11js.CKF_SIGN],
      [pkcs11js.CKM_SHA256_RSA_PKCS_PSS, pkcs11js.CKF_SIGN],
    ]);
    const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    for (const [algorithm, peerOptions] of [
      ['rsa-pkcs1-sha256', {}],
      ['rsa-pss-sha256', pss],
    ] as const) {
      const plan = planSignature(algorithm, mechanisms, { dataLength: data.length });
      if (!plan) throw new Error(`no plan for ${algorithm}`);
      const mechanism: Mechanism = plan.parameter
        ? { mechanism: plan.mechanism, parameter: plan.parameter }
        : { mechanism: plan.mechanism };
      await run(
        { name: `sign RSA-3072 ${algorithm}`, operation: 'sign', key: 'RSA 3072', algorithm },
        {
          token: () => service.sign({ algorithm, data }),
          direct: () => {
            pkcs11.C_SignInit(rsa.session, mechanism, rsaKey);
            return pkcs11.C_Sign(rsa.session, data, Buffer.alloc(384));
          },
          node: () => sign('sha256', data, { key: rsaPeer, ...peerOptions }),
        },
      );
    }
    const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' };
    const toToken = publicEncrypt({ key: rsa.publicKey, ...oaep }, randomBytes(32));
    const toPeer = publicEncrypt({ key: rsaPeer, ...oaep }, randomBytes(32));
    const oaepMechanism = {
      mechanism: pkcs11js.CKM_RSA_PKCS_OAEP,
      parameter: oaepParameter('sha1'),
    };
    await run(
      {
        name: 'decrypt RSA-3072 rsa-oaep-sha1',
        operation: 'decrypt',
        key: 'RSA 3072',
        algorithm: 'rsa-oaep-sha1',
      },
      {
        token: () => service.decrypt({ algorithm: 'rsa-oaep-sha1', data: toToken }),
        direct: () => {
          pkcs11.C_DecryptInit(rsa.session, oaepMechanism, rsaKey);
          return pkcs11.C_Decrypt(rsa.session, toToken, Buffer.alloc(384));
        },
        node: () => privateDecrypt({ key: rsaPeer, ...oaep }, toPeer),
      },
    );
    rsa.close();

    // ECDSA and ECDH on P-256 (made here) and P-384 (the demo BTP clerk).
    const curves = [
      { label: 'BENCH-P256', curve: 'P-256', algorithm: 'ecdsa-sha256', hash: 'sha256', size: 32 },
      { label: 'BTP-VANTHU', curve: 'P-384', algorithm: 'ecdsa-sha384', hash: 'sha384', size: 48 },
    ] as const;
    for (const { label, curve, algorithm, hash, size } of curves) {
      const ec = await signIn(label);
      const ecKey = ec.keyOf(ec.caps.keys.derive?.keyId);
      const peer = generateKeyPairSync('ec', { namedCurve: curve });
      await run(
        { name: `sign ${curve} ${algorithm}`, operation: 'sign', key: `EC ${curve}`, algorithm },
        {
          token: () => service.sign({ algorithm: algorithm as SignAlgorithm, data }),
          direct: () => {
            pkcs11.C_SignInit(ec.session, { mechanism: pkcs11js.CKM_ECDSA }, ecKey);
            const digest = createHash(hash).update(data).digest();
            return pkcs11.C_Sign(ec.session, digest, Buffer.alloc(2 * size));
          },
          node: () => sign(hash, data, peer.privateKey),
        },
      );
      const other = generateKeyPairSync('ec', { namedCurve: curve });
      const publicPoint = pointOf(other.publicKey);
      const parameter: ECDH1 = {
        type: pkcs11js.CK_PARAMS_EC_DH,
        kdf: pkcs11js.CKD_NULL,
        publicData: publicPoint,
      };
      const derive: Mechanism = { mechanism: pkcs11js.CKM_ECDH1_DERIVE, parameter };
      const template = [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_VALUE_LEN, value: size },
      ];
      await run(
        {
          name: `derive ${curve} ecdh`,
          operation: 'derive',
          key: `EC ${curve}`,
          algorithm: 'ecdh (CKD_NULL)',
        },
        {
          token: () => service.deriveEcdh({ publicPoint }),
          direct: () => {
            const secret = pkcs11.C_DeriveKey(ec.session, derive, ecKey, template);
            pkcs11.C_GetAttributeValue(ec.session, secret, [{ type: pkcs11js.CKA_VALUE }]);
            pkcs11.C_DestroyObject(ec.session, secret);
          },
          node: () => diffieHellman({ privateKey: peer.privateKey, publicKey: other.publicKey }),
        },
      );
      ec.close();
    }
  } finally {
    releaseModule(module);
    await service.close();
    dir.dispose();
  }

  const cpuList = cpus();
  const result = {
    bench: 'token',
    date: new Date().toISOString(),
    secondsPerCase: seconds,
    machine: {
      node: process.version,
      platform: `${platform()} ${arch()}`,
      cpu: cpuList[0]?.model.trim() ?? 'unknown',
      cores: cpuList.length,
      softhsm2: softhsmVersion(),
      module: softhsmPath,
    },
    cases,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`token-bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
