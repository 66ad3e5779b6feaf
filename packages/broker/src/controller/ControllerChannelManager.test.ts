import { setLogLevel, setLogSink } from '@kzoo/common';
import { ControllerChannelManager } from './ControllerChannelManager';

describe('broker > ControllerChannelManager', () => {
  afterEach(() => {
    setLogSink((line) => process.stderr.write(line + '\n'));
    setLogLevel('warn');
  });

  it('a broker whose host does not resolve: one warning, not one per 100 ms retry', async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    setLogLevel('warn');
    const channel = new ControllerChannelManager({ controllerId: 1, retryBackoffMs: 20 });
    try {
      channel.addBroker(2, 'no-such-host.invalid', 9092);
      channel.sendRequest(2, 6, {} as never);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      channel.shutdown();
    }
    const warnings = lines.filter((l) => /WARN/.test(l));
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/controller request to broker failed; retrying/);
    expect(warnings[0]).toMatch(/no-such-host\.invalid|ENOTFOUND|EAI_AGAIN/);
  });
});
