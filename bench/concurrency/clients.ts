// A load-generator process of the concurrency benchmark: holds a share of the web-chat citizens or
// of the operators' sockets, and takes orders from the runner over IPC. Several of these run at
// once so that no single client process has to hold 10,000 sockets.
import { io, type Socket } from 'socket.io-client';

type Order =
  | { cmd: 'connect'; base: string; kind: 'citizens'; slugs: string[]; count: number; offset: number; width: number }
  | { cmd: 'connect'; base: string; kind: 'agents'; tokens: string[]; count: number; offset: number; width: number }
  | { cmd: 'send'; count: number; perSecond: number; run: string }
  | { cmd: 'report' }
  | { cmd: 'close' };

const sockets: Socket[] = [];
let received = 0;
const receivedLatency: number[] = [];

function open(url: string, auth: Record<string, unknown>, readyEvent: 'session' | 'connect'): Promise<Socket> {
  return new Promise((ok, fail) => {
    const s = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
    s.once(readyEvent, () => ok(s));
    s.once('connect_error', (e) => {
      s.close();
      fail(e);
    });
  });
}

async function connectAll(
  o: Extract<Order, { cmd: 'connect' }>,
): Promise<{ connected: number; failed: number; ms: number; errors: string[] }> {
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  const errors = new Set<string>();
  await Promise.all(
    Array.from({ length: Math.min(o.width, o.count) }, async () => {
      while (next < o.count) {
        const i = o.offset + next++;
        try {
          if (o.kind === 'citizens') {
            sockets.push(await open(`${o.base}/webchat`, { tenant: o.slugs[i % o.slugs.length] }, 'session'));
          } else {
            const s = await open(`${o.base}/agent`, { token: o.tokens[i % o.tokens.length], presence: 'online' }, 'connect');
            s.on('message.created', (p: { message?: { text?: string | null } }) => {
              received++;
              const m = /^bench t=(\d+)/.exec(p.message?.text ?? '');
              if (m) receivedLatency.push(Date.now() - Number(m[1]));
            });
            sockets.push(s);
          }
        } catch (err) {
          failed++;
          errors.add((err as Error).message);
        }
      }
    }),
  );
  return { connected: sockets.length, failed, ms: Math.round(performance.now() - t0), errors: [...errors].slice(0, 3) };
}

/** Sends `count` messages from distinct citizens, paced at `perSecond`; latency = until the stored-ack. */
async function send(o: Extract<Order, { cmd: 'send' }>): Promise<{ ok: number; failed: number; latency: number[]; ms: number }> {
  const latency: number[] = [];
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < o.count; i++) {
    const due = t0 + (i * 1000) / o.perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const s = sockets[i % sockets.length];
    const sentAt = performance.now();
    pending.push(
      new Promise<void>((done) => {
        s.timeout(30_000).emit(
          'message',
          { text: `bench t=${Date.now()} ${o.run} ${i}`, clientMessageId: `${o.run}-${i}` },
          (err: Error | null, ack: { ok: boolean }) => {
            if (!err && ack?.ok) {
              ok++;
              latency.push(performance.now() - sentAt);
            } else failed++;
            done();
          },
        );
      }),
    );
  }
  await Promise.all(pending);
  return { ok, failed, latency, ms: Math.round(performance.now() - t0) };
}

process.on('message', (o: Order) => {
  void (async () => {
    switch (o.cmd) {
      case 'connect':
        process.send!({ cmd: 'connect', ...(await connectAll(o)) });
        break;
      case 'send':
        process.send!({ cmd: 'send', ...(await send(o)) });
        break;
      case 'report':
        process.send!({ cmd: 'report', received, latency: receivedLatency.splice(0) });
        break;
      case 'close':
        for (const s of sockets) s.close();
        process.send!({ cmd: 'close' }, () => process.exit(0));
        break;
    }
  })().catch((err: Error) => process.send!({ cmd: 'error', message: err.message }));
});
process.send!({ cmd: 'ready' });
