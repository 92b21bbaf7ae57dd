import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjectingStore, LatencyStore } from '../../src/testing/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe.each(STORE_KINDS)('retries and injected faults: %s', (kind) => {
  let area: TestArea;
  let p: string;

  beforeEach(() => {
    area = createTestArea(kind);
    p = area.prefix;
  });
  afterEach(() => area.cleanup());

  const faulty = (maxAttempts = 4) =>
    new FaultInjectingStore(area.store, {
      requestTimeoutMs: 200,
      retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 5 },
    });

  it('recovers from transient errors and timeouts by retrying', async () => {
    const store = faulty();
    await area.store.put(`${p}k`, bytes('value'));
    store.inject({ kind: 'error', operations: ['get'], times: 2 });
    store.inject({ kind: 'timeout', operations: ['get'], times: 1 });
    area.store.metrics.reset();
    expect(new TextDecoder().decode((await store.get(`${p}k`)).body)).toBe('value');
    const m = store.metrics.snapshot();
    expect(m.requests.get).toBe(4);
    expect(m.retries).toBe(3);
    expect(m.errors).toEqual({ STORE_ERROR: 2, TIMEOUT: 1 });
    expect(store.injected).toEqual({ error: 2, timeout: 1, 'lost-response': 0 });
    expect(area.store.metrics.snapshot().requests.get).toBe(1);
  });

  it('gives up cleanly after the last attempt, with the cause', async () => {
    const store = faulty(3);
    store.inject({ kind: 'error', times: Infinity });
    const error = await failure(store.put(`${p}k`, bytes('x')));
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toContain('503');
    expect(store.metrics.snapshot().requests.put).toBe(3);
    expect((await failure(area.store.get(`${p}k`))).code).toBe('NOT_FOUND');
  });

  it('does not retry what cannot succeed', async () => {
    const store = faulty();
    const error = await failure(store.get(`${p}missing`));
    expect(error.code).toBe('NOT_FOUND');
    expect(store.metrics.snapshot().retries).toBe(0);
  });

  it('shows a lost response to a create-only PUT as a precondition failure on retry', async () => {
    // The write happened, the answer was lost, the retry finds the key taken: callers that
    // create commit records must recognise their own earlier success (DESIGN invariant 4).
    const store = faulty();
    store.inject({ kind: 'lost-response', operations: ['put'] });
    const error = await failure(store.put(`${p}once`, bytes('mine'), { ifNoneMatch: '*' }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(new TextDecoder().decode((await area.store.get(`${p}once`)).body)).toBe('mine');
    expect(store.injected['lost-response']).toBe(1);
  });

  it('injects faults at random with a seed, on matching keys only', async () => {
    const store = new FaultInjectingStore(area.store, {
      seed: 7,
      rules: [{ kind: 'error', probability: 0.3, keys: /noisy/ }],
      retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.put(`${p}noisy/${i}`, bytes(String(i)))),
    );
    await store.put(`${p}quiet`, bytes('q'));
    expect(store.injected.error).toBeGreaterThan(0);
    expect(store.metrics.snapshot().retries).toBe(store.injected.error);
    const listed = [];
    for await (const o of area.store.listAll(`${p}noisy/`)) listed.push(o);
    expect(listed).toHaveLength(40);
  });

  it('adds latency per request and still honours the timeout', async () => {
    const slow = new LatencyStore(area.store, { latencyMs: 30 });
    const started = performance.now();
    await slow.put(`${p}slow`, bytes('x'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    const tooSlow = new LatencyStore(area.store, { latencyMs: 1000, requestTimeoutMs: 20 });
    expect((await failure(tooSlow.get(`${p}slow`))).code).toBe('TIMEOUT');
  });
});
