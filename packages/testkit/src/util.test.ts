import * as net from 'node:net';
import { ephemeralPortRange, freePorts, portIsFree } from './util';

describe('testkit > freePorts', () => {
  it('hands out distinct bindable ports below the ephemeral range, so no outgoing connection takes one', async () => {
    const [low] = ephemeralPortRange();
    const ports = await freePorts(200);
    expect(new Set(ports).size).toBe(200);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10000);
      expect(p).toBeLessThan(low);
    }
    for (const p of ports.slice(0, 20)) expect(await portIsFree(p)).toBe(true);
  });

  it('skips a port another process listens on, and one it already handed out', async () => {
    const [low] = ephemeralPortRange();
    const span = low - 10000;
    const [busy] = await freePorts(1);
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(busy, '127.0.0.1', resolve));
    try {
      // the draws: the busy port, a free one, that free one again, the busy one, a third
      const [free1, free2] = (await freePorts(2)).filter((p) => p !== busy);
      const draws = [busy, free1, free1, busy, free2].map((p) => (p - 10000 + 0.5) / span);
      const ports = await freePorts(2, '127.0.0.1', () => draws.shift() ?? Math.random());
      expect(ports).toEqual([free1, free2]);
      expect(draws).toEqual([]);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
