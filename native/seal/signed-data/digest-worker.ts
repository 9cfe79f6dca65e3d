/**
 * The worker thread of ContentDigester: hashes the batches it is sent with every
 * requested algorithm, acknowledges each (the sender's flow control), and returns the
 * digests at the end. No imports from the project: it only hashes.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

type Inbound = { type: 'data'; bytes: Uint8Array } | { type: 'end' };

const port = parentPort;
if (port === null) throw new Error('digest-worker: not started as a worker thread');
const algorithms = (workerData as { algorithms: string[] }).algorithms;
const hashes: Hash[] = algorithms.map((a) => createHash(a));

port.on('message', (message: Inbound) => {
  if (message.type === 'data') {
    for (const h of hashes) h.update(message.bytes);
    // The batch goes back to the sender for reuse: no garbage piles up in this thread,
    // whose rare garbage collections would otherwise let transferred buffers accumulate.
    const buffer = message.bytes.buffer as ArrayBuffer;
    port.postMessage({ type: 'ack', buffer }, [buffer]);
    return;
  }
  const digests = hashes.map((h) => new Uint8Array(h.digest()));
  port.postMessage({ type: 'digests', digests });
  port.close();
});
