/**
 * Fixtures for tests on the fault-injecting PKCS#11 module (native/pkcs11-fault): the
 * built module, its control file, and child processes that load it (for what must
 * happen in another process: a crash, a counter that outlives the process, a blocking
 * C_WaitForSlotEvent).
 *
 * The module reads NIEM_FAULT_CONTROL and NIEM_FAULT_TARGET at C_Initialize: call
 * `FaultControl.apply()` before the first TokenService/acquireModule of the module in
 * this process, and pass `env()` to children.
 */
import { spawn } from 'node:child_process';
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildFaultModule } from '../../../scripts/build-fault-module.ts';
import { repoRoot } from '../../../scripts/demo-manifest.ts';
import { softhsmPath } from './softhsm-fixture.ts';

let built: string | undefined;

/** The fault module's path, built (or found up to date) once per process. */
export function faultModule(): string {
  built ??= buildFaultModule();
  return built;
}

/** A control value; booleans are written as 1/0. */
export type ControlValue = string | number | boolean;

/**
 * The control file of one test directory (`DIR/fault-control`) and the PIN state file the
 * module keeps next to it. Every write replaces the file atomically (rename) with a
 * strictly newer mtime, so the module, which re-reads it when its identity or mtime
 * changes, never misses a version.
 */
export class FaultControl {
  /** The control file (NIEM_FAULT_CONTROL). */
  readonly path: string;
  /** The module's persistent PIN retry state. */
  readonly statePath: string;
  readonly #softhsmConf: string | undefined;
  #values: Record<string, ControlValue> = {};
  #stamp = 0;

  /** `softhsmConf`: the SOFTHSM2_CONF children get (default: this process's). */
  constructor(dir: string, softhsmConf?: string) {
    this.path = join(dir, 'fault-control');
    this.statePath = `${this.path}.state`;
    this.#softhsmConf = softhsmConf;
  }

  /** Replaces the whole control file with `values`. */
  set(values: Record<string, ControlValue>): void {
    this.#values = { ...values };
    this.#write();
  }

  /** Adds or changes some keys, keeping the others. */
  patch(values: Record<string, ControlValue>): void {
    this.#values = { ...this.#values, ...values };
    this.#write();
  }

  /** Removes the control file: no faults (the PIN state file is kept; see resetState). */
  clear(): void {
    this.#values = {};
    rmSync(this.path, { force: true });
  }

  /** Forgets the PIN retry counters (every token back to its full count). */
  resetState(): void {
    rmSync(this.statePath, { force: true });
  }

  /** The environment a process that loads the module needs. */
  env(): Record<string, string> {
    const conf = this.#softhsmConf ?? process.env.SOFTHSM2_CONF;
    return {
      NIEM_FAULT_TARGET: softhsmPath,
      NIEM_FAULT_CONTROL: this.path,
      ...(conf === undefined ? {} : { SOFTHSM2_CONF: conf }),
    };
  }

  /** Puts `env()` into this process's environment (before the module is initialized). */
  apply(): void {
    Object.assign(process.env, this.env());
  }

  #write(): void {
    const lines = Object.entries(this.#values).map(([key, value]) => {
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      if (/[\n\r]/.test(key) || /[\n\r]/.test(text)) throw new Error(`bad control entry ${key}`);
      return `${key}=${text}\n`;
    });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `# written by the test fixture\n${lines.join('')}`);
    this.#stamp = Math.max(Date.now(), this.#stamp + 10);
    const stamp = new Date(this.#stamp);
    utimesSync(temporary, stamp, stamp);
    renameSync(temporary, this.path);
  }
}

/** What a child that loaded the module did: its JSON lines, exit code or signal, stderr. */
export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Each stdout line parsed as JSON. */
  lines: Record<string, unknown>[];
  stderr: string;
}

/** What a child does with the token labelled `label`. */
export type ChildAction =
  /** Prints `{flags}` (CK_TOKEN_INFO flags). */
  | 'token-flags'
  /** Opens a session and logs in with NIEM_CHILD_PIN; prints `{ok}` or `{error}`. */
  | 'login'
  /** Prints `{waiting}`, blocks in C_WaitForSlotEvent(0), prints `{slot}` or `{error}`. */
  | 'wait-slot-event'
  /** Three C_Initialize / C_GetSlotList / C_Finalize / close rounds; prints `{slots}` each. */
  | 'init-cycles';

/**
 * The child's program. pkcs11js is resolved from the repository; the PIN comes in the
 * environment, never in argv. Errors print the CKR name (pkcs11js' message).
 */
const childProgram = `
const { createRequire } = require('node:module');
const pkcs11js = createRequire(process.env.NIEM_CHILD_REPO + '/package.json')('pkcs11js');
const print = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
const action = process.env.NIEM_CHILD_ACTION;
const label = process.env.NIEM_CHILD_LABEL;
const open = () => {
  const p = new pkcs11js.PKCS11();
  p.load(process.env.NIEM_CHILD_MODULE);
  p.C_Initialize();
  return p;
};
const slotOf = (p) =>
  p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === label);
const p = open();
if (action === 'token-flags') {
  print({ flags: p.C_GetTokenInfo(slotOf(p)).flags });
} else if (action === 'login') {
  const session = p.C_OpenSession(slotOf(p), pkcs11js.CKF_SERIAL_SESSION);
  try {
    p.C_Login(session, pkcs11js.CKU_USER, process.env.NIEM_CHILD_PIN ?? '');
    print({ ok: true });
  } catch (err) {
    print({ error: err.message });
  }
} else if (action === 'wait-slot-event') {
  print({ waiting: true });
  try {
    const slot = p.C_WaitForSlotEvent(0);
    print({ slot: slot === null ? null : slot.readBigUInt64LE(0).toString() });
  } catch (err) {
    print({ error: err.message });
  }
} else if (action === 'init-cycles') {
  print({ slots: p.C_GetSlotList(false).length });
  p.C_Finalize();
  p.close();
  for (let i = 0; i < 2; i++) {
    const again = open();
    print({ slots: again.C_GetSlotList(false).length });
    again.C_Finalize();
    again.close();
  }
  process.exit(0);
}
p.C_Finalize();
`;

/** A running child: `lines` fills as it prints; `done` settles when it exits. */
export interface FaultChild {
  lines: Record<string, unknown>[];
  /** Resolves once the child printed a line for which `test` is true. */
  waitForLine(test: (line: Record<string, unknown>) => boolean): Promise<void>;
  done: Promise<ChildOutcome>;
}

/** Starts a child process that loads the fault module with `control`'s environment. */
export function startFaultChild(
  control: FaultControl,
  action: ChildAction,
  options: { label: string; pin?: string },
): FaultChild {
  const child = spawn(process.execPath, ['-e', childProgram], {
    // In the test's directory: a crash's core file (where enabled) goes away with it.
    cwd: dirname(control.path),
    // A child that never wakes fails the test (killed: signal SIGKILL) instead of hanging it.
    timeout: 20_000,
    killSignal: 'SIGKILL',
    env: {
      ...process.env,
      ...control.env(),
      NIEM_CHILD_REPO: repoRoot,
      NIEM_CHILD_MODULE: faultModule(),
      NIEM_CHILD_ACTION: action,
      NIEM_CHILD_LABEL: options.label,
      ...(options.pin === undefined ? {} : { NIEM_CHILD_PIN: options.pin }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let pending = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (text.trim() !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
    }
    for (const listener of listeners) listener();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<ChildOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal, lines, stderr });
    });
  });
  const waitForLine = (test: (line: Record<string, unknown>) => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (lines.some(test)) {
          listeners.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`the child ended without the expected line; stderr: ${stderr}`));
        }
      };
      listeners.add(check);
      check();
    });
  return { lines, waitForLine, done };
}

/** Runs a child to the end. */
export function runFaultChild(
  control: FaultControl,
  action: ChildAction,
  options: { label: string; pin?: string },
): Promise<ChildOutcome> {
  return startFaultChild(control, action, options).done;
}
