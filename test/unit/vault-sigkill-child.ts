/**
 * Child of vault-sigkill.test.ts (not a test itself): opens the vault with the software
 * key named in its environment and creates drafts (one small document each) as fast as it
 * can, printing `{"ack": i}` on stdout only after each createDraft returned (committed),
 * until it is killed.
 */
import { randomBytes } from 'node:crypto';
import { createDraft, openVault } from '../../native/vault/index.ts';
import { partyKey } from './vault-fixture.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const { vault } = await openVault(env('VAULT_PROFILE'), [
  partyKey(env('VAULT_KEY_PATH'), env('VAULT_CERT_PATH')),
]);
const round = env('VAULT_ROUND');
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for (let i = 0; ; i++) {
  await createDraft(vault, {
    subject: `round ${round} draft ${i}`,
    level: i % 4 === 0 ? 'tuyet-mat' : 'mat',
    recipients: ['000.00.00.G22', '000.00.00.H01'],
    metadata: { round, i },
    documents: [{ name: `doc-${i}.txt`, content: randomBytes(2048 + (i % 7) * 9000) }],
  });
  process.stdout.write(`${JSON.stringify({ ack: i })}\n`);
}
