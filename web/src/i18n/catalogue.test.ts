import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { en } from './en.ts';
import { fr } from './fr.ts';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

describe('catalogues', () => {
  it('use the same placeholders in every language', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.deepEqual(placeholders(fr[key]), placeholders(en[key]), key);
    }
  });

  it('have no empty messages', () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(fr)]) assert.notEqual(text.trim(), '', key);
  });
});
