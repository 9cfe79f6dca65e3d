/**
 * Builds the test-only fault-injecting PKCS#11 module (native/pkcs11-fault/, see its
 * README.md) with the system C compiler:
 *
 *   node scripts/build-fault-module.ts      prints the path of the built module
 *
 * Output: `.tools/pkcs11-fault/niem-pkcs11-fault.so` (gitignored). Rebuilt only when a
 * source file or this script is newer than the output, so calling it before every test
 * file costs a few `stat`s. The compiler writes to a temporary name that is renamed into
 * place, so a concurrent build or a killed one never leaves half a library behind.
 * Needs `cc` (Debian: gcc) and the PKCS#11 header of p11-kit (Debian: libp11-kit-dev).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './demo-manifest.ts';

/** The module's C sources and headers. */
export const faultSourceDir = join(repoRoot, 'native/pkcs11-fault');

/** Where the built module goes. */
export const faultModulePath = join(repoRoot, '.tools/pkcs11-fault/niem-pkcs11-fault.so');

/** The directory holding `p11-kit/pkcs11.h`. */
const p11KitInclude = '/usr/include/p11-kit-1';

const compilerFlags = [
  '-shared',
  '-fPIC',
  '-O2',
  '-g',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-fvisibility=hidden',
  `-I${p11KitInclude}`,
];

/** A missing build prerequisite, said in Vietnamese and English with the Debian package. */
export class FaultModuleToolchainError extends Error {
  constructor(vi: string, en: string) {
    super(`${vi}\n${en}`);
    this.name = 'FaultModuleToolchainError';
  }
}

function newestMtime(paths: string[]): number {
  return Math.max(...paths.map((p) => statSync(p).mtimeMs));
}

function checkToolchain(): void {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new FaultModuleToolchainError(
      'Không tìm thấy trình biên dịch C (`cc`) để dựng mô-đun PKCS#11 giả lập lỗi. Cài gói Debian: apt-get install gcc',
      'No C compiler (`cc`) to build the fault-injecting PKCS#11 module. Install the Debian package: apt-get install gcc',
    );
  }
  if (!existsSync(join(p11KitInclude, 'p11-kit/pkcs11.h'))) {
    throw new FaultModuleToolchainError(
      `Thiếu tệp tiêu đề PKCS#11 ${p11KitInclude}/p11-kit/pkcs11.h. Cài gói Debian: apt-get install libp11-kit-dev`,
      `The PKCS#11 header ${p11KitInclude}/p11-kit/pkcs11.h is missing. Install the Debian package: apt-get install libp11-kit-dev`,
    );
  }
}

/**
 * Builds the module when it is missing or older than its sources; returns its absolute
 * path. Throws FaultModuleToolchainError when `cc` or the header is missing, and the
 * compiler's own message when the sources do not compile.
 */
export function buildFaultModule(): string {
  const sources = readdirSync(faultSourceDir)
    .filter((name) => name.endsWith('.c'))
    .sort()
    .map((name) => join(faultSourceDir, name));
  const headers = readdirSync(faultSourceDir)
    .filter((name) => name.endsWith('.h'))
    .map((name) => join(faultSourceDir, name));
  const inputs = [...sources, ...headers, fileURLToPath(import.meta.url)];
  if (existsSync(faultModulePath) && statSync(faultModulePath).mtimeMs >= newestMtime(inputs)) {
    return faultModulePath;
  }
  checkToolchain();
  mkdirSync(join(faultModulePath, '..'), { recursive: true });
  const temporary = `${faultModulePath}.${process.pid}.tmp`;
  try {
    execFileSync('cc', [...compilerFlags, '-o', temporary, ...sources, '-ldl', '-lpthread'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    renameSync(temporary, faultModulePath);
  } catch (err) {
    rmSync(temporary, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`cc failed to build ${faultModulePath}\n${stderr}`.trimEnd(), { cause: err });
  }
  return faultModulePath;
}

if (import.meta.main) {
  try {
    process.stdout.write(`${buildFaultModule()}\n`);
  } catch (err) {
    process.stderr.write(
      `build-fault-module: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }
}
