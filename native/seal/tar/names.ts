/**
 * The rule for the names of a package's files (tar members and manifest documents).
 *
 * A name is a single file name: no folders. Nested folders would bring directory
 * creation, file/folder clashes (`a` and `a/b`), case clashes of folders, symlinked
 * parents and Windows path-length limits into every open, for no need of the domain
 * (an edXML message carries a flat list of attachments). So `/` is refused like `\`.
 *
 * A safe name: 1–255 UTF-8 bytes; no control characters (C0, DEL, C1) and no
 * bidirectional-override characters (which can disguise `gpj.exe` as `exe.jpg`); none
 * of `/ \ : * ? " < > |`; not `.` or `..`; no trailing dot or space; not a Windows device
 * name (CON, PRN, AUX, NUL, COM0–9, LPT0–9 and their superscript-digit forms, CONIN$,
 * CONOUT$, CLOCK$) with or without extension, in any case. Two names clash when they
 * are equal after NFC normalisation and lower-casing (Windows and macOS folders are
 * case-insensitive; macOS normalises).
 */
import path from 'node:path';
import { NiemError } from '../../api/errors.ts';

export const MAX_NAME_BYTES = 255;

/** The name of the first member of every Niêm body. */
export const MANIFEST_NAME = 'manifest.json';

const encoder = new TextEncoder();

// C0, DEL, C1; then LRM, RLM, ALM, the embeddings/overrides and the isolates.
const forbiddenChars =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069/\\:*?"<>|]/u;
const windowsDevice = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/u;

/** Why a name is unsafe, in English for the log, or null when it is safe. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (encoder.encode(name).length > MAX_NAME_BYTES) return `longer than ${MAX_NAME_BYTES} bytes`;
  if (name.isWellFormed() === false) return 'not valid Unicode';
  const bad = forbiddenChars.exec(name);
  if (bad !== null) {
    const ch = bad[0];
    if (ch === '/') return name.startsWith('/') ? 'absolute path' : 'contains a folder separator';
    if (ch === '\\') return 'contains a backslash';
    if (ch === ':') return /^[A-Za-z]:/.test(name) ? 'drive letter' : 'contains a colon';
    return `contains the forbidden character U+${ch.codePointAt(0)?.toString(16).padStart(4, '0')}`;
  }
  if (name === '.' || name === '..') return 'dot segment';
  if (name.endsWith('.') || name.endsWith(' ')) return 'ends with a dot or a space';
  const stem = (name.split('.')[0] ?? '').trimEnd().toLowerCase();
  if (windowsDevice.test(stem)) return 'reserved Windows device name';
  return null;
}

export function isSafeName(name: string): boolean {
  return unsafeNameReason(name) === null;
}

/** Throws `unsafe-name` unless the name is safe. The message never repeats the name. */
export function assertSafeName(name: string, what = 'member name'): void {
  const reason = unsafeNameReason(name);
  if (reason !== null) throw new NiemError('unsafe-name', `Unsafe ${what}: ${reason}`);
}

/** The key under which two names clash: NFC, lower case. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * The path where `name` goes inside `dir`: checks the name, resolves, and checks again
 * that the result is a direct child of `dir` (no way out by any route). Throws
 * `unsafe-name`.
 */
export function safeOutputPath(dir: string, name: string): string {
  assertSafeName(name);
  const base = path.resolve(dir);
  const target = path.resolve(base, name);
  if (path.dirname(target) !== base || path.basename(target) !== name) {
    throw new NiemError('unsafe-name', 'Unsafe member name: resolves outside the output folder');
  }
  return target;
}
