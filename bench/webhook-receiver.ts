/**
 * The webhook receiver for `npm run bench`: answers 204 to every POST and counts events by type.
 * It runs in its own process so that receiving never slows the load generator's event loop,
 * which would show up as a slower sandbox. bench/run.ts asks for the counts over IPC.
 *
 *   tsx bench/webhook-receiver.ts      (prints its URL; answers a 'counts' message with the counts)
 */
import http from 'node:http';

const received = new Map<string, number>();
let total = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let type = 'unparsable';
    try {
      type = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: unknown }).type);
    } catch { /* counted as unparsable */ }
    received.set(type, (received.get(type) ?? 0) + 1);
    total++;
    res.writeHead(204).end();
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`Webhook receiver listening on http://127.0.0.1:${port}/hooks/nimbus`);
});

process.on('message', (message) => {
  if (message === 'counts') process.send?.({ total, byType: Object.fromEntries([...received].sort()) });
});
// Started by bench/run.ts with an IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));
