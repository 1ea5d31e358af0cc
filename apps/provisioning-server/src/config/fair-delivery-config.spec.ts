import { describe, expect, it } from 'vitest';
import { parseConfigText } from './deployment-config';

/** `[provisioning] concurrency` and `target_concurrency` (fair delivery, issue 10 item 3). */
describe('deployment.toml delivery slots', () => {
  it('defaults to 16 slots, of which one target may hold 4', () => {
    const { provisioning } = parseConfigText('', 'test.toml');
    expect(provisioning.concurrency).toBe(16);
    expect(provisioning.targetConcurrency).toBe(4);
  });

  it('reads target_concurrency, and keeps the default within a lowered concurrency', () => {
    expect(parseConfigText('[provisioning]\nconcurrency = 32\ntarget_concurrency = 8\n', 'x.toml').provisioning).toMatchObject({ concurrency: 32, targetConcurrency: 8 });
    expect(parseConfigText('[provisioning]\nconcurrency = 2\n', 'x.toml').provisioning).toMatchObject({ concurrency: 2, targetConcurrency: 2 });
  });

  it('names the key, the value and the reason for a wrong target_concurrency', () => {
    expect(() => parseConfigText('[provisioning]\ntarget_concurrency = 0\n', 'x.toml')).toThrow(/provisioning\.target_concurrency = 0/);
    expect(() => parseConfigText('[provisioning]\ntarget_concurrency = 65\n', 'x.toml')).toThrow(/provisioning\.target_concurrency = 65/);
    expect(() => parseConfigText('[provisioning]\ntarget_concurrency = "4"\n', 'x.toml')).toThrow(/provisioning\.target_concurrency = "4"/);
    expect(() => parseConfigText('[provisioning]\nconcurrency = 4\ntarget_concurrency = 6\n', 'x.toml')).toThrow(
      /provisioning\.target_concurrency = 6: must be at most provisioning\.concurrency \(4\)/,
    );
  });

  it('reads the deprovisioning guard (on by default: 50 per 60 minutes; 0 turns it off) and names bad values', () => {
    expect(parseConfigText('', 'x.toml').provisioning).toMatchObject({ deprovisionThreshold: 50, deprovisionWindowMs: 3_600_000, batchSize: 200 });
    expect(parseConfigText('[provisioning]\ndeprovision_threshold = 0\ndeprovision_window_minutes = 5\nbatch_size = 1\n', 'x.toml').provisioning).toMatchObject({ deprovisionThreshold: 0, deprovisionWindowMs: 300_000, batchSize: 1 });
    expect(() => parseConfigText('[provisioning]\ndeprovision_threshold = -1\n', 'x.toml')).toThrow(/deprovision_threshold/);
    expect(() => parseConfigText('[provisioning]\nbatch_size = 0\n', 'x.toml')).toThrow(/batch_size/);
    expect(parseConfigText('', 'x.toml').provisioning.reconcileIntervalMs).toBe(0);
    expect(parseConfigText('[provisioning]\nreconcile_interval_minutes = 30\n', 'x.toml').provisioning.reconcileIntervalMs).toBe(1_800_000);
    expect(() => parseConfigText('[provisioning]\nreconcile_interval_minutes = -5\n', 'x.toml')).toThrow(/reconcile_interval_minutes/);
  });
});
