import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isOin, isTestOin, OinError, oinPrefix, parseOin } from '../src/index.js';

describe('parseOin', () => {
  it('accepts a 20-digit OIN for every known prefix', () => {
    for (const prefix of ['00000001', '00000002', '00000003', '00000004', '00000005', '00000006', '00000007', '00000008', '00000009', '00000099']) {
      const value = `${prefix}123456789000`;
      assert.equal(parseOin(value), value);
    }
  });

  it('keeps leading zeros and exposes the prefix', () => {
    const oin = parseOin('00000004123456789000');
    assert.equal(oinPrefix(oin), '00000004');
    assert.equal(isTestOin(oin), false);
    assert.equal(isTestOin(parseOin('00000099000000000001')), true);
  });

  it('rejects a wrong length', () => {
    for (const value of ['', '0000000112345678900', '000000011234567890000', ' 00000001123456789000']) {
      assert.throws(() => parseOin(value), (error: unknown) => error instanceof OinError && error.code === 'OIN_WRONG_LENGTH');
    }
  });

  it('rejects anything but the digits 0-9', () => {
    for (const value of ['0000000112345678900a', '00000001-23456789000', '0000000112345678900 ', '000000011234567890٠٠']) {
      assert.throws(() => parseOin(value), (error: unknown) => error instanceof OinError && error.code === 'OIN_NOT_DIGITS');
    }
  });

  it('rejects an unknown prefix and names the known ones', () => {
    assert.throws(
      () => parseOin('00000010123456789000'),
      (error: unknown) =>
        error instanceof OinError &&
        error.code === 'OIN_UNKNOWN_PREFIX' &&
        error.message.includes('00000010') &&
        error.message.includes('00000099'),
    );
    assert.throws(() => parseOin('12345678901234567890'), /unknown prefix 12345678/);
  });

  it('rejects values that are not strings', () => {
    assert.throws(() => parseOin(20), (error: unknown) => error instanceof OinError && error.code === 'OIN_NOT_A_STRING');
    assert.throws(() => parseOin(undefined), OinError);
  });
});

describe('isOin', () => {
  it('tells OINs from everything else', () => {
    assert.equal(isOin('00000099000000000001'), true);
    assert.equal(isOin('00000099'), false);
    assert.equal(isOin('0000009900000000000x'), false);
    assert.equal(isOin('00000042000000000001'), false);
    assert.equal(isOin(99000000000001), false);
  });
});
