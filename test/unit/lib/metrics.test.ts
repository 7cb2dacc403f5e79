import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfMetrics } from '../../../lib/metrics.ts';

describe('Adapter: emfMetrics', () => {
  afterEach(() => vi.restoreAllMocks());

  const lines = (act: () => void): Record<string, unknown>[] => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    act();
    return write.mock.calls.map(([line]) => {
      expect(String(line).endsWith('\n')).toBe(true);
      return JSON.parse(String(line)) as Record<string, unknown>;
    });
  };

  it('writes one embedded-metric-format line per metric, with the job and service dimensions', () => {
    // Act
    const [line] = lines(() => emfMetrics.record('thumbnails', 'RunDuration', 12));

    // Assess
    expect(line).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'Longshore',
            Dimensions: [['service', 'job']],
            Metrics: [{ Name: 'RunDuration', Unit: 'Seconds' }],
          },
        ],
      },
      service: 'longshore',
      job: 'thumbnails',
      RunDuration: 12,
    });
  });

  it.each([
    ['RunsStarted', 'Count'],
    ['QueueWait', 'Seconds'],
    ['Cost', 'None'],
  ] as const)('gives %s the unit %s', (name, unit) => {
    // Act
    const [line] = lines(() => emfMetrics.record('j', name, 1));

    // Assess
    expect(line).toMatchObject({ _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: name, Unit: unit }] }] }, [name]: 1 });
  });

  it('counts a fault by its kind', () => {
    // Act
    const [line] = lines(() => emfMetrics.fault('ThrottlingException'));

    // Assess
    expect(line).toMatchObject({
      _aws: {
        CloudWatchMetrics: [{ Dimensions: [['service', 'fault']], Metrics: [{ Name: 'Faults', Unit: 'Count' }] }],
      },
      fault: 'ThrottlingException',
      Faults: 1,
    });
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is true, as Powertools Metrics did (the local flow sets it)', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');

    // Act
    const written = lines(() => {
      emfMetrics.record('thumbnails', 'RunsStarted', 1);
      emfMetrics.fault('ThrottlingException');
    });
    vi.unstubAllEnvs();

    // Assess
    expect(written).toEqual([]);
  });
});
