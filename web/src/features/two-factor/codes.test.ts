import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticatorCode, groupSecret, recoveryCode, recoveryCodesFile } from './codes.ts';

describe('authenticatorCode', () => {
  it('keeps six digits and drops the spaces and dashes apps and pasting add', () => {
    assert.equal(authenticatorCode('123456'), '123456');
    assert.equal(authenticatorCode(' 123 456 '), '123456');
    assert.equal(authenticatorCode('123-456'), '123456');
    assert.equal(authenticatorCode('012345'), '012345');
  });

  it('refuses anything else', () => {
    for (const text of ['', '12345', '1234567', '12345a', '１２３４５６', 'abcd-efgh-jkmn']) assert.equal(authenticatorCode(text), null, text);
  });
});

describe('recoveryCode', () => {
  it('normalises case, spaces and dashes to the form the server hands out', () => {
    assert.equal(recoveryCode('abcd-efgh-jkmn'), 'abcd-efgh-jkmn');
    assert.equal(recoveryCode(' ABCD EFGH JKMN '), 'abcd-efgh-jkmn');
    assert.equal(recoveryCode('abcdefgh2345'), 'abcd-efgh-2345');
  });

  it('refuses what cannot be one', () => {
    for (const text of ['', '123456', 'abcd-efgh-jkm', 'abcd-efgh-jkmnp', 'abcd_efgh_jkmn', 'abcd-éfgh-jkmn']) assert.equal(recoveryCode(text), null, text);
  });
});

describe('groupSecret', () => {
  it('groups the Base32 secret in fours', () => {
    assert.equal(groupSecret('JBSWY3DPEHPK3PXP'), 'JBSW Y3DP EHPK 3PXP');
    assert.equal(groupSecret('JBSWY3DPEHPK3PXPAB'), 'JBSW Y3DP EHPK 3PXP AB');
  });

  it('drops padding and stray spaces, and upper-cases', () => {
    assert.equal(groupSecret('jbswy3dp ehpk3pxp===='), 'JBSW Y3DP EHPK 3PXP');
    assert.equal(groupSecret(''), '');
  });
});

describe('recoveryCodesFile', () => {
  it('names the account, then lists one code a line', () => {
    assert.equal(
      recoveryCodesFile('Reach recovery codes', 'ada@example.com', ['aaaa-bbbb-cccc', 'dddd-eeee-ffff']),
      'Reach recovery codes\nada@example.com\n\naaaa-bbbb-cccc\ndddd-eeee-ffff\n',
    );
  });
});
