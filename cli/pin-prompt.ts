/**
 * Reads a PIN without echo from the controlling terminal. The PIN lives in a local
 * string only for the call that needs it; it is never logged or written anywhere.
 */
export function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  if (!input.isTTY) return Promise.reject(new Error('stdin is not a terminal'));
  return new Promise((resolve, reject) => {
    let value = '';
    output.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
