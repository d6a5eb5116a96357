import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RecipientCircuits } from '../src/delivery/circuit-breaker.js';

describe('RecipientCircuits', () => {
  const policy = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 3_000 };
  const setup = () => {
    let now = 0;
    const circuits = new RecipientCircuits(policy, () => now);
    return { circuits, advance: (ms: number) => (now += ms) };
  };

  it('stays closed below the threshold, and a recipient that answers resets the count', () => {
    const { circuits } = setup();
    circuits.record('r', 'failed');
    circuits.record('r', 'failed');
    circuits.record('r', 'refused'); // an answer: the recipient is up
    circuits.record('r', 'failed');
    circuits.record('r', 'failed');
    assert.equal(circuits.state('r'), 'closed');
    assert.equal(circuits.room('r', 8, 3), 5);
  });

  it('opens after the threshold, half-opens for one probe, and doubles the open time after a failed probe', () => {
    const { circuits, advance } = setup();
    for (let failure = 0; failure < 3; failure++) circuits.record('r', 'failed');
    assert.equal(circuits.state('r'), 'open');
    assert.equal(circuits.room('r', 8, 0), 0);
    advance(999);
    assert.equal(circuits.state('r'), 'open');
    advance(1);
    assert.equal(circuits.state('r'), 'half-open');
    assert.equal(circuits.room('r', 8, 0), 1, 'one probe');
    circuits.started('r');
    assert.equal(circuits.room('r', 8, 1), 0, 'no second attempt while the probe is out');
    circuits.record('r', 'failed');
    assert.equal(circuits.state('r'), 'open');
    advance(1_999);
    assert.equal(circuits.state('r'), 'open', 'open twice as long');
    advance(1);
    circuits.started('r');
    circuits.record('r', 'failed');
    advance(2_999);
    assert.equal(circuits.state('r'), 'open', 'capped at maxOpenMs');
    advance(1);
    circuits.started('r');
    circuits.record('r', 'delivered');
    assert.equal(circuits.state('r'), 'closed');
    assert.equal(circuits.room('r', 8, 0), 8);
  });

  it('keeps recipients apart, and Poort\'s own problems do not count against a recipient', () => {
    const { circuits } = setup();
    for (let failure = 0; failure < 3; failure++) circuits.record('down', 'failed');
    for (let failure = 0; failure < 5; failure++) circuits.record('up', 'undeliverable');
    assert.equal(circuits.state('down'), 'open');
    assert.equal(circuits.state('up'), 'closed');
  });
});
